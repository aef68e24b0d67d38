"""directory.0012 and the apps' chain migrations on a database made when the
tree was rooted at 郑州市: 河南省 goes above the city, every path and depth
follows, and every stored chain (jurisdictions, organisations, people,
nominations, trainees, pool entries, training activities) shifts down one
column."""

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [
    ("directory", "0011_city_attributes"),
    ("selection", "0004_trainee_scope_chain_and_name"),
    ("pools", "0004_scope_chain"),
    ("training", "0006_scope_chain"),
]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def _latest():
    executor = MigrationExecutor(connection)
    return executor.loader.graph.leaf_nodes()


def _jurisdiction(model, code, name, kind, parent=None):
    j = model.objects.create(
        code=code,
        name=name,
        kind=kind,
        parent=parent,
        path=(parent.path if parent else "") + code + "/",
        depth=parent.depth + 1 if parent else 0,
        **({f"scope_j{d}": getattr(parent, f"scope_j{d}") for d in range(4)} if parent else {}),
    )
    model.objects.filter(pk=j.pk).update(**{f"scope_j{j.depth}": j.pk})
    j.refresh_from_db()
    return j


@pytest.mark.django_db(transaction=True)
def test_the_province_goes_above_zhengzhou_and_every_chain_shifts_down():
    try:
        old = _migrate(BEFORE)
        Jurisdiction = old.get_model("directory", "Jurisdiction")
        city = _jurisdiction(Jurisdiction, "410100", "郑州市", "city")
        jinshui = _jurisdiction(Jurisdiction, "410105", "金水区", "district", city)
        chain = {f"scope_j{d}": getattr(jinshui, f"scope_j{d}") for d in range(4)}
        assert chain == {"scope_j0": city.pk, "scope_j1": jinshui.pk, "scope_j2": None, "scope_j3": None}
        kind = old.get_model("directory", "OrganizationType").objects.create(code="agency", name="社会工作服务机构")
        org = old.get_model("directory", "Organization").objects.create(
            name="阳光", credit_code="91410100MA44XXXX0X", type=kind, jurisdiction=jinshui, **chain
        )
        person = old.get_model("directory", "Person").objects.create(name="甲", employer=org, employed=True, **chain)
        round_ = old.get_model("selection", "Round").objects.create(
            jurisdiction=city,
            year=2026,
            title="2026",
            snapshot_date=dt.date(2026, 1, 1),
            submission_deadline="2026-02-01T00:00Z",
            district_review_deadline="2026-03-01T00:00Z",
            city_review_deadline="2026-04-01T00:00Z",
        )
        nomination = old.get_model("selection", "Nomination").objects.create(
            round=round_, person=person, organization=org, path="quota", **chain
        )
        trainee = old.get_model("selection", "Trainee").objects.create(
            round=round_, person=person, nomination=nomination, person_name="甲", **chain
        )
        entry = old.get_model("pools", "Entry").objects.create(
            person=person,
            level="district",
            jurisdiction=jinshui,
            home_district=jinshui,
            entry_number="ZZ-410105-2026-0001",
            verification_code="ABCDEFGHJKLMNPQR",
            admitted_on=dt.date(2026, 1, 1),
            expires_on=dt.date(2028, 12, 31),
            **chain,
        )
        activity = old.get_model("training", "Activity").objects.create(
            jurisdiction=jinshui, title="伦理学习", kind="ethics", held_on=dt.date(2026, 1, 1), hours=2, **chain
        )
        old.get_model("core", "ReferenceDataVersion").objects.create(dataset="jurisdictions", version=1)

        new = _migrate(_latest())

        Jurisdiction = new.get_model("directory", "Jurisdiction")
        province = Jurisdiction.objects.get(code="410000")
        assert (province.name, province.kind, province.parent_id, province.path, province.depth) == (
            "河南省",
            "province",
            None,
            "410000/",
            0,
        )
        assert province.scope_j0 == province.pk
        city = Jurisdiction.objects.get(pk=city.pk)
        assert (city.parent_id, city.path, city.depth) == (province.pk, "410000/410100/", 1)
        assert (city.scope_j0, city.scope_j1, city.scope_j2) == (province.pk, city.pk, None)
        jinshui = Jurisdiction.objects.get(pk=jinshui.pk)
        assert (jinshui.path, jinshui.depth) == ("410000/410100/410105/", 2)
        shifted = {"scope_j0": province.pk, "scope_j1": city.pk, "scope_j2": jinshui.pk, "scope_j3": None}
        for app, model, pk in (
            ("directory", "Jurisdiction", jinshui.pk),
            ("directory", "Organization", org.pk),
            ("directory", "Person", person.pk),
            ("selection", "Nomination", nomination.pk),
            ("selection", "Trainee", trainee.pk),
            ("pools", "Entry", entry.pk),
            ("training", "Activity", activity.pk),
        ):
            row = new.get_model(app, model).objects.values(*shifted).get(pk=pk)
            assert row == shifted, model
        zhengzhou = new.get_model("directory", "City").objects.get(pk=city.pk)
        assert (zhengzhou.entry_prefix, zhengzhou.policy_document) == ("ZZ", "郑民文〔2018〕22号")
        # The whole-tree version is gone: the next load applies Zhengzhou's file under its own.
        assert not new.get_model("core", "ReferenceDataVersion").objects.filter(dataset="jurisdictions").exists()
    finally:
        _migrate(_latest())
