"""Every number and rule the policy (郑民文〔2018〕22号) leaves to implementers,
with its default. The defaults are loaded as the city's first version of each
parameter; after that the values live in the database, versioned by effective
date and owned by a jurisdiction.

`district_may_override`: the policy lets districts set their own selection and
incentive rules (四(二): 建立健全本级社会工作督导人才选拔机制……并自行制定相应的激励办法).
"""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from .kinds import KINDS, Kind, kind_of


@dataclass(frozen=True)
class Parameter:
    key: str
    label: str
    help: str
    kind: str  # a name in kinds.KINDS: "int", "bool", "choice", "years_by_education", "money", ...
    default: object
    district_may_override: bool
    minimum: int | None = None
    maximum: int | None = None
    # For a "choice": the reference data set its codes come from (directory/reference_data.SIMPLE_MODELS).
    domain: str = ""
    # How the value reads where the kind's own words do not fit, e.g. "1:%(value)s".
    display_template: str = ""

    @property
    def value_kind(self) -> Kind:
        return kind_of(self)


PARAMETERS = [
    Parameter(
        key="selection.nomination_ratio",
        label=_("Nomination ratio (certified social workers per nominee)"),
        help=_("Quota = floor(certified social workers on the snapshot date ÷ this number). Policy 四(三): 1:7."),
        kind="int",
        default=7,
        district_may_override=True,
        minimum=1,
        maximum=1000,
        display_template="1:%(value)s",
    ),
    Parameter(
        key="selection.min_certificate_level",
        label=_("Minimum certificate level for nomination"),
        help=_("The lowest social work certificate a nominee must hold on the snapshot date."),
        kind="choice",
        domain="certificate_levels",
        default="intermediate",
        district_may_override=True,
    ),
    Parameter(
        key="selection.min_frontline_years",
        label=_("Minimum years of frontline social work, by education"),
        help=_("Counted from the start of frontline practice to the round's snapshot date."),
        kind="years_by_education",
        default={"junior_college": 5, "bachelor": 4, "master": 3, "doctorate": 2},
        district_may_override=True,
        minimum=0,
        maximum=50,
    ),
    Parameter(
        key="selection.no_disciplinary_record",
        label=_("Nominees must have no disciplinary record"),
        help=_("When on, a person with a recorded disciplinary action cannot be nominated."),
        kind="bool",
        default=True,
        district_may_override=True,
    ),
    # Each eligibility rule a jurisdiction may switch off (selection/eligibility.py
    # RULES names its switch; the discipline rule's is the parameter above).
    Parameter(
        key="selection.rule.employed_on_snapshot",
        label=_("Check that a nominee was on the unit's staff on the snapshot date"),
        help=_("When off, a nominee need only be on the staff now."),
        kind="bool",
        default=True,
        district_may_override=True,
    ),
    Parameter(
        key="selection.rule.certificate",
        label=_("Check the nominee's certificate level"),
        help=_("When off, the minimum certificate level is not required."),
        kind="bool",
        default=True,
        district_may_override=True,
    ),
    Parameter(
        key="selection.rule.frontline_years",
        label=_("Check the years of frontline social work"),
        help=_("When off, the minimum years by education are not required."),
        kind="bool",
        default=True,
        district_may_override=True,
    ),
    Parameter(
        key="selection.rule.practice",
        label=_("Check that a university teacher nominated directly has social work practice"),
        help=_("When off, a university teacher needs no recorded frontline practice."),
        kind="bool",
        default=True,
        district_may_override=True,
    ),
    # Training and assessment (四(三): 委托第三方……统一培训培养和考核……考核合格的人员进入市级社会工作督导人才库)
    Parameter(
        key="training.programme_target",
        label=_("Target size of the city supervisor programme"),
        help=_("The 百名督导 programme trains this many supervisors."),
        kind="int",
        default=100,
        district_may_override=False,
        minimum=1,
        maximum=100000,
    ),
    Parameter(
        key="training.theory_weight",
        label=_("Weight of the theory score in the overall assessment (%)"),
        help=_("The practice score takes the rest: overall = theory × w + practice × (100 − w), divided by 100."),
        kind="int",
        default=50,
        district_may_override=False,
        minimum=0,
        maximum=100,
    ),
    Parameter(
        key="training.pass_mark",
        label=_("Assessment pass mark"),
        help=_("A trainee passes when the overall score reaches this mark and attendance reaches the minimum share."),
        kind="int",
        default=60,
        district_may_override=False,
        minimum=0,
        maximum=100,
    ),
    Parameter(
        key="training.min_attendance_share",
        label=_("Minimum share of programme hours attended (%)"),
        help=_("Hours attended divided by the hours of all sessions scheduled for the trainee's cohort."),
        kind="int",
        default=80,
        district_may_override=False,
        minimum=0,
        maximum=100,
    ),
    # 公示 (issue 12): the city's decisions are published before they take effect.
    Parameter(
        key="publicity.enabled",
        label=_("Publish approved nominees and confirmed results (公示) before they take effect"),
        help=_(
            "When on, a trainee or pool entry takes effect only when the public notice period ends with no upheld objection."
        ),
        kind="bool",
        default=True,
        district_may_override=False,
    ),
    Parameter(
        key="publicity.days",
        label=_("Days of a public notice (公示)"),
        help=_("Counted from the day of publication, that day included."),
        kind="day_count",
        default=7,
        district_may_override=False,
        minimum=1,
        maximum=60,
    ),
    Parameter(
        key="publicity.public_page",
        label=_("Show public notices on a public page"),
        help=_("When on, anyone may read running public notices without signing in; when off, only signed-in users."),
        kind="bool",
        default=True,
        district_may_override=False,
    ),
    Parameter(
        key="training.excused_absence_counts",
        label=_("An excused absence (leave) counts as attended"),
        help=_(
            "When on, the hours of a session a trainee was excused from count towards the minimum share "
            "attended; when off, an excused absence counts as any absence."
        ),
        kind="bool",
        default=False,
        district_may_override=False,
    ),
    Parameter(
        key="pools.term_years",
        label=_("Term of a talent pool entry (years)"),
        help=_("An entry expires at the end of its term unless renewed after evaluation."),
        kind="int",
        default=3,
        district_may_override=True,
        minimum=1,
        maximum=20,
    ),
    # Using supervisors (三(二): 督导人才使用; 一: 定期、持续的督导, 行政、教育、支持功能)
    Parameter(
        key="supervision.need_hours",
        label=_("Monthly supervision hours each supervisee should receive, by type"),
        help=_("An agency's need is the sum over its current staff of the hours for each one's type."),
        kind="hours_by_supervisee_type",
        default={"new": 4, "intern": 4, "frontline": 2, "other": 0},
        district_may_override=True,
        minimum=0,
        maximum=100,
    ),
    Parameter(
        key="supervision.max_supervisees",
        label=_("Most supervisees one supervisor carries"),
        help=_("A supervisor carrying this many supervisees across engagements is never proposed again."),
        kind="int",
        default=15,
        district_may_override=True,
        minimum=1,
        maximum=200,
    ),
    Parameter(
        key="supervision.max_hours_per_month",
        label=_("Most agreed supervision hours per supervisor per month"),
        help=_("Spare capacity is this minus the hours agreed in the supervisor's live engagements."),
        kind="int",
        default=40,
        district_may_override=True,
        minimum=1,
        maximum=400,
    ),
    Parameter(
        key="supervision.functions",
        label=_("Functions of supervision"),
        help=_("A recorded session names one or more of these."),
        kind="competency_list",
        default=["行政", "教育", "支持", "项目策划", "资源链接"],
        district_may_override=False,
    ),
    Parameter(
        key="supervision.min_session_minutes",
        label=_("Shortest supervision session (minutes)"),
        help=_("A session shorter than this is refused."),
        kind="int",
        default=15,
        district_may_override=True,
        minimum=1,
        maximum=1440,
    ),
    Parameter(
        key="supervision.max_session_minutes",
        label=_("Longest supervision session (minutes)"),
        help=_("A session longer than this is refused."),
        kind="int",
        default=480,
        district_may_override=True,
        minimum=1,
        maximum=1440,
    ),
    Parameter(
        key="supervision.unconfirmed_flag_days",
        label=_("Days after which an unconfirmed session is flagged to the agency"),
        help=_("Counted from the session date."),
        kind="day_count",
        default=14,
        district_may_override=True,
        minimum=1,
        maximum=365,
    ),
    Parameter(
        key="supervision.min_ratings_shown",
        label=_("Fewest ratings before their average is shown"),
        help=_(
            "Below this many ratings in a period nobody sees the average or the comments, so no rating can be traced to a supervisee."
        ),
        kind="int",
        default=3,
        district_may_override=False,
        minimum=2,
        maximum=100,
    ),
    Parameter(
        key="supervision.competencies",
        label=_("Competency items of the ability assessment"),
        help=_("A supervisor scores each supervisee 1–5 on each item at the start and the end of a period."),
        kind="competency_list",
        default=["专业价值与伦理", "需求评估", "服务计划与实施", "沟通与关系建立", "记录与反思", "资源链接"],
        district_may_override=False,
    ),
    Parameter(
        key="supervision.min_service_hours_per_year",
        label=_("Minimum supervision-service hours per supervisor per year"),
        help=_("Confirmed supervision hours a supervisor should give in a calendar year."),
        kind="int",
        default=60,
        district_may_override=True,
        minimum=0,
        maximum=2000,
    ),
    Parameter(
        key="supervision.min_practice_hours_per_year",
        label=_("Minimum frontline practice hours per supervisor per year"),
        help=_("Confirmed frontline practice hours a supervisor should log in a calendar year."),
        kind="int",
        default=100,
        district_may_override=True,
        minimum=0,
        maximum=2000,
    ),
    Parameter(
        key="supervision.match_weights",
        label=_("Weights of the matching factors"),
        help=_(
            "How much each factor counts when candidates are ranked. The factors are: 领域匹配 (domain fit), "
            "同区优先 (same district), 本市选拔 (selected in the city, for city and district projects), "
            "服务余量 (spare capacity) and 考评等级 (latest evaluation grade)."
        ),
        kind="weight_table",
        default={
            "领域匹配": "35.00",
            "同区优先": "25.00",
            "本市选拔": "10.00",
            "服务余量": "20.00",
            "考评等级": "10.00",
        },
        district_may_override=True,
    ),
    # Subsidies (三(三): 谁使用、谁补贴; 四(二): districts set their own incentive rules)
    Parameter(
        key="subsidies.rate.agency",
        label=_("Subsidy per confirmed supervision hour: agency internal supervisors"),
        help=_("Paid by the using organisation for each confirmed hour, at the rate in force on the session's date."),
        kind="money",
        default="60.00",
        district_may_override=True,
        minimum=0,
        maximum=100000,
    ),
    Parameter(
        key="subsidies.ceiling.agency",
        label=_("Monthly subsidy ceiling per engagement: agency internal supervisors"),
        help=_("A month's statement never exceeds this; the excess is shown as an adjustment line."),
        kind="money",
        default="1200.00",
        district_may_override=True,
        minimum=0,
        maximum=10000000,
    ),
    Parameter(
        key="subsidies.rate.district",
        label=_("Subsidy per confirmed supervision hour: district pool supervisors"),
        help=_("Paid by the using organisation for each confirmed hour, at the rate in force on the session's date."),
        kind="money",
        default="100.00",
        district_may_override=True,
        minimum=0,
        maximum=100000,
    ),
    Parameter(
        key="subsidies.ceiling.district",
        label=_("Monthly subsidy ceiling per engagement: district pool supervisors"),
        help=_("A month's statement never exceeds this; the excess is shown as an adjustment line."),
        kind="money",
        default="2000.00",
        district_may_override=True,
        minimum=0,
        maximum=10000000,
    ),
    Parameter(
        key="subsidies.rate.city",
        label=_("Subsidy per confirmed supervision hour: city pool supervisors"),
        help=_("Paid by the using organisation for each confirmed hour, at the rate in force on the session's date."),
        kind="money",
        default="150.00",
        district_may_override=True,
        minimum=0,
        maximum=100000,
    ),
    Parameter(
        key="subsidies.ceiling.city",
        label=_("Monthly subsidy ceiling per engagement: city pool supervisors"),
        help=_("A month's statement never exceeds this; the excess is shown as an adjustment line."),
        kind="money",
        default="3000.00",
        district_may_override=True,
        minimum=0,
        maximum=10000000,
    ),
    Parameter(
        key="subsidies.supplement.city",
        label=_("Government supplement per confirmed supervision hour: city pool supervisors"),
        help=_("Paid from the pool keeper's budget line, at the keeper's rate in force on the session's date."),
        kind="money",
        default="50.00",
        district_may_override=True,
        minimum=0,
        maximum=100000,
    ),
    Parameter(
        key="subsidies.supplement.district",
        label=_("Government supplement per confirmed supervision hour: district pool supervisors"),
        help=_("Paid from the pool keeper's budget line, at the keeper's rate in force on the session's date."),
        kind="money",
        default="30.00",
        district_may_override=True,
        minimum=0,
        maximum=100000,
    ),
    # Evaluation: scoring and grades (issue 11; policy 三(三)). The indicator weights
    # and their points are the cycle computation's parameters.
    Parameter(
        key="evaluation.party_weights",
        label=_("Weights of the four parties in the party part of an evaluation"),
        help=_(
            "How much each party's score counts: 所在机构 (the supervisor's own agency), 服务机构 (the agencies "
            "served, averaged), 社工协会 (the social work association) and 主管部门 (the authority that owns the "
            "cycle). A party's score is the mean of its ethics, ability and performance scores."
        ),
        kind="weight_table",
        default={"所在机构": "30.00", "服务机构": "30.00", "社工协会": "20.00", "主管部门": "20.00"},
        district_may_override=True,
    ),
    Parameter(
        key="evaluation.party_share",
        label=_("Share of the parties' scores in an evaluation score"),
        help=_("The computed indicators make up the rest of the score."),
        kind="percentage",
        default="60.00",
        district_may_override=True,
    ),
    Parameter(
        key="evaluation.band_excellent",
        label=_("Lowest score graded 优秀 (excellent)"),
        help=_("A score at or above this number is graded 优秀."),
        kind="int",
        default=90,
        district_may_override=True,
        minimum=0,
        maximum=100,
    ),
    Parameter(
        key="evaluation.band_pass",
        label=_("Lowest score graded 合格 (pass)"),
        help=_("A score at or above this number, below the 优秀 band, is graded 合格."),
        kind="int",
        default=75,
        district_may_override=True,
        minimum=0,
        maximum=100,
    ),
    Parameter(
        key="evaluation.band_basic",
        label=_("Lowest score graded 基本合格 (basic pass)"),
        help=_("A score at or above this number, below the 合格 band, is graded 基本合格; below it 不合格."),
        kind="int",
        default=60,
        district_may_override=True,
        minimum=0,
        maximum=100,
    ),
    Parameter(
        key="evaluation.missing_party_weight_shared",
        label=_("Share a missing party's weight among the parties that scored"),
        help=_(
            "When on, a party that did not score is left out and its weight is shared among the others in "
            "proportion to theirs; the result is marked. When off, the missing party counts as 0."
        ),
        kind="bool",
        default=True,
        district_may_override=True,
    ),
    Parameter(
        key="evaluation.hours_cap",
        label=_("Hours below the minimum cap the grade at 基本合格"),
        help=_(
            "When on, a supervisor whose supervision-service or frontline practice hours in the year are below "
            "the minimum is graded at best 基本合格."
        ),
        kind="bool",
        default=True,
        district_may_override=True,
    ),
    Parameter(
        key="evaluation.show_party_comments",
        label=_("Supervisors see each party's comments"),
        help=_("When off, a supervisor sees the scores of their evaluation but not what an individual party wrote."),
        kind="bool",
        default=False,
        district_may_override=True,
    ),
    Parameter(
        key="evaluation.renewal_no_fail",
        label=_("Renewal requires no 不合格 in the term"),
        help=_("When on, an entry graded 不合格 in any published cycle of its term is not proposed for renewal."),
        kind="bool",
        default=True,
        district_may_override=True,
    ),
    Parameter(
        key="evaluation.renewal_min_passes",
        label=_("Renewal requires at least this many grades of 合格 or better in the term"),
        help=_("Counted over the published cycles of the entry's term."),
        kind="int",
        default=1,
        district_may_override=True,
        minimum=0,
        maximum=10,
    ),
    Parameter(
        key="evaluation.renewal_notice_days",
        label=_("Days before the end of a term that renewal is proposed"),
        help=_("Entries whose term ends within this many days are considered for renewal."),
        kind="int",
        default=90,
        district_may_override=True,
        minimum=1,
        maximum=730,
    ),
    Parameter(
        key="evaluation.flag_consecutive",
        label=_("Consecutive grades of 基本合格 or worse that flag a pool entry"),
        help=_(
            "The entry is flagged for its keeper's attention when this many published grades in a row are 基本合格 or 不合格."
        ),
        kind="int",
        default=2,
        district_may_override=True,
        minimum=1,
        maximum=10,
    ),
    # Evaluation: indicators
    Parameter(
        key="evaluation.min_training_hours_per_year",
        label=_("Minimum training hours per supervisor per year"),
        help=_(
            "Hours of training attended (programme sessions and agencies' or districts' own activities) in a calendar year."
        ),
        kind="int",
        default=24,
        district_may_override=True,
        minimum=0,
        maximum=2000,
    ),
    Parameter(
        key="evaluation.indicator_weights",
        label=_("Weights of the evaluation indicators"),
        help=_(
            "How much each indicator counts in the indicator part of the evaluation: 督导服务时数 (supervision "
            "hours), 一线实务时数 (frontline practice hours), 督导对象满意度 (supervisee satisfaction), 能力提升 "
            "(supervisee ability gain), 培训学时 (training hours) and 服务评估结果 (supervisees' service results)."
        ),
        kind="weight_table",
        default={
            "督导服务时数": "20.00",
            "一线实务时数": "20.00",
            "督导对象满意度": "20.00",
            "能力提升": "15.00",
            "培训学时": "10.00",
            "服务评估结果": "15.00",
        },
        district_may_override=True,
    ),
    Parameter(
        key="evaluation.points_without_ratings",
        label=_("Points of an indicator without data"),
        help=_(
            "The points given for supervisee satisfaction when nobody rated the supervisor in the year, "
            "and for service results when none of the supervisees has one."
        ),
        kind="int",
        default=60,
        district_may_override=True,
        minimum=0,
        maximum=100,
    ),
    Parameter(
        key="evaluation.target_ability_gain",
        label=_("Target ability gain, in tenths of a point"),
        help=_(
            "The average gain of the supervisees (end minus start of the year, on the 1–5 scale) that earns "
            "full points, in tenths of a point: 10 means a gain of 1.0."
        ),
        kind="int",
        default=10,
        district_may_override=True,
        minimum=1,
        maximum=40,
    ),
    Parameter(
        key="evaluation.appeal_days",
        label=_("Days to appeal an evaluation result"),
        help=_("Counted from the day the result is published."),
        kind="day_count",
        default=15,
        district_may_override=True,
        minimum=1,
        maximum=365,
    ),
    Parameter(
        key="evaluation.scoring_days",
        label=_("Days the parties have to score, from the opening of a cycle"),
        help=_("The default deadline for party scores offered when a cycle is opened."),
        kind="day_count",
        default=30,
        district_may_override=True,
        minimum=1,
        maximum=365,
    ),
    Parameter(
        key="evaluation.review_days",
        label=_("Days for review after the scoring deadline"),
        help=_("The default review deadline offered when a cycle is opened, counted from the scoring deadline."),
        kind="day_count",
        default=15,
        district_may_override=True,
        minimum=1,
        maximum=365,
    ),
    # Notifications (issue 12): deadline reminders go to whoever still has the matter.
    Parameter(
        key="notifications.reminder_days",
        label=_("Deadline reminders, days before the deadline"),
        help=_(
            "A reminder goes out on each of these days before a deadline (nominations, reviews, evaluation "
            "forms, training scores) to those who have not yet acted; none when the list is empty."
        ),
        kind="day_list",
        default=[3, 1],
        district_may_override=True,
        minimum=0,
        maximum=30,
    ),
]

BY_KEY = {p.key: p for p in PARAMETERS}

for _parameter in PARAMETERS:
    if _parameter.kind not in KINDS:
        raise ValueError(f"{_parameter.key}: unknown kind {_parameter.kind!r}")


def clean_value(parameter: Parameter, value):
    """The canonical stored form of a value, or a ValidationError saying why not."""
    return parameter.value_kind.clean(parameter, value)


def display(parameter: Parameter, value) -> str:
    """A value as a person reads it; a value its kind cannot read (none at
    all, or a shape written around the services) as it is, never an error."""
    if value is None:
        return "—"
    if parameter.display_template:
        return parameter.display_template % {"value": value}
    try:
        return parameter.value_kind.display(parameter, value)
    except (TypeError, ValueError, ArithmeticError, AttributeError):
        return str(value)
