"""Demo of training and the talent pools: the programme's first cohort with
attendance and scores (two pass, one fails on attendance, one on the score),
the city's confirmation, a district pool, internal supervisors, a survey and
the agencies' own training."""

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from dudao.accounts.models import User
from dudao.directory.models import Jurisdiction, Organization, OrganizationType, ServiceDomain
from dudao.pools import services as pools
from dudao.pools.models import Entry
from dudao.selection.models import Round
from dudao.training import services
from dudao.training.models import Programme, Question

from .selection import conclude_publicity


@transaction.atomic
def load() -> str:
    city = Jurisdiction.objects.get(code="410100")
    if Programme.objects.filter(jurisdiction=city).exists():
        return "training demo already loaded"
    round_ = Round.objects.filter(jurisdiction=city).order_by("-year").first()
    if round_ is None or not round_.trainees.exists():
        return "training demo skipped: no trainees"
    city_admin = User.objects.get(username="city_admin")
    trainer_user = User.objects.get(username="trainer")
    trainer = Organization.objects.get(type=OrganizationType.objects.get(code="trainer"))
    today = timezone.localdate()
    domains = {d.code: d for d in ServiceDomain.objects.all()}

    programme = services.create_programme(
        actor=city_admin,
        jurisdiction=city,
        name=f"百名督导人才培养工程（{round_.year}）",
        trainer=trainer,
        starts_on=today - dt.timedelta(days=40),
        ends_on=today + dt.timedelta(days=140),
    )
    modules = [
        services.add_module(
            actor=trainer_user, programme=programme, title="社会工作督导理论", kind="theory", hours=Decimal(4)
        ),
        services.add_module(
            actor=trainer_user,
            programme=programme,
            title="社会工作职业伦理与督导",
            kind="theory",
            hours=Decimal(4),
            is_ethics=True,
        ),
        services.add_module(
            actor=trainer_user,
            programme=programme,
            title="养老服务个案督导实务",
            kind="practice",
            hours=Decimal(4),
            domain=domains["elderly"],
        ),
        services.add_module(
            actor=trainer_user, programme=programme, title="团体督导与朋辈督导", kind="practice", hours=Decimal(4)
        ),
        services.add_module(
            actor=trainer_user,
            programme=programme,
            title="禁毒社会工作督导实务",
            kind="practice",
            hours=Decimal(4),
            domain=domains["drug"],
        ),
    ]
    supervisor = User.objects.get(username="supervisor").person
    trainees = sorted(round_.trainees.select_related("person"), key=lambda t: t.person_id != supervisor.pk)
    cohort = services.create_cohort(
        actor=city_admin, programme=programme, name="第一期", round_=round_, trainees=trainees
    )
    members = list(cohort.members.select_related("trainee__person").order_by("pk"))
    members.sort(key=lambda m: m.trainee.person_id != supervisor.pk)

    sessions = []
    start = timezone.now() - dt.timedelta(days=35)
    for i, module in enumerate(modules):
        sessions.append(
            services.schedule_session(
                actor=trainer_user,
                cohort=cohort,
                module=module,
                starts_at=start + dt.timedelta(days=7 * i),
                location="郑州市社会工作综合服务中心",
            )
        )
    # Sessions attended per member, in order: 5/5, 4/5 (80%), 3/5 (60%), 5/5, and everyone else 5/5.
    attended = [5, 4, 3, 5] + [5] * max(len(members) - 4, 0)
    for index, session in enumerate(sessions):
        present = [m.pk for m, n in zip(members, attended, strict=False) if index < n]
        services.record_attendance(actor=trainer_user, session=session, present_member_ids=present)
    # Scores: passes; passes exactly at the mark; high score but too little attendance; attended but below the mark.
    scores = [(88, 92), (60, 60), (95, 95), (52, 58)] + [(75, 80)] * max(len(members) - 4, 0)
    for member, (theory, practice) in zip(members, scores, strict=False):
        services.record_scores(actor=trainer_user, member=member, theory_score=theory, practice_score=practice)
    services.confirm_results(actor=city_admin, cohort=cohort)
    # The results' 公示 ended with no objection: the passing trainees are in the city pool.
    conclude_publicity(f"cohort:{cohort.pk}", days_ago=9)

    survey = services.create_survey(
        actor=trainer_user,
        programme=programme,
        title="督导培训需求调查",
        questions=[
            {
                "text": "您最希望加强的督导能力是？",
                "kind": Question.Kind.CHOICE,
                "choices": ["个案督导", "团体督导", "行政督导", "情绪支持"],
            },
            {"text": "您对目前培训安排的满意程度", "kind": Question.Kind.SCALE},
            {
                "text": "希望增加的培训领域",
                "kind": Question.Kind.MULTIPLE,
                "choices": ["养老", "医疗", "禁毒", "司法", "学校", "儿童"],
            },
            {"text": "其他建议", "kind": Question.Kind.TEXT},
        ],
    )
    services.send_survey(actor=trainer_user, survey=survey)
    _continuing_programme(city, city_admin, trainer, trainer_user, round_, members, today)
    supervisor_user = User.objects.get(username="supervisor")
    questions = list(survey.questions.all())
    services.submit_response(
        actor=supervisor_user,
        survey=survey,
        answers={
            str(questions[0].pk): "个案督导",
            str(questions[1].pk): 4,
            str(questions[2].pk): ["养老", "禁毒"],
            str(questions[3].pk): "希望增加实地观摩。",
        },
    )

    # 金水区 selects its own supervisors; 阳光 names its internal supervisors.
    jinshui = Jurisdiction.objects.get(code="410105")
    jinshui_admin = User.objects.get(username="jinshui_admin")
    agency_admin = User.objects.get(username="agency_admin")
    sunshine = Organization.objects.get(name="郑州市金水区阳光社会工作服务中心")
    admitted = 0
    for organization in Organization.objects.filter(jurisdiction=jinshui, type__code="agency").order_by("pk"):
        for employment in organization.employments.filter(end_date=None).select_related("person").order_by("person_id"):
            if admitted >= 3:
                break
            if all(r.passed for r in pools.district_rules_check(employment.person, jinshui)):
                pools.admit_to_district_pool(
                    actor=jinshui_admin, person=employment.person, district=jinshui, reason="金水区2026年度督导选拔"
                )
                admitted += 1
    district_entries = list(Entry.objects.filter(level=Entry.Level.DISTRICT).order_by("pk"))
    if len(district_entries) > 1:
        pools.change_status(
            actor=jinshui_admin,
            entry=district_entries[-1],
            to_status=Entry.Status.SUSPENDED,
            reason="年度评价不合格，暂停使用。",
        )

    pools.designate_internal(actor=agency_admin, organization=sunshine, person=supervisor, reason="机构内部督导")
    staff = list(
        sunshine.employments.filter(end_date=None)
        .exclude(person=supervisor)
        .select_related("person")
        .order_by("person_id")[:1]
    )
    for employment in staff:
        pools.designate_internal(actor=agency_admin, organization=sunshine, person=employment.person)

    participants = [
        e.person for e in sunshine.employments.filter(end_date=None).select_related("person").order_by("person_id")[:6]
    ]
    services.record_activity(
        actor=agency_admin,
        organization=sunshine,
        title="社会工作职业伦理专题培训",
        kind="ethics",
        held_on=today - dt.timedelta(days=20),
        hours=Decimal(3),
        participants=participants,
    )
    services.record_activity(
        actor=agency_admin,
        organization=sunshine,
        title="2027年度内部督导培训计划",
        kind="course",
        held_on=today + dt.timedelta(days=60),
        hours=Decimal(12),
        is_plan=True,
    )
    services.record_activity(
        actor=jinshui_admin,
        jurisdiction=jinshui,
        title="赴深圳社会工作督导机构参观学习",
        kind="study_visit",
        held_on=today - dt.timedelta(days=50),
        hours=Decimal(16),
        participants=participants[:3],
    )
    return f"programme with {len(members)} trainees, {Entry.objects.count()} pool entries"


def _continuing_programme(city, city_admin, trainer, trainer_user, round_, members, today) -> None:
    """A follow-up course under way: its first session was held two days ago
    and neither its attendance nor any score is recorded yet (the trainer's
    工作台 says so)."""
    programme = services.create_programme(
        actor=city_admin,
        jurisdiction=city,
        name=f"督导人才继续教育研修班（{round_.year}）",
        trainer=trainer,
        starts_on=today - dt.timedelta(days=5),
        ends_on=today + dt.timedelta(days=60),
    )
    module = services.add_module(
        actor=trainer_user, programme=programme, title="督导案例研讨", kind="practice", hours=Decimal(4)
    )
    cohort = services.create_cohort(
        actor=city_admin,
        programme=programme,
        name="研修一班",
        round_=round_,
        trainees=[m.trainee for m in members[:2]],
    )
    services.schedule_session(
        actor=trainer_user,
        cohort=cohort,
        module=module,
        starts_at=timezone.now() - dt.timedelta(days=2),
        location="郑州市社会工作综合服务中心",
    )
