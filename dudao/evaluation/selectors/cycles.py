"""Reads of evaluation cycles and evaluations, and the indicators of a whole
pool computed from data in a fixed handful of GROUP BY queries.

Readers get only what their scope allows (permissions.reading_nodes): the
cycles and evaluations whose chain (the owner's) lies in their jurisdiction."""

import datetime as dt
from decimal import Decimal

from django.db import connection
from django.db.models import Count, Q, Sum
from django.utils import timezone

from dudao.core.scoping import nodes_q
from dudao.directory.models import Person
from dudao.policy.selectors import resolve_many
from dudao.pools.models import Entry
from dudao.supervision.models import Engagement, SupervisorYear
from dudao.training.models import Activity
from dudao.training.models import Attendance as TrainingAttendance

from .. import indicators as ind
from .. import permissions
from ..models import Cycle, Evaluation, Grade, ServiceResult

POLICY_KEYS = [*ind.POLICY_KEYS, "supervision.min_ratings_shown"]


def _none(model):
    return model.objects.none()


def cycles_for(user):
    q = nodes_q(permissions.reading_nodes(user))
    if q is None:
        return _none(Cycle)
    return Cycle.objects.filter(q).select_related("owner")


def evaluations_for(user, cycle=None):
    q = nodes_q(permissions.reading_nodes(user))
    if q is None:
        return _none(Evaluation)
    qs = Evaluation.objects.filter(q)
    if cycle is not None:
        qs = qs.filter(cycle=cycle)
    return qs.select_related("cycle", "person", "home_organization", "entry")


def result_read(evaluation) -> bool:
    """Whether the readers of evaluations (HR&SS, the city, a district) see its
    score, grade and working: once published; under review they are the owner's."""
    return evaluation.status == Evaluation.Status.PUBLISHED and evaluation.score is not None


def service_results_for(user):
    """Results of the staff of the agencies the user runs, or of people employed in its jurisdiction."""
    orgs = permissions.result_org_ids(user)
    q = nodes_q(permissions.result_nodes(user), "person__")
    read_q = nodes_q(permissions.reading_nodes(user), "person__")
    terms = [t for t in (Q(organization_id__in=orgs) if orgs else None, q, read_q) if t is not None]
    if not terms:
        return _none(ServiceResult)
    combined = terms[0]
    for term in terms[1:]:
        combined |= term
    return ServiceResult.objects.filter(combined).select_related("person", "organization")


# --- the computation ---------------------------------------------------------------------


def year_range(year: int) -> tuple[dt.date, dt.date]:
    return dt.date(year, 1, 1), dt.date(year, 12, 31)


def policy_date(year: int) -> dt.date:
    """The day whose policy applies to a year: its last day once over, else today."""
    today = timezone.localdate()
    return min(dt.date(year, 12, 31), today)


def cycle_policy(cycle: Cycle) -> dict:
    found = resolve_many(POLICY_KEYS, cycle.owner, policy_date(cycle.year))
    return {key: found[key][0] for key in POLICY_KEYS}


def pool_entries(cycle: Cycle):
    """The supervisors active in the cycle's pool on the cycle's date: status
    active, admitted by then and with a term reaching into the year."""
    start, _end = year_range(cycle.year)
    return Entry.objects.filter(
        level=cycle.level,
        jurisdiction_id=cycle.owner_id,
        status=Entry.Status.ACTIVE,
        admitted_on__lte=policy_date(cycle.year),
        expires_on__gte=start,
    ).order_by("pk")


# What the evaluation reads of a supervisor's year (supervision.models.SupervisorYear).
YEAR_FIELDS = (
    "supervisor_id",
    "service_minutes",
    "practice_hours",
    "ratings",
    "rating_total",
    "assessed",
    "gain_total",
)


def empty_indicators() -> dict:
    return {
        ind.SERVICE_HOURS: "0.00",
        ind.PRACTICE_HOURS: "0.00",
        ind.SATISFACTION: None,
        "ratings": 0,
        ind.ABILITY_GAIN: None,
        "assessed": 0,
        ind.TRAINING_HOURS: "0.00",
        ind.SERVICE_RESULTS: None,
        "service_results_count": 0,
    }


def _text(value) -> str | None:
    # + 0: a gain that rounds to zero from below is "0.00", as PostgreSQL writes it, not "-0.00".
    return None if value is None else str(ind.q(value) + 0)


def pool_indicators(cycle: Cycle, policy: dict) -> dict:
    """{person_id: indicators} for every supervisor of the pool with any data,
    in five queries whatever the pool's size: the pool's members, then four
    aggregates, each filtered to the pool by a subquery, not by a list of ids."""
    start, end = year_range(cycle.year)
    people = pool_entries(cycle).order_by().values("person_id")
    members = set(people.values_list("person_id", flat=True))
    out: dict = {}

    def put(person_id, key, val):
        if person_id in members:
            out.setdefault(person_id, empty_indicators())[key] = val

    # 1–4. Confirmed supervision-service hours, confirmed frontline practice hours, the ratings
    # and the ability gain, from the sums kept per supervisor and year (supervision.services.years):
    # one row per supervisor instead of every session, log, rating and assessment of the year.
    # Satisfaction is an aggregate only: below the fewest ratings shown the average is withheld
    # (as everywhere), so that no single rating can be traced, and reads as without ratings.
    # The ability gain is averaged over the supervisees assessed at both ends under one engagement.
    min_shown = int(policy["supervision.min_ratings_shown"])
    for pid, minutes, hours, count, total, assessed, gains in (
        SupervisorYear.objects.filter(supervisor_id__in=people, year=cycle.year).values_list(*YEAR_FIELDS).order_by()
    ):
        if pid in members:
            out.setdefault(pid, empty_indicators()).update(
                {
                    ind.SERVICE_HOURS: _text(Decimal(minutes) / 60),
                    ind.PRACTICE_HOURS: _text(hours),
                    "ratings": count,
                    ind.SATISFACTION: _text(Decimal(total) / count) if count and count >= min_shown else None,
                    "assessed": assessed,
                    ind.ABILITY_GAIN: _text(gains / assessed) if assessed else None,
                }
            )
    # 5. Training hours: sessions of the city's programmes attended, and the agencies' and districts' own activities.
    training: dict = {}
    for source in _training(start, end, people):
        for pid, hours in source:
            training[pid] = training.get(pid, Decimal(0)) + (hours or 0)
    for pid, hours in training.items():
        put(pid, ind.TRAINING_HOURS, _text(hours))
    # 6. Service results of the people each supervisor supervised in the year: those their engagements in
    # effect that year covered (named supervisees, or the agency's staff when it covers all), each once.
    # Engagements, not attendances: attendances are twice the sessions, and reading them would cost more
    # than the whole computation may (issue 11 item 7); driven from the year's results.
    for pid, count, average in _service_results(cycle.year, start, end, people):
        put(pid, "service_results_count", count)
        put(pid, ind.SERVICE_RESULTS, _text(average))
    return out


def _service_results_sql(year, start, end, people, persons=None) -> tuple[str, list]:
    """(sql, params) of (supervisor id, count, average) of the service results of
    the people each supervisor in `people` (a subquery) supervised in the year;
    only of supervisors whose person id is in `persons` (lowest, highest) if given."""
    engagement = Engagement._meta.db_table
    named = Engagement.supervisees.through._meta.db_table
    person = Person._meta.db_table
    result = ServiceResult._meta.db_table
    people_sql, people_params = people.query.sql_with_params()
    in_year = "e.status IN (%s, %s) AND e.starts_on <= %s AND e.ends_on >= %s AND e.supervisor_id IN ({people})"
    in_year = in_year.format(people=people_sql)
    if persons:
        in_year += " AND e.supervisor_id BETWEEN %s AND %s"
        people_params = [*people_params, *persons]
    if connection.vendor == "postgresql":
        # Each pair looks its result up by index: PostgreSQL otherwise hashes every result of
        # the year, once for each batch of a pool's computation. A person has one result a
        # year (one_service_result_per_year); the LIMIT keeps the planner from flattening the
        # lookup back into that hash join. (SQLite has no LATERAL.)
        results = (
            f"CROSS JOIN LATERAL (SELECT score FROM {result} WHERE person_id = pairs.person_id AND year = %s LIMIT 1) r"
        )
    else:
        results = f"JOIN {result} r ON r.person_id = pairs.person_id AND r.year = %s"
    sql = f"""
        SELECT pairs.supervisor_id, COUNT(*), AVG(r.score)
        FROM (
            SELECT e.supervisor_id AS supervisor_id, n.person_id AS person_id
            FROM {engagement} e JOIN {named} n ON n.engagement_id = e.id
            WHERE {in_year} AND NOT e.covers_all_staff
            UNION
            SELECT e.supervisor_id, p.id
            FROM {engagement} e JOIN {person} p ON p.employer_id = e.organization_id AND p.employed
            WHERE {in_year} AND e.covers_all_staff AND p.id <> e.supervisor_id
        ) pairs
        {results}
        GROUP BY pairs.supervisor_id
    """
    adapt = connection.ops.adapt_datefield_value
    terms = [Engagement.Status.ACTIVE, Engagement.Status.ENDED, adapt(end), adapt(start), *people_params]
    return sql, [*terms, *terms, year]


def _service_results(year, start, end, people):
    sql, params = _service_results_sql(year, start, end, people)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [(pid, count, Decimal(str(avg)) if avg is not None else None) for pid, count, avg in cursor.fetchall()]


def _training(start, end, people):
    """Two querysets of (person id, hours): the city's programme sessions attended and the activities taken part in."""
    through = Activity.participants.through
    return (
        TrainingAttendance.objects.filter(
            present=True,
            member__trainee__person_id__in=people,
            session__starts_at__date__range=(start, end),
        )
        .values_list("member__trainee__person_id")
        .annotate(h=Sum("session__hours"))
        .order_by(),
        through.objects.filter(person_id__in=people, activity__is_plan=False, activity__held_on__range=(start, end))
        .values_list("person_id")
        .annotate(h=Sum("activity__hours"))
        .order_by(),
    )


# The columns of pool_figures_sql, each indicator's value as numeric with two places (NULL for none).
FIGURE_COLUMNS = {
    ind.SERVICE_HOURS: "service_hours",
    ind.PRACTICE_HOURS: "practice_hours",
    ind.SATISFACTION: "satisfaction",
    "ratings": "ratings",
    ind.ABILITY_GAIN: "ability_gain",
    "assessed": "assessed",
    ind.TRAINING_HOURS: "training_hours",
    ind.SERVICE_RESULTS: "service_results",
    "service_results_count": "service_results_count",
}


def pool_figures_sql(cycle: Cycle, policy: dict, entries, persons: tuple[int, int] | None = None) -> tuple[str, list]:
    """(sql, params) of one row per entry of `entries` (a queryset of the
    cycle's pool entries): entry_id, person_id, employer_id and the FIGURE_COLUMNS,
    the same figures as pool_indicators reads, computed inside PostgreSQL from
    the same queries, so that a whole pool's computation never carries its rows
    through Python (issue 11 item 7).

    With `persons` (lowest, highest person id) only those supervisors, and every
    source is read by that range as well: PostgreSQL does not carry a range
    through the `IN (people)` subquery, so a batch would otherwise read the
    sources of the whole pool."""
    start, end = year_range(cycle.year)

    def within(queryset, field):
        return queryset.filter(**{f"{field}__range": persons}) if persons else queryset

    entries = within(entries, "person__id")
    people = entries.order_by().values("person_id")

    def sub(queryset) -> tuple[str, list]:
        sql, params = queryset.query.sql_with_params()
        return sql, list(params)

    entries_sql, entries_params = sub(entries.order_by().values_list("pk", "person_id"))
    # The employer by an explicit range as well: a join carries no range from one side to the
    # other, and a merge join would read the people from the first id up to the batch's.
    person = Person._meta.db_table
    person_range, person_params = ("AND pe.id BETWEEN %s AND %s", list(persons)) if persons else ("", [])
    years_sql, years_params = sub(
        within(SupervisorYear.objects.filter(supervisor_id__in=people, year=cycle.year), "supervisor__id")
        .values_list(*YEAR_FIELDS)
        .order_by()
    )
    attended, activities = _training(start, end, people)
    attended_sql, attended_params = sub(within(attended, "member__trainee__person__id"))
    activities_sql, activities_params = sub(within(activities, "person__id"))
    results_sql, results_params = _service_results_sql(cycle.year, start, end, people, persons)
    min_shown = int(policy["supervision.min_ratings_shown"])
    sql = f"""
        SELECT en.entry_id, en.person_id, pe.employer_id,
            round(coalesce(sy.minutes, 0)::numeric / 60, 2) AS service_hours,
            round(coalesce(sy.hours, 0)::numeric, 2) AS practice_hours,
            CASE WHEN sy.ratings > 0 AND sy.ratings >= %s THEN round(sy.total::numeric / sy.ratings, 2) END
                AS satisfaction,
            coalesce(sy.ratings, 0) AS ratings,
            CASE WHEN sy.assessed > 0 THEN round(sy.gains / sy.assessed, 2) END AS ability_gain,
            coalesce(sy.assessed, 0) AS assessed,
            round(coalesce(tr.hours, 0)::numeric, 2) AS training_hours,
            round(sr.average::numeric, 2) AS service_results,
            coalesce(sr.n, 0) AS service_results_count
        FROM ({entries_sql}) en (entry_id, person_id)
        JOIN {person} pe ON pe.id = en.person_id {person_range}
        LEFT JOIN ({years_sql}) sy (supervisor_id, minutes, hours, ratings, total, assessed, gains)
            ON sy.supervisor_id = en.person_id
        LEFT JOIN (
            SELECT t.person_id, sum(t.hours) AS hours
            FROM (({attended_sql}) UNION ALL ({activities_sql})) t (person_id, hours)
            GROUP BY t.person_id
        ) tr ON tr.person_id = en.person_id
        LEFT JOIN ({results_sql}) sr (supervisor_id, n, average) ON sr.supervisor_id = en.person_id
    """
    params = [
        min_shown,
        *entries_params,
        *person_params,
        *years_params,
        *attended_params,
        *activities_params,
        *results_params,
    ]
    return sql, params


# --- HR&SS: grade distributions ----------------------------------------------------------

GRADES = [g.value for g in Grade]


def grade_distribution(user, *, year: int | None = None):
    """Published grades in the user's scope, counted per district and per agency
    (the supervisor's home agency and its district: a city pool's supervisors
    come from every district) and per pool level."""
    qs = evaluations_for(user).filter(status=Evaluation.Status.PUBLISHED).exclude(grade="")
    if year:
        qs = qs.filter(cycle__year=year)

    def table(*fields):
        rows: dict = {}
        for row in qs.values(*fields, "grade").annotate(n=Count("id")).order_by(*fields):
            key = tuple(row[f] for f in fields)
            line = rows.setdefault(key, dict.fromkeys(GRADES, 0))
            line[row["grade"]] = row["n"]
        return [
            {"key": key, "counts": [line[g] for g in GRADES], "total": sum(line.values())} for key, line in rows.items()
        ]

    return {
        "grades": GRADES,
        # The supervisor's district is their home agency's; rows keyed by id, so
        # that two agencies of one name stay apart.
        "by_district": table("home_organization__jurisdiction_id", "home_organization__jurisdiction__name"),
        "by_agency": table("home_organization_id", "home_organization__name"),
        "by_level": table("cycle__level"),
    }
