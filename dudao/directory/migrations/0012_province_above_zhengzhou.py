"""A database made when the tree was rooted at Zhengzhou gets 河南省 above the
city, so that Luoyang (or any city of the province) can be loaded beside it:
every path gains the province's code, every depth one level, and every stored
chain (dudao.core.scoping) shifts down one column with the province at
scope_j0. The apps that store chains on their own rows shift them in their own
migrations (selection, pools, training), which depend on this one. Zhengzhou's
attributes (dudao.directory.models.City) are recorded as its reference file has
them; the next load_reference_data applies the file under its per-city version."""

import datetime as dt

from dudao.core.scoping import analyze_after_rewrite
from django.db import migrations
from django.db.models import F, Value
from django.db.models.functions import Concat

CITY, PROVINCE = "410100", "410000"
SHIFT = {"scope_j3": F("scope_j2"), "scope_j2": F("scope_j1"), "scope_j1": F("scope_j0")}


def forwards(apps, schema_editor):
    Jurisdiction = apps.get_model("directory", "Jurisdiction")
    city = Jurisdiction.objects.filter(code=CITY, parent=None).first()
    if city is None:
        return  # a new database, or one already under the province
    province = Jurisdiction.objects.filter(code=PROVINCE).first()
    if province is None:
        province = Jurisdiction.objects.create(
            code=PROVINCE, name="河南省", kind="province", parent=None, path=f"{PROVINCE}/", depth=0, order=0
        )
        Jurisdiction.objects.filter(pk=province.pk).update(scope_j0=province.pk)
    under = Jurisdiction.objects.filter(scope_j0=city.pk)
    if under.filter(depth__gte=3).exists():
        raise RuntimeError("Jurisdictions four levels below Zhengzhou leave no room for the province above it.")
    under.update(path=Concat(Value(f"{PROVINCE}/"), F("path")), depth=F("depth") + 1, scope_j0=province.pk, **SHIFT)
    Jurisdiction.objects.filter(pk=city.pk).update(parent=province, order=1)
    for model in ("Organization", "Person"):
        apps.get_model("directory", model).objects.filter(scope_j0=city.pk).update(scope_j0=province.pk, **SHIFT)
    apps.get_model("directory", "City").objects.get_or_create(
        jurisdiction_id=city.pk,
        defaults={
            "display_name": "郑州市",
            "entry_prefix": "ZZ",
            "policy_document": "郑民文〔2018〕22号",
            "policy_title": "郑州市民政局 郑州市财政局 郑州市人力资源和社会保障局关于推进全市社会工作督导人才队伍建设的意见",
            "policy_date": dt.date(2018, 3, 13),
            "parameter_defaults": {},
        },
    )
    # The whole-tree version no longer names a data set: Zhengzhou's rows are
    # versioned per city from now on.
    apps.get_model("core", "ReferenceDataVersion").objects.filter(dataset="jurisdictions").delete()



def analyze(apps, schema_editor):
    analyze_after_rewrite(schema_editor, "directory_jurisdiction", "directory_organization", "directory_person")


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0003_job"),
        ("directory", "0011_city_attributes"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop),
        migrations.RunPython(analyze, migrations.RunPython.noop),
    ]
