"""Demo of the annual evaluation (issue 11, "Done when"): this year's city-pool
cycle, scored by the four parties through the services and published by the
city, with grades in all four bands — an 优秀, 合格s (one with the authority's
score missing, its weight shared), a 基本合格 capped for too few practice hours,
a 不合格 whose pool entry is suspended — an appeal upheld and republished, and
an entry at the end of its term renewed by the city.

The cycle and its evaluations (with their indicator points) are written
directly, standing in for the cycle computation (the evaluation-cycle work);
everything after them goes through the services, by the people who would act.
The city pool has only the two supervisors trained in the demo, so four more
are admitted as the city's confirmation of a passed assessment would admit
them."""

import datetime as dt
from types import SimpleNamespace

from django.db import transaction
from django.utils import timezone

from dudao.accounts.models import Role, RoleAssignment, User
from dudao.directory.models import Jurisdiction, Organization, Person
from dudao.evaluation.models import Cycle, Evaluation, Party
from dudao.evaluation.services import appeals, renewals, results, scoring
from dudao.pools import services as pool_services
from dudao.pools.models import Entry
from dudao.training.models import Programme

SUNSHINE = "郑州市金水区阳光社会工作服务中心"
XINHE = "郑州市金水区馨和社会工作服务中心"
TONGXIN = "郑州市二七区同心社会工作服务中心"

INDICATOR_WEIGHTS = {
    "督导服务时数": "20.00",
    "一线实务时数": "20.00",
    "被督导者满意度": "20.00",
    "被督导者能力提升": "15.00",
    "培训学时": "10.00",
    "服务评估结果": "15.00",
}

# name suffix -> (party score, indicator points, practice hours, authority scores?)
PLANS = [
    ("excellent", 95, 95, "130.00", True),
    ("pass_missing", 85, 80, "120.00", False),
    ("capped", 85, 80, "40.00", True),
    ("fail", 50, 40, "30.00", True),
    ("renewed", 80, 80, "110.00", True),
    ("appealed", 70, 65, "105.00", True),
]


def _supervisor_account(username, person, password) -> User:
    user = User.objects.filter(person=person).first()
    if user is None:
        user = User(username=username, display_name=person.name, person=person)
        user.set_password(password)
        user.save()
    RoleAssignment.objects.get_or_create(user=user, role=Role.SUPERVISOR)
    return user


def _admit(city_admin, city, programme, person, home) -> Entry:
    """As training's confirm_results admits a passing trainee of the city's programme."""
    member = SimpleNamespace(
        cohort=SimpleNamespace(programme=programme),
        trainee=SimpleNamespace(person=person, nomination=SimpleNamespace(organization=home)),
    )
    return pool_services.admit_to_city_pool(actor=city_admin, member=member)


def _entries(city, city_admin, password) -> list[Entry]:
    """Six live city-pool entries: the demo's two, and four more staff of the three agencies."""
    entries = list(
        Entry.objects.filter(level=Entry.Level.CITY, jurisdiction=city, status=Entry.Status.ACTIVE)
        .select_related("person")
        .order_by("pk")
    )
    programme = Programme.objects.filter(jurisdiction=city).first() or SimpleNamespace(
        jurisdiction_id=city.pk, name="百名督导培养计划"
    )
    in_pool = Entry.objects.values("person_id")
    with_login = User.objects.exclude(person=None).values("person_id")
    for n, name in enumerate([SUNSHINE, XINHE, TONGXIN, SUNSHINE]):
        if len(entries) >= len(PLANS):
            break
        org = Organization.objects.get(name=name)
        person = (
            Person.objects.filter(employer=org, employed=True)
            .exclude(pk__in=in_pool)
            .exclude(pk__in=with_login)
            .order_by("-pk")
            .first()
        )
        if person is None:
            continue
        entries.append(_admit(city_admin, city, programme, person, org))
        _supervisor_account(f"city_supervisor{n + 1}", person, password)
    return entries


def _score(evaluation, score, authority, admins, association, city_admin):
    values = {"ethics": score, "ability": score, "performance": score}
    home_admin = admins.get(evaluation.home_organization_id)
    if home_admin is not None:
        scoring.submit(
            actor=home_admin, evaluation=evaluation, party=Party.HOME_AGENCY, comment="工作认真负责。", **values
        )
    for form in evaluation.forms.filter(party=Party.SERVED_AGENCY):
        admin = admins.get(form.organization_id)
        if admin is not None:
            scoring.submit(
                actor=admin,
                evaluation=evaluation,
                party=Party.SERVED_AGENCY,
                organization=form.organization_id,
                comment="督导安排规范，反馈及时。",
                **values,
            )
    scoring.submit(
        actor=association, evaluation=evaluation, party=Party.ASSOCIATION, comment="专业伦理意识较强。", **values
    )
    if authority:
        scoring.submit(actor=city_admin, evaluation=evaluation, party=Party.AUTHORITY, **values)


@transaction.atomic
def load(password: str) -> str:
    if Cycle.objects.exists():
        return "evaluation demo already loaded"
    today = timezone.localdate()
    city = Jurisdiction.objects.get(code="410100")
    city_admin = User.objects.get(username="city_admin")
    association = User.objects.get(username="association")
    admins = {}
    for name, username in ((SUNSHINE, "agency_admin"), (XINHE, "xinhe_admin"), (TONGXIN, "tongxin_admin")):
        user = User.objects.filter(username=username).first()
        if user is not None:
            admins[Organization.objects.get(name=name).pk] = user
    entries = _entries(city, city_admin, password)
    if len(entries) < len(PLANS):
        return "evaluation demo skipped: too few city-pool supervisors"

    # The entry to renew: admitted three years ago, its term ending next month.
    renewed_entry = entries[4]
    Entry.objects.filter(pk=renewed_entry.pk).update(
        admitted_on=today.replace(year=today.year - 3) + dt.timedelta(days=40),
        expires_on=today + dt.timedelta(days=39),
    )

    cycle = Cycle.objects.create(
        owner=city,
        level=Entry.Level.CITY,
        year=today.year,
        title=f"{today.year}年度市级督导人才库考评",
        scoring_deadline=today,
        review_deadline=today + dt.timedelta(days=10),
        appeal_days=15,
        status=Cycle.Status.SCORING,
        opened_by=city_admin,
    )
    evaluations = []
    for entry, (_name, score, points, practice, authority) in zip(entries, PLANS, strict=False):
        person = entry.person
        evaluation = Evaluation.objects.create(
            cycle=cycle,
            entry=entry,
            person=person,
            home_organization=person.employer if person.employed else None,
            indicators={
                "service_hours": "72.00",
                "practice_hours": practice,
                "satisfaction": "4.50",
                "ratings": 12,
                "training_hours": "24.00",
            },
            breakdown={
                "indicator_points": dict.fromkeys(INDICATOR_WEIGHTS, f"{points}.00"),
                "indicator_weights": dict(INDICATOR_WEIGHTS),
            },
        )
        evaluations.append((evaluation, score, authority))
    for evaluation, score, authority in evaluations:
        _score(evaluation, score, authority, admins, association, city_admin)
    results.compute(actor=city_admin, cycle=cycle)
    results.publish(actor=city_admin, cycle=cycle)

    # The 基本合格 supervisor appeals: service results were left out; upheld and republished.
    appealed = Evaluation.objects.get(pk=evaluations[5][0].pk)
    user = _supervisor_account("city_supervisor4", appealed.person, password)
    appeal = appeals.lodge(
        actor=user, evaluation=appealed, reason="本人全年服务评估结果未计入指标，申请复核。附服务机构出具的评估结果。"
    )
    appeals.decide(
        actor=city_admin,
        appeal=appeal,
        upheld=True,
        decision="经核实，服务评估结果与满意度指标漏计，予以更正并重新公布。",
        changes={
            "indicator_points": {
                "服务评估结果": "95.00",
                "被督导者满意度": "95.00",
                "督导服务时数": "95.00",
                "一线实务时数": "90.00",
            }
        },
    )

    # The entry at the end of its term with a 合格 is proposed and renewed.
    for renewal in renewals.propose_due(actor=city_admin, level=Entry.Level.CITY, jurisdiction=city, on=today):
        renewals.decide(actor=city_admin, renewal=renewal, approve=True, reason="聘期内考评合格，同意续聘一届。")

    _district_cycle(today)
    grades = sorted(Evaluation.objects.filter(cycle=cycle).values_list("grade", flat=True))
    return f"evaluation: {cycle.title} published, grades {', '.join(grades)}"


def _district_cycle(today) -> None:
    """金水区's own pool is being scored: the association, the agencies and the
    district have forms due on their 工作台, the district its deadlines."""
    district = Jurisdiction.objects.get(code="410105")
    district_admin = User.objects.filter(username="jinshui_admin").first()
    entries = list(
        Entry.objects.filter(level=Entry.Level.DISTRICT, jurisdiction=district, status=Entry.Status.ACTIVE)
        .select_related("person")
        .order_by("pk")[:3]
    )
    if district_admin is None or not entries:
        return
    cycle = Cycle.objects.create(
        owner=district,
        level=Entry.Level.DISTRICT,
        year=today.year,
        title=f"{today.year}年度金水区督导人才库考评",
        scoring_deadline=today + dt.timedelta(days=14),
        review_deadline=today + dt.timedelta(days=28),
        appeal_days=15,
        status=Cycle.Status.SCORING,
        opened_by=district_admin,
    )
    for entry in entries:
        person = entry.person
        Evaluation.objects.create(
            cycle=cycle,
            entry=entry,
            person=person,
            home_organization=person.employer if person.employed else None,
            indicators={
                "service_hours": "48.00",
                "practice_hours": "110.00",
                "satisfaction": "4.60",
                "ratings": 9,
                "training_hours": "20.00",
            },
            breakdown={
                "indicator_points": dict.fromkeys(INDICATOR_WEIGHTS, "85.00"),
                "indicator_weights": dict(INDICATOR_WEIGHTS),
            },
        )


LOGINS = [
    ("city_supervisor1", "市级人才库督导（聘期届满获续聘）"),
    ("city_supervisor3", "市级人才库督导（考评不合格，入库资格暂停）"),
    ("city_supervisor4", "市级人才库督导（考评结果经申诉更正）"),
]
