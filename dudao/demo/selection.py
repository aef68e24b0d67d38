"""Demo of the selection workflow: an open round with nominations in every
state, made through the services by the people who would make them."""

import datetime as dt

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from dudao.accounts.models import Role, RoleAssignment, User
from dudao.directory.models import DisciplinaryRecord, Jurisdiction, Organization
from dudao.publicity import selectors as publicity_selectors
from dudao.publicity import services as publicity_services
from dudao.publicity.models import Item as PublicityItem
from dudao.publicity.models import Notice
from dudao.selection import eligibility, services
from dudao.selection.models import Nomination, Round
from dudao.selection.selectors import publicity_record, staff_for_nomination

# A one-page PDF, enough to stand for a scanned letter of recommendation.
EVIDENCE_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj "
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


def _agency_admin(username, display_name, organization, password):
    user, created = User.objects.get_or_create(username=username, defaults={"display_name": display_name})
    if created:
        user.set_password(password)
        user.save()
    RoleAssignment.objects.get_or_create(user=user, role=Role.AGENCY_ADMIN, organization=organization)
    return user


def _eligible(round_, organization, count, prefer=None):
    # The round's own (city) rules on its snapshot date, for a unit of any district.
    context = eligibility.EvaluationContext(round_.jurisdiction, round_.snapshot_date, organization)
    params = eligibility.parameters_for(context)
    found = []
    staff = sorted(staff_for_nomination(round_, organization), key=lambda p: p.pk != getattr(prefer, "pk", None))
    for person in staff:
        if eligibility.all_passed(eligibility.check(person, context=context, path="quota", params=params)):
            found.append(person)
        if len(found) == count:
            break
    return found


def conclude_publicity(source: str, days_ago: int = 14) -> int:
    """The demo's history: today's 公示 of `source` is moved back to have run
    `days_ago` days ago, and ends as the nightly job would end it."""
    today = timezone.localdate()
    days = publicity_selectors.settings_for(Jurisdiction.objects.get(code="410100"))["days"]
    start = today - dt.timedelta(days=days_ago)
    Notice.objects.filter(source=source, starts_on=today).update(
        starts_on=start, ends_on=start + dt.timedelta(days=int(days) - 1)
    )
    return publicity_services.settle_due()


@transaction.atomic
def load(password: str) -> str:
    today = timezone.localdate()
    city = Jurisdiction.objects.get(code="410100")
    if Round.objects.filter(jurisdiction=city, year=today.year).exists():
        return "selection demo already loaded"
    city_admin = User.objects.get(username="city_admin")
    jinshui_admin = User.objects.get(username="jinshui_admin")
    erqi_admin = User.objects.get(username="erqi_admin")
    now = timezone.now()
    round_ = services.open_round(
        actor=city_admin,
        jurisdiction=city,
        year=today.year,
        title=f"{today.year}年度市级社会工作督导培养对象推荐",
        snapshot_date=today - dt.timedelta(days=7),
        submission_deadline=now + dt.timedelta(days=30),
        district_review_deadline=now + dt.timedelta(days=45),
        city_review_deadline=now + dt.timedelta(days=60),
    )

    sunshine = Organization.objects.get(name="郑州市金水区阳光社会工作服务中心")
    tongxin = Organization.objects.get(name="郑州市二七区同心社会工作服务中心")
    hemei = Organization.objects.get(name="郑州市中原区和美社会工作服务中心")
    xinhe = Organization.objects.get(name="郑州市金水区馨和社会工作服务中心")
    university = Organization.objects.get(name="郑州社会工作学院（示例）")
    agency_admin = User.objects.get(username="agency_admin")
    tongxin_admin = _agency_admin("tongxin_admin", "同心社工中心管理员", tongxin, password)
    hemei_admin = _agency_admin("hemei_admin", "和美社工中心管理员", hemei, password)
    xinhe_admin = _agency_admin("xinhe_admin", "馨和社工中心管理员", xinhe, password)
    university_admin = _agency_admin("university_admin", "社会工作学院管理员", university, password)

    def nominate(actor, organization, person, statement="", submit=True):
        n = services.create_nomination(
            actor=actor, round_=round_, person=person, organization=organization, statement=statement
        )
        if submit:
            services.submit(actor=actor, nomination=n)
        return n

    def approve_all_the_way(nomination, district_admin):
        services.review(actor=district_admin, nomination=nomination, decision="approve", reason="材料齐全，同意推荐。")
        services.review(actor=city_admin, nomination=nomination, decision="approve", reason="同意列为市级培养对象。")

    # 阳光 (the demo supervisor's agency): the supervisor becomes a trainee; a second is a draft.
    supervisor = User.objects.get(username="supervisor").person
    picks = _eligible(round_, sunshine, 2, prefer=supervisor)
    if picks:
        n = nominate(agency_admin, sunshine, picks[0], "从事养老服务多年，带教新入职社工成效显著。")
        approve_all_the_way(n, jinshui_admin)
    if len(picks) > 1:
        nominate(agency_admin, sunshine, picks[1], submit=False)

    # 同心: two trainees, and one returned by the district for revision.
    picks = _eligible(round_, tongxin, 3)
    if picks:
        n = nominate(tongxin_admin, tongxin, picks[0], "青少年服务骨干，具备丰富的个案督导经验。")
        approve_all_the_way(n, erqi_admin)
    if len(picks) > 1:
        n = nominate(tongxin_admin, tongxin, picks[1])
        services.review(actor=erqi_admin, nomination=n, decision="return", reason="请补充近三年督导服务时长说明。")
    if len(picks) > 2:
        n = nominate(tongxin_admin, tongxin, picks[2], "禁毒社会工作方向，承担区级督导项目。")
        approve_all_the_way(n, erqi_admin)

    # Their 公示 ran two weeks ago and ended with no objection: they are trainees.
    conclude_publicity(f"round:{round_.pk}")

    # 和美 (中原区 has no district admin in the demo; the city acts after its review).
    picks = _eligible(round_, hemei, 1)
    if picks:
        nominate(hemei_admin, hemei, picks[0], "社区治理方向，擅长团体督导。")

    # 馨和: reviewed and rejected by 金水区.
    picks = _eligible(round_, xinhe, 1)
    if picks:
        n = nominate(xinhe_admin, xinhe, picks[0])
        services.review(actor=jinshui_admin, nomination=n, decision="reject", reason="近一年未从事一线服务。")

    # Direct entry: university teachers with practice experience; one approved, one awaiting the city.
    teachers = list(university.employments.filter(end_date=None).select_related("person").order_by("person_id")[:2])
    for i, teacher in enumerate(teachers):
        n = services.create_nomination(
            actor=university_admin,
            round_=round_,
            person=teacher.person,
            organization=university,
            path=Nomination.Path.DIRECT,
            category=Nomination.Category.UNIVERSITY_TEACHER,
            statement="社会工作专业教师，长期参与社区社会工作实务。",
        )
        services.add_evidence(
            actor=university_admin,
            nomination=n,
            upload=SimpleUploadedFile("推荐函.pdf", EVIDENCE_PDF, "application/pdf"),
            description="单位推荐函",
        )
        services.submit(actor=university_admin, nomination=n)
        if i == 0:
            # Approved today: in 公示, with one anonymous objection awaiting the city's decision.
            services.review(actor=city_admin, nomination=n, decision="approve", reason="同意直接列为培养对象。")
            item = PublicityItem.objects.get(record=publicity_record(n.pk))
            publicity_services.lodge_objection(
                actor=User.objects.get(username="social_worker"),
                item=item,
                text="据了解，该教师近两年未实际参与社区社会工作实务，推荐材料所述项目经历请核实。",
                anonymous=True,
                contact="0371-60000000",
            )

    # A disciplinary record, so the eligibility page shows a failing rule.
    staff = sunshine.employments.filter(end_date=None).select_related("person").order_by("person__name").last()
    if staff and not staff.person.disciplinary_records.exists():
        DisciplinaryRecord.objects.create(
            person=staff.person,
            decided_on=today - dt.timedelta(days=200),
            description="服务记录造假，通报批评",
            authority="金水区民政局",
        )
    return f"round {round_.year} with {round_.nominations.count()} nominations"


@transaction.atomic
def load_luoyang() -> str:
    """The second city's own round for the same year, opened by its own city
    admin (its agencies' quotas at Luoyang's 1:5)."""
    today = timezone.localdate()
    city = Jurisdiction.objects.get(code="410300")
    if Round.objects.filter(jurisdiction=city, year=today.year).exists():
        return "Luoyang round already loaded"
    now = timezone.now()
    round_ = services.open_round(
        actor=User.objects.get(username="luoyang_admin"),
        jurisdiction=city,
        year=today.year,
        title=f"洛阳市{today.year}年度社会工作督导培养对象推荐",
        snapshot_date=today - dt.timedelta(days=7),
        submission_deadline=now + dt.timedelta(days=30),
        district_review_deadline=now + dt.timedelta(days=45),
        city_review_deadline=now + dt.timedelta(days=60),
    )
    return f"Luoyang round {round_.year}"
