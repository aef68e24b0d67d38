"""The score sheet import at size: a fixed number of queries however many
trainees, each change audited as record_scores audits it, legacy .xls too."""

from decimal import Decimal
from io import BytesIO

import pytest
import xlwt
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from openpyxl import Workbook, load_workbook

from dudao.core.models import AuditEntry
from dudao.training import imports, services
from dudao.training.models import Member
from tests.factories import staff

from .conftest import make_trainee

pytestmark = pytest.mark.django_db


def _headers():
    with translation.override("zh-hans"):
        return [str(label) for _key, label, _required in imports.COLUMNS]


def _sheet(rows, name="scores.xlsx"):
    wb = Workbook()
    ws = wb.active
    ws.append(_headers())
    for row in rows:
        ws.append(row)
    buffer = BytesIO()
    wb.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue())


def _cohort(world, training, size, name):
    trainees = [
        make_trainee(training.round, staff(world.agency, certified=True, name=f"{name}{n}"), world.agency)
        for n in range(size)
    ]
    return services.create_cohort(
        actor=world.trainer, programme=training.programme, name=name, round_=training.round, trainees=trainees
    )


def _import_queries(world, cohort):
    members = list(cohort.members.select_related("trainee__person"))
    upload = _sheet([[m.pk, m.trainee.person.name, 80, 75.5] for m in members])
    ContentType.objects.clear_cache()  # both measured alike, cold
    with CaptureQueriesContext(connection) as queries:
        assert imports.import_scores(actor=world.trainer, cohort=cohort, upload=upload) == len(members)
    return len(queries.captured_queries)


def test_a_sheet_of_100_trainees_costs_the_same_queries_as_one_of_10(world, training):
    # 100 keeps SQLite's bulk writes in one batch each; PostgreSQL has no batches.
    small, large = _cohort(world, training, 10, "十人班"), _cohort(world, training, 100, "百人班")
    assert _import_queries(world, small) == _import_queries(world, large)
    assert set(Member.objects.filter(cohort=large).values_list("theory_score", "practice_score")) == {
        (Decimal("80.0"), Decimal("75.5"))
    }


def test_each_changed_score_is_audited_with_before_and_after(world, training):
    s, w = training.supervisor_member, training.worker_member
    services.record_scores(actor=world.trainer, member=s, theory_score=60, practice_score=None)
    upload = _sheet([[s.pk, "督导甲", 88, 90.5], [w.pk, "社工乙", 61, None]])

    assert imports.import_scores(actor=world.trainer, cohort=training.cohort, upload=upload) == 2

    entries = AuditEntry.objects.filter(action=AuditEntry.Action.UPDATE, content_type__model="member")
    by_member = {e.object_id: e for e in entries.filter(object_id__in=[str(s.pk), str(w.pk)]).order_by("pk")}
    assert by_member[str(s.pk)].changes == {"scores": [["60.0", "None"], ["88.0", "90.5"]]}
    assert by_member[str(w.pk)].changes == {"scores": [["None", "None"], ["61.0", "None"]]}
    assert by_member[str(w.pk)].actor == world.trainer
    s.refresh_from_db()
    assert s.scored_by == world.trainer and s.scored_at is not None


def test_a_score_sheet_saved_as_legacy_xls_imports(world, training):
    s = training.supervisor_member
    wb = xlwt.Workbook(encoding="utf-8")
    ws = wb.add_sheet("成绩")
    for c, header in enumerate(_headers()):
        ws.write(0, c, header)
    for c, value in enumerate([s.pk, "督导甲", 77, 66.5]):
        ws.write(1, c, value)
    buffer = BytesIO()
    wb.save(buffer)
    upload = SimpleUploadedFile("成绩.xls", buffer.getvalue())
    assert imports.import_scores(actor=world.trainer, cohort=training.cohort, upload=upload) == 1
    s.refresh_from_db()
    assert (s.theory_score, s.practice_score) == (Decimal("77.0"), Decimal("66.5"))


def test_the_score_template_round_trips(world, training):
    content = imports.template_file(training.cohort)
    ws = load_workbook(BytesIO(content)).worksheets[0]
    assert ws.freeze_panes == "A2"
    ws["C2"], ws["D2"] = 90, 91
    buffer = BytesIO()
    ws.parent.save(buffer)
    assert (
        imports.import_scores(
            actor=world.trainer, cohort=training.cohort, upload=SimpleUploadedFile("s.xlsx", buffer.getvalue())
        )
        == 1
    )
