"""Demo of using supervisors: the sunshine agency's internal supervisor
engaged for most of its staff, a second internal supervisor, a city-pool
supervisor engaged from outside by 馨和, four months of sessions confirmed and
rated by the supervisees (one disputed, the latest awaiting confirmation),
signed-off months, ability assessments, practice hours, and 同心 in 二七区 with
thirty staff and no supervision, so its ranked candidates show.

Made through the services by the people who would act, on dates relative to
the day it is loaded."""

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from dudao.accounts.models import Role, RoleAssignment, User
from dudao.directory.models import Organization, Person
from dudao.policy.selectors import value as policy_value
from dudao.pools.models import Entry
from dudao.supervision import matching
from dudao.supervision.models import Engagement, Session
from dudao.supervision.services import assessments, coverage, engagements, practice, sessions

SUNSHINE = "郑州市金水区阳光社会工作服务中心"
XINHE = "郑州市金水区馨和社会工作服务中心"
TONGXIN = "郑州市二七区同心社会工作服务中心"

TOPICS = [
    ("个案工作中的专业关系与界限", "individual", ["教育", "支持"]),
    ("社区长者服务项目的季度计划", "group", ["行政", "项目策划"]),
    ("新入职社工的职业压力与自我照顾", "group", ["支持"]),
    ("困境儿童个案的资源链接", "individual", ["资源链接", "教育"]),
    ("服务记录的规范书写", "group", ["行政", "教育"]),
    ("危机介入的流程与伦理", "peer", ["教育", "支持"]),
]
COMMENTS = ["督导很有针对性，收获很大。", "希望增加案例讨论的时间。", "", "对我处理个案很有帮助。", ""]


def _month_start(day: dt.date, back: int) -> dt.date:
    year, month = day.year, day.month - back
    while month < 1:
        month += 12
        year -= 1
    return dt.date(year, month, 1)


def _account(username, person, password, role=Role.SOCIAL_WORKER) -> User:
    """The person's own account (an existing one is kept), holding `role`."""
    user = User.objects.filter(person=person).first()
    if user is None:
        user = User(username=username, display_name=person.name, person=person)
        user.set_password(password)
        user.save()
    RoleAssignment.objects.get_or_create(user=user, role=role)
    return user


def _supervisor_account(username, person, password) -> User:
    return _account(username, person, password, role=Role.SUPERVISOR)


def _staff(organization, *, exclude=()) -> list[Person]:
    return list(
        Person.objects.filter(employer=organization, employed=True)
        .exclude(pk__in=[p.pk for p in exclude])
        .order_by("pk")
    )


def _agree(engagement, supervisor_user, agency_admin):
    if not engagement.agency_confirmed_at:
        engagement = engagements.confirm_agreement(actor=agency_admin, engagement=engagement)
    if not engagement.supervisor_confirmed_at:
        engagement = engagements.confirm_agreement(actor=supervisor_user, engagement=engagement)
    return engagement


AGREEMENT = {
    "goals": "提升一线社工的专业能力与服务质量，帮助新入职社工尽快胜任岗位。",
    "frequency": "每月个别督导与团体督导相结合，合计约定时数见上",
    "functions": ["行政", "教育", "支持", "项目策划", "资源链接"],
    "confidentiality": "督导双方对督导中涉及的服务对象信息和机构内部信息严格保密。",
    "subsidy_basis": "按《郑州市社会工作督导人才培养实施方案》谁使用、谁补贴的原则，由使用单位支付督导补贴。",
}


def _sessions_for_month(*, supervisor_user, engagement, month, today, people, users, plan, rng_seed):
    """Record the month's sessions, then have each supervisee with an account confirm and rate."""
    made = []
    for n, (day, (topic, form, functions), count) in enumerate(plan):
        date = month.replace(day=day)
        if date >= today:
            continue
        present = (
            people[n % 2 : n % 2 + count] if form != "individual" else people[n % len(people) : n % len(people) + 1]
        )
        if form != "individual" and len(present) < 2:
            present = people[:2]
        session = sessions.record(
            actor=supervisor_user,
            engagement=engagement,
            date=date,
            start_time=dt.time(14 if n % 2 else 9, 30),
            duration_minutes=90 if form == "group" else 60,
            form=form,
            functions=functions,
            supervisees=present,
            topics=topic,
            notes="围绕督导对象提出的问题开展讨论，明确下一步的学习任务。",
        )
        made.append(session)
        for k, person in enumerate(present):
            user = users.get(person.pk)
            if user is None:
                continue
            score = 5 - ((rng_seed + n + k) % 3 == 0)
            sessions.confirm(
                actor=user, session=session, rating=score, comment=COMMENTS[(rng_seed + n + k) % len(COMMENTS)]
            )
    return made


@transaction.atomic
def load(password: str) -> str:
    if Engagement.objects.exists():
        return "supervision demo already loaded"
    today = timezone.localdate()
    sunshine = Organization.objects.get(name=SUNSHINE)
    xinhe = Organization.objects.get(name=XINHE)
    agency_admin = User.objects.get(username="agency_admin")
    xinhe_admin = User.objects.filter(username="xinhe_admin").first()
    supervisor_user = User.objects.get(username="supervisor")
    social_worker = User.objects.get(username="social_worker")
    internal_entries = list(
        Entry.objects.filter(level=Entry.Level.AGENCY, organization=sunshine, status=Entry.Status.ACTIVE).order_by("pk")
    )
    if not internal_entries or xinhe_admin is None:
        return "supervision demo skipped: no internal supervisors"
    # Early in a month the latest sessions fall in the previous one (none can be in the
    # future): everything moves a month back, so the demo still shows four months.
    lag = 1 if today.day <= 3 else 0
    first_month = _month_start(today, 3 + lag)
    ends_on = min(e.expires_on for e in internal_entries)

    # 1. 阳光: its own supervisor (the demo login) for ten staff, the social worker among them.
    main_entry = next(e for e in internal_entries if e.person_id == supervisor_user.person_id)
    staff = _staff(sunshine, exclude=[e.person for e in internal_entries])
    supervisees = [social_worker.person] + [p for p in staff if p.pk != social_worker.person_id][:9]
    internal = engagements.engage_internal(
        actor=agency_admin,
        organization=sunshine,
        entry=main_entry,
        starts_on=first_month,
        ends_on=min(ends_on, first_month.replace(year=first_month.year + 1) - dt.timedelta(days=1)),
        hours_per_month=Decimal(12),
        supervisees=supervisees,
        **AGREEMENT,
    )
    internal = _agree(internal, supervisor_user, agency_admin)
    # Supervisees confirm with their own accounts (the demo login is one of them).
    users = {social_worker.person_id: social_worker}
    for n, person in enumerate(supervisees[1:5], start=2):
        users[person.pk] = _account(f"sunshine_sw{n}", person, password)

    # 2. A second internal supervisor of 阳光 for five more staff.
    second_entry = next((e for e in internal_entries if e.pk != main_entry.pk), None)
    if second_entry is not None:
        second_user = _supervisor_account("sunshine_supervisor2", second_entry.person, password)
        others = [p for p in staff if p not in supervisees and p.pk != second_entry.person_id][:5]
        second = engagements.engage_internal(
            actor=agency_admin,
            organization=sunshine,
            entry=second_entry,
            starts_on=_month_start(today, 1),
            ends_on=internal.ends_on,
            hours_per_month=Decimal(6),
            supervisees=others,
            **AGREEMENT,
        )
        _agree(second, second_user, agency_admin)

    # Four months of sessions: the first two signed off, the third awaiting sign-off,
    # the current one with a session to confirm and one disputed.
    plan = [(3, TOPICS[0], 1), (10, TOPICS[1], 4), (17, TOPICS[2], 3), (24, TOPICS[3], 1)]
    for back in (3, 2, 1):
        month = _month_start(today, back + lag)
        _sessions_for_month(
            supervisor_user=supervisor_user,
            engagement=internal,
            month=month,
            today=today,
            people=supervisees[:5],
            users=users,
            plan=plan,
            rng_seed=back,
        )
    for back in (3, 2):
        sessions.sign_off(actor=agency_admin, engagement=internal, month=_month_start(today, back + lag))
    current = _month_start(today, lag)
    this_month = [(1, TOPICS[4]), (2, TOPICS[5]), (3, TOPICS[0])]
    if lag:
        this_month = [(26, TOPICS[4]), (27, TOPICS[5]), (28, TOPICS[0])]

    def record(day, topic, present):
        title, form, functions = topic
        return sessions.record(
            actor=supervisor_user,
            engagement=internal,
            date=current.replace(day=day),
            start_time=dt.time(9, 30),
            duration_minutes=90 if form == "group" else 60,
            form=form,
            functions=functions,
            supervisees=present,
            topics=title,
            notes="围绕督导对象提出的问题开展讨论，明确下一步的学习任务。",
        )

    first, second, third = this_month
    group = record(first[0], first[1], supervisees[1:4])
    for k, person in enumerate(supervisees[1:4]):
        sessions.confirm(actor=users[person.pk], session=group, rating=4 + (k % 2), comment=COMMENTS[k])
    peer = record(second[0], second[1], supervisees[1:3])
    sessions.confirm(actor=users[supervisees[1].pk], session=peer, rating=4)
    sessions.dispute(actor=users[supervisees[2].pk], session=peer, reason="当天我在外参加培训，并未参加本次督导。")
    # The social worker's own session awaits their confirmation (their 工作台 says so).
    record(third[0], third[1], [social_worker.person])

    # Ability assessments: every supervisee at the start, three of them at the end too.
    items = list(policy_value("supervision.competencies", sunshine.jurisdiction))
    for k, person in enumerate(supervisees[:5]):
        start = {item: 2 + (k + i) % 2 for i, item in enumerate(items)}
        assessments.assess(
            actor=supervisor_user,
            engagement=internal,
            supervisee=person,
            year=first_month.year,
            phase="start",
            scores=start,
            assessed_on=first_month.replace(day=5),
        )
        if k < 3 and (today - dt.timedelta(days=1)).year == first_month.year:
            end = {item: min(score + 1 + (i % 2), 5) for i, (item, score) in enumerate(start.items())}
            assessments.assess(
                actor=supervisor_user,
                engagement=internal,
                supervisee=person,
                year=first_month.year,
                phase="end",
                scores=end,
                assessed_on=today - dt.timedelta(days=1),
            )

    # Practice hours: the supervisor's own frontline work, two confirmed, one waiting.
    logs = []
    for back, hours, text in (
        (2, "6.0", "社区长者个案服务"),
        (1, "8.0", "困境儿童家庭探访"),
        (0, "4.5", "社区活动现场服务"),
    ):
        day = max(_month_start(today, back).replace(day=12), first_month)
        day = min(day, today - dt.timedelta(days=1))
        logs.append(practice.log(actor=supervisor_user, organization=sunshine, date=day, hours=hours, description=text))
    for log in logs[:2]:
        practice.confirm(actor=agency_admin, log=log)

    # 3. 馨和 (same district) hires the best-ranked city-pool supervisor, who accepts.
    ranking = matching.candidates(organization=xinhe)
    external = None
    # The best-ranked city-pool supervisor who has no demo login yet, so the
    # external supervisor signs in as someone other than `supervisor`.
    with_login = set(User.objects.exclude(person=None).values_list("person_id", flat=True))
    for candidate in ranking.candidates:
        if candidate.entry.level != Entry.Level.CITY or candidate.entry.person_id in with_login:
            continue
        pool_user = _supervisor_account("pool_supervisor", candidate.entry.person, password)
        xinhe_staff = _staff(xinhe)
        external = engagements.propose(
            actor=xinhe_admin,
            organization=xinhe,
            entry=candidate.entry,
            starts_on=_month_start(today, 1),
            ends_on=min(candidate.entry.expires_on, _month_start(today, 1).replace(year=today.year + 1)),
            hours_per_month=Decimal(6),
            supervisees=xinhe_staff[:4],
            **AGREEMENT,
        )
        external = engagements.accept(actor=pool_user, engagement=external)
        _agree(external, pool_user, xinhe_admin)
        xinhe_users = {p.pk: _account(f"xinhe_sw{n}", p, password) for n, p in enumerate(xinhe_staff[:4], start=1)}
        _sessions_for_month(
            supervisor_user=pool_user,
            engagement=external,
            month=_month_start(today, 1),
            today=today,
            people=xinhe_staff[:4],
            users=xinhe_users,
            plan=[(8, TOPICS[1], 3), (22, TOPICS[3], 1)],
            rng_seed=3,
        )
        break

    coverage.refresh_all()
    made = Session.objects.count()
    return f"{Engagement.objects.count()} engagements, {made} supervision sessions" + (
        "" if external else " (no city-pool supervisor to engage)"
    )


# Logins this part of the demo adds or relies on, printed after the main ones.
LOGINS = [
    ("tongxin_admin", "机构管理员（二七区同心社会工作服务中心：缺少督导，可查看排序的候选督导）"),
    ("xinhe_admin", "机构管理员（金水区馨和社会工作服务中心：外聘市级人才库督导）"),
    ("pool_supervisor", "市级人才库督导（受馨和聘用）"),
    ("sunshine_supervisor2", "阳光社工中心第二名内部督导"),
]
