"""Supervision for the national-scale data set (issue 10): engagements, sessions
with their attendances and ratings, monthly sign-offs, practice logs and each
organisation's coverage row, on top of the people bench/scale_data.py built.

    .venv/bin/python bench/scale_data.py --people 1000000 --sessions 10000000

(run through scale_data.py, which calls build() after the people, or alone
when only this part is missing or stale). Per N people and S sessions (S is
10 × N unless --sessions says otherwise, so 1,000,000 people carry 10,000,000
sessions and every size has the same density per organisation):

- every social work agency has 1–3 engagements (an internal one when one of its
  staff is in a pool, the others external from the city pool or its district's
  pool, a supervisor serving at most two agencies); 8 % of them ended early,
  and a few more proposed, declined or withdrawn ones without sessions;
- S sessions over the MONTHS months up to today, spread over the live
  engagements in proportion to the days each month offers; a supervisor's
  sessions never overlap (each lies in its own slot of the day); 1 to 6
  supervisees each, chosen from the staff the engagement covers, typed as
  types.from_employment would (first year at the employer: new);
- the two latest months hold the pending and disputed sessions; the months
  before are signed off (MonthSignOff), 1 % of them reopened;
- a rating for three quarters of the confirmations (the month, the
  engagement, the supervisor and the organisation only, as models.Rating);
- three practice logs a month per engaged supervisor, at their employer;
- one OrganizationCoverage row per organisation with staff for the current
  month (need from the staff's types and the policy defaults, supply from the
  live engagements, hours received this month, staff not covered, shortfall);
- three logins: bench_supervisor (the supervisor with the most sessions),
  bench_sup_agency (administrator of the agency with the most staff among
  those with sessions) and bench_sup_district (administrator of the district
  with the most organisations).

Every denormalised column is what the models' save() writes: the session's
supervisor, organisations and chain are its engagement's (the chain is the
using organisation's), `month` is the first day of `date`, the attendance's date
is its session's, the rating's month, engagement, supervisor and organisation
are its session's, the practice log's chain is its organisation's.

Sessions, attendances and ratings are written by INSERT … SELECT from
generate_series inside PostgreSQL (nothing crosses the socket), ids in date
order as they would be in production; the secondary indexes are dropped
during the load and built again after it.

The density is deliberately high: the people data set has 250 people per
organisation, so with 1–3 engagements per agency each engagement carries about
60 sessions a month (far above real life) to reach S; what each reader's page
reads (one supervisor, one agency, one district) stays the same at every size.
"""

import datetime as dt
import random
import time
from decimal import Decimal

SUPERVISION_VERSION = 1
MONTHS = 24
SESSIONS_PER_PERSON = 10
# A supervisor's day has SLOTS slots of SLOT_MINUTES from 08:00; every duration
# fits in a slot, so two sessions of one supervisor never overlap.
SLOTS = 9
SLOT_MINUTES = 80
DAYS = 28  # days of a month used (every month has them)
# A prime above DAYS * SLOTS: (j * STRIDE + offset) mod (days * SLOTS) is then a
# permutation of a supervisor's slots in a month.
STRIDE = 257
DURATIONS = [45, 60, 60, 75, 60, 30, 80, 50]
MAX_EXTERNAL_ENGAGEMENTS = 2  # per supervisor
LOGINS = ("bench_supervisor", "bench_sup_agency", "bench_sup_district")

FUNCTION_SETS = [
    ["行政", "教育"],
    ["教育", "支持"],
    ["教育"],
    ["支持"],
    ["行政", "教育", "支持"],
    ["项目策划", "资源链接"],
]
TOPICS = [
    "个案工作中的伦理困境",
    "社区需求评估方法",
    "服务计划与目标设定",
    "小组工作带领技巧",
    "记录撰写规范",
    "与服务对象建立专业关系",
    "资源链接与转介",
    "项目成效评估",
    "社工自我照顾与情绪支持",
    "危机介入流程",
    "禁毒社工服务要点",
    "老年人服务中的沟通",
]
NOTES = [
    "",
    "讨论督导对象近期工作中的困惑，明确下阶段学习重点。",
    "回顾上次督导布置的任务完成情况。",
    "",
    "围绕服务记录规范进行示范和练习。",
    "督导对象反映工作压力较大，给予情绪支持。",
]
COMMENTS = ["督导很有帮助", "希望增加案例讨论", "讲解清楚，收获很大", "时间稍短"]
PRACTICE = ["社区个案服务", "小组活动带领", "入户走访", "社区需求调研", "项目活动执行"]


def default_sessions(people: int) -> int:
    return people * SESSIONS_PER_PERSON


def tables():
    from dudao.supervision import models as m

    return [
        m.Attendance._meta.db_table,
        m.Rating._meta.db_table,
        m.MonthSignOff._meta.db_table,
        m.Assessment._meta.db_table,
        m.Session._meta.db_table,
        m.Engagement.supervisees.through._meta.db_table,
        m.Engagement._meta.db_table,
        m.PracticeLog._meta.db_table,
        m.OrganizationCoverage._meta.db_table,
        m.SuperviseeProfile._meta.db_table,
    ]


def add_months(month: dt.date, n: int) -> dt.date:
    y, mo = divmod(month.month - 1 + n, 12)
    return dt.date(month.year + y, mo + 1, 1)


def month_end(month: dt.date) -> dt.date:
    return add_months(month, 1) - dt.timedelta(days=1)


def build(sessions: int, *, people: int, today: dt.date | None = None) -> dict:
    """Replace the supervision rows with a generated set of `sessions` sessions."""
    from django.contrib.auth.hashers import make_password
    from django.db import connection, transaction

    from bench.scale_data import BENCH_PASSWORD, Loader, fix_sequence, next_id, secondary_indexes
    from dudao.accounts.models import Role, RoleAssignment, User
    from dudao.core.scoping import CHAIN_FIELDS
    from dudao.policy.registry import BY_KEY
    from dudao.supervision.models import (
        Engagement,
        MonthSignOff,
        OrganizationCoverage,
        PracticeLog,
        Session,
    )

    timings = {}
    started = time.perf_counter()

    def lap(what):
        nonlocal started
        now = time.perf_counter()
        timings[what] = round(now - started, 1)
        print(f"  {what}: {timings[what]} s", flush=True)
        started = now

    from django.utils import timezone

    # The application's today (Asia/Shanghai): "this month" on the pages.
    today = today or timezone.localdate()
    this_month = today.replace(day=1)
    first_month = add_months(this_month, -(MONTHS - 1))
    # Sessions run to today; the current month offers its days so far.
    months = [add_months(first_month, i) for i in range(MONTHS)]
    days_of = dict.fromkeys(months, DAYS)
    days_of[this_month] = min(DAYS, today.day)
    open_from = add_months(this_month, -1)  # the two latest months are not signed off
    tz = dt.timezone(dt.timedelta(hours=8))
    rng = random.Random(f"supervision-{people}-{sessions}")

    eng_table = Engagement._meta.db_table
    sup_table = Engagement.supervisees.through._meta.db_table
    session_table = Session._meta.db_table
    from dudao.supervision.models import Attendance, Rating

    att_table, rating_table = Attendance._meta.db_table, Rating._meta.db_table

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL synchronous_commit = off")
        cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
        cursor.execute("SET LOCAL work_mem = '256MB'")
        cursor.execute("SET LOCAL session_replication_role = replica")  # no FK triggers during the load
        # CASCADE: rows derived from the sessions (subsidy statement lines) go with them.
        cursor.execute(f"TRUNCATE {', '.join(tables())} CASCADE")
        User.objects.filter(username__in=LOGINS).delete()
        loader = Loader(cursor.cursor, connection)
        dropped = secondary_indexes(cursor, tables())
        for name, _definition in dropped:
            cursor.execute(f"DROP INDEX {name}")
        lap("emptied, indexes dropped")

        # --- what the people data set holds ------------------------------------------
        cursor.execute(
            f"""
            SELECT o.id, o.jurisdiction_id, t.code, {", ".join("o." + c for c in CHAIN_FIELDS)}
            FROM directory_organization o JOIN directory_organizationtype t ON t.id = o.type_id
            WHERE o.is_active ORDER BY o.id
            """
        )
        orgs = {row[0]: {"district": row[1], "type": row[2], "chain": tuple(row[3:7])} for row in cursor.fetchall()}
        cursor.execute("SELECT employer_id, count(*) FROM directory_person WHERE employed GROUP BY 1")
        staff_count = dict(cursor.fetchall())
        cursor.execute(
            """
            SELECT e.id, e.person_id, e.level, e.jurisdiction_id, p.employer_id
            FROM pools_entry e JOIN directory_person p ON p.id = e.person_id
            WHERE e.status = 'active' AND p.employed ORDER BY e.id
            """
        )
        entries = cursor.fetchall()

        # --- engagements ----------------------------------------------------------------
        internal_by_org, external_city, external_by_district = {}, [], {}
        for entry_id, person_id, level, jurisdiction_id, employer_id in entries:
            internal_by_org.setdefault(employer_id, []).append((entry_id, person_id, employer_id))
            if level == "city":
                external_city.append((entry_id, person_id, employer_id))
            elif level == "district":
                external_by_district.setdefault(jurisdiction_id, []).append((entry_id, person_id, employer_id))
        agencies = [pk for pk, o in orgs.items() if o["type"] == "agency" and staff_count.get(pk)]
        internal_people, external_uses = set(), {}
        engagement_rows, engagements = [], []  # engagements: dicts of those that carry sessions
        eng_id = next_id(cursor, eng_table)
        created_base = dt.datetime.combine(first_month - dt.timedelta(days=90), dt.time(10), tzinfo=tz)

        def pick_internal(org):
            choices = [c for c in internal_by_org.get(org, []) if c[1] not in internal_people]
            if not choices:
                return None
            chosen = rng.choice(choices)
            internal_people.add(chosen[1])
            return chosen

        def pick_external(org, *, count_use=True):
            district = orgs[org]["district"]
            for pool in (
                (external_by_district.get(district, []), external_city)
                if rng.random() < 0.5
                else (external_city, external_by_district.get(district, []))
            ):
                for _ in range(8):
                    if not pool:
                        break
                    chosen = pool[rng.randrange(len(pool))]
                    entry_id, person, employer = chosen
                    if employer == org or person in internal_people:
                        continue
                    if count_use:
                        if external_uses.get(person, 0) >= MAX_EXTERNAL_ENGAGEMENTS:
                            continue
                        external_uses[person] = external_uses.get(person, 0) + 1
                    return chosen
            return None

        def engagement_row(org, chosen, kind, status, *, ended_month=None):
            nonlocal eng_id
            entry_id, person, employer = chosen
            starts = first_month - dt.timedelta(days=rng.randrange(0, 60))
            if status in {"proposed", "declined", "withdrawn"}:
                starts = add_months(this_month, 1)
            ends = starts + dt.timedelta(days=3 * 365)
            created = created_base + dt.timedelta(days=rng.randrange(60))
            agreed = status in {"active", "ended"}
            hours = rng.choice([8, 10, 12, 16, 20] if kind == "internal" else [4, 6, 8, 10, 12])
            row = (
                eng_id,
                person,
                entry_id,
                org,
                employer,
                kind,
                status,
                starts,
                ends,
                f"{hours}.0",
                kind == "internal",
                "提升一线社工的专业能力与服务质量",
                "每月督导，集体与个别督导相结合",
                ["行政", "教育", "支持"],
                "督导中涉及的服务对象信息严格保密",
                "按督导协议约定的时数，由使用单位支付督导费用",
                created + dt.timedelta(days=3) if agreed else None,
                created + dt.timedelta(days=4) if agreed else None,
                {} if kind == "internal" else {"basis": "基准数据：按领域匹配和同区优先选定"},
                created + dt.timedelta(days=4) if status in {"active", "ended", "declined"} else None,
                "本月服务时间已满" if status == "declined" else "",
                month_end(ended_month) if ended_month else None,
                "机构服务项目调整，提前结束督导" if ended_month else "",
                *orgs[org]["chain"],
                created,
                created,
            )
            engagement_rows.append(row)
            made = {"id": eng_id, "supervisor": person, "org": org, "home": employer, "kind": kind}
            made["last_month"] = ended_month or this_month
            eng_id += 1
            return made

        for org in agencies:
            n = rng.choice([1, 2, 2, 3])
            chosen = pick_internal(org)
            made = []
            if chosen:
                made.append(engagement_row(org, chosen, "internal", "active"))
            while len(made) < n:
                chosen = pick_external(org)
                if chosen is None:
                    break
                ended = rng.random() < 0.08
                ended_month = add_months(first_month, rng.randrange(3, MONTHS - 2)) if ended else None
                made.append(
                    engagement_row(org, chosen, "external", "ended" if ended else "active", ended_month=ended_month)
                )
            engagements.extend(made)
            roll = rng.random()
            if roll < 0.07:  # an engagement that carries no sessions (yet)
                chosen = pick_external(org, count_use=False)
                if chosen:
                    status = "proposed" if roll < 0.04 else ("declined" if roll < 0.06 else "withdrawn")
                    engagement_row(org, chosen, "external", status)
        eng_columns = [
            "id",
            "supervisor_id",
            "entry_id",
            "organization_id",
            "home_organization_id",
            "kind",
            "status",
            "starts_on",
            "ends_on",
            "hours_per_month",
            "covers_all_staff",
            "goals",
            "frequency",
            "functions",
            "confidentiality",
            "subsidy_basis",
            "agency_confirmed_at",
            "supervisor_confirmed_at",
            "match_explanation",
            "decided_at",
            "decline_reason",
            "ended_on",
            "end_reason",
            *CHAIN_FIELDS,
            "created_at",
            "updated_at",
        ]
        loader.copy(Engagement, eng_columns, engagement_rows)

        # External engagements name 3–12 supervisees among the agency's staff (who
        # were there when the period began, so that every session's supervisee was).
        cursor.execute("CREATE TEMP TABLE bench_ext (id bigint, org bigint, supervisor bigint, n int) ON COMMIT DROP")
        ext = [(e["id"], e["org"], e["supervisor"], rng.randint(3, 12)) for e in engagements if e["kind"] == "external"]
        loader.copy(Engagement, ["id", "org", "supervisor", "n"], ext, table="bench_ext")
        cursor.execute(
            f"""
            INSERT INTO {sup_table} (engagement_id, person_id)
            SELECT x.id, s.id FROM bench_ext x CROSS JOIN LATERAL (
                SELECT p.id FROM directory_person p
                JOIN directory_employment em ON em.person_id = p.id AND em.end_date IS NULL
                     AND em.organization_id = x.org
                WHERE p.employer_id = x.org AND p.employed AND p.id <> x.supervisor AND em.start_date <= %s
                ORDER BY hashint8(p.id * 7 + x.id), p.id LIMIT x.n
            ) s
            """,
            [first_month],
        )
        loader.counts[sup_table] = cursor.rowcount
        # Whom each engagement's sessions may have present: the named supervisees,
        # or every member of staff there since the period began (but the supervisor).
        cursor.execute(
            f"""
            CREATE TEMP TABLE bench_covered ON COMMIT DROP AS
            SELECT engagement_id, person_id, start_date,
                   (row_number() OVER (PARTITION BY engagement_id ORDER BY person_id) - 1)::int AS idx
            FROM (
                SELECT s.engagement_id, s.person_id, em.start_date
                FROM {sup_table} s JOIN {eng_table} e ON e.id = s.engagement_id
                JOIN directory_employment em ON em.person_id = s.person_id AND em.end_date IS NULL
                     AND em.organization_id = e.organization_id
                UNION ALL
                SELECT e.id, p.id, em.start_date
                FROM {eng_table} e
                JOIN directory_person p ON p.employer_id = e.organization_id AND p.employed AND p.id <> e.supervisor_id
                JOIN directory_employment em ON em.person_id = p.id AND em.end_date IS NULL
                     AND em.organization_id = e.organization_id
                WHERE e.covers_all_staff AND em.start_date <= %s
            ) x
            """,
            [first_month],
        )
        cursor.execute("CREATE INDEX ON bench_covered (engagement_id, idx)")
        cursor.execute("ANALYZE bench_covered")
        cursor.execute("SELECT engagement_id, count(*) FROM bench_covered GROUP BY 1")
        covered_count = dict(cursor.fetchall())
        lap(f"{len(engagement_rows)} engagements, {sum(covered_count.values())} supervisee places")

        # --- sessions: cells of (engagement, month), each with its count -------------------
        live = [e for e in engagements if covered_count.get(e["id"])]
        by_supervisor = {}
        for e in live:
            by_supervisor.setdefault(e["supervisor"], []).append(e)
        cells = []
        for person, own in by_supervisor.items():
            for rank, e in enumerate(own):
                for i, m in enumerate(months):
                    if m > e["last_month"] or not days_of[m]:
                        continue
                    offset = (person * 31 + i * 7) % (days_of[m] * SLOTS)
                    cells.append([e, m, i, rank, len(own), offset])
        cells.sort(key=lambda c: (c[1], c[0]["id"]))
        weight = sum(days_of[c[1]] for c in cells)
        if not weight:
            raise SystemExit("no engagement can carry sessions (no pool entries among the agencies' staff?)")
        counts, given = [], 0
        for c in cells:
            exact = sessions * days_of[c[1]] / weight
            counts.append([int(exact), exact - int(exact)])
            given += int(exact)
        for k in sorted(range(len(cells)), key=lambda k: (-counts[k][1], k))[: sessions - given]:
            counts[k][0] += 1
        cell_rows = []
        for cell_id, (c, (n, _frac)) in enumerate(zip(cells, counts, strict=True)):
            e, m, _i, rank, of, offset = c
            capacity = days_of[m] * SLOTS // of
            if n > capacity:
                raise SystemExit(
                    f"{sessions} sessions do not fit: engagement {e['id']} would need {n} in {m:%Y-%m}, its "
                    f"supervisor has {capacity} free slots; build more people or fewer sessions"
                )
            if n:
                cell_rows.append(
                    (
                        cell_id,
                        e["id"],
                        e["supervisor"],
                        e["org"],
                        e["home"],
                        *orgs[e["org"]]["chain"],
                        m,
                        days_of[m],
                        n,
                        rank,
                        of,
                        offset,
                        covered_count[e["id"]],
                    )
                )
        cursor.execute(
            """
            CREATE TEMP TABLE bench_cell (
                cell_id int, engagement_id bigint, supervisor_id bigint, organization_id bigint,
                home_organization_id bigint, scope_j0 bigint, scope_j1 bigint, scope_j2 bigint, scope_j3 bigint,
                month date, days int, n int, rnk int, nsup int, offs int, covered int
            ) ON COMMIT DROP
            """
        )
        cell_columns = [
            "cell_id",
            "engagement_id",
            "supervisor_id",
            "organization_id",
            "home_organization_id",
            *CHAIN_FIELDS,
            "month",
            "days",
            "n",
            "rnk",
            "nsup",
            "offs",
            "covered",
        ]
        loader.copy(Session, cell_columns, cell_rows, table="bench_cell")
        loader.counts.pop("bench_cell", None)
        loader.counts.pop("bench_ext", None)
        lap(f"{len(cell_rows)} engagement-months")

        session_start = next_id(cursor, session_table)

        def sql_array(values):
            return "ARRAY[" + ", ".join("'" + str(v).replace("'", "''") + "'" for v in values) + "]"

        import json

        functions = sql_array(json.dumps(f, ensure_ascii=False) for f in FUNCTION_SETS)
        # h1, h2: two independent hashes of the session's place in its cell.
        cursor.execute(
            f"""
            INSERT INTO {session_table} (
                id, engagement_id, supervisor_id, organization_id, home_organization_id, date, start_time,
                duration_minutes, month, form, functions, topics, notes, status, recorded_by_id,
                scope_j0, scope_j1, scope_j2, scope_j3, created_at, updated_at)
            SELECT %(start)s - 1 + row_number() OVER (ORDER BY date, start_time, cell_id, k),
                   engagement_id, supervisor_id, organization_id, home_organization_id, date, start_time,
                   duration, month, form, functions, topics, notes,
                   CASE WHEN month < %(open_from)s THEN 'confirmed'
                        WHEN date > %(today)s - 14 THEN CASE WHEN h2 %% 100 < 60 THEN 'pending' ELSE 'confirmed' END
                        WHEN h2 %% 1000 < 50 THEN 'pending'
                        WHEN h2 %% 1000 < 65 THEN 'disputed'
                        ELSE 'confirmed' END,
                   NULL, scope_j0, scope_j1, scope_j2, scope_j3,
                   (date + start_time + make_interval(mins => duration + 10)) AT TIME ZONE 'Asia/Shanghai',
                   (date + start_time + make_interval(mins => duration + 10)) AT TIME ZONE 'Asia/Shanghai'
            FROM (
                SELECT c.*,
                       c.month + p / {SLOTS} AS date,
                       time '08:00' + make_interval(mins => {SLOT_MINUTES} * (p %% {SLOTS})) AS start_time,
                       ({sql_array(DURATIONS)}::int[])[1 + h2 %% {len(DURATIONS)}] AS duration,
                       ({functions}::jsonb[])[1 + (h2 / 8) %% {len(FUNCTION_SETS)}] AS functions,
                       ({sql_array(TOPICS)})[1 + (h1 / 100) %% {len(TOPICS)}] AS topics,
                       ({sql_array(NOTES)})[1 + (h1 / 10000) %% {len(NOTES)}] AS notes,
                       CASE WHEN h1 %% 100 < 45 THEN 'individual'
                            WHEN h1 %% 100 < 65 THEN CASE WHEN covered >= 3 THEN 'group'
                                                         WHEN covered = 2 THEN 'peer' ELSE 'individual' END
                            WHEN h1 %% 100 < 75 THEN CASE WHEN covered >= 2 THEN 'peer' ELSE 'individual' END
                            WHEN h1 %% 100 < 87 THEN 'field'
                            ELSE 'remote' END AS form
                FROM (
                    SELECT c.*, k,
                           ((k * c.nsup + c.rnk) * {STRIDE} + c.offs) %% (c.days * {SLOTS}) AS p,
                           (hashint8(c.cell_id::bigint * 1024 + k) & 2147483647)::bigint AS h1,
                           (hashint8(-(c.cell_id::bigint * 1024 + k) - 1) & 2147483647)::bigint AS h2
                    FROM bench_cell c CROSS JOIN LATERAL generate_series(0, c.n - 1) k
                ) c
            ) x
            """,
            {"start": session_start, "open_from": open_from, "today": today},
        )
        n_sessions = cursor.rowcount
        loader.counts[session_table] = n_sessions
        lap(f"{n_sessions} sessions")

        # Attendances: from each session alone (its id picks who and how it went), so
        # that the ratings below are the same rows' without joining them back.
        # The count present follows the form (a group has three or more).
        present = f"""
            FROM {session_table} s
            JOIN (SELECT engagement_id, count(*)::int AS covered FROM bench_covered GROUP BY 1) ec
                 ON ec.engagement_id = s.engagement_id
            CROSS JOIN LATERAL (SELECT (hashint8(s.id * 4) & 2147483647)::bigint AS h) hs
            CROSS JOIN LATERAL generate_series(0, CASE s.form
                WHEN 'group' THEN LEAST(ec.covered, 3 + hs.h %% 4)
                WHEN 'peer' THEN LEAST(ec.covered, 2 + hs.h %% 2)
                WHEN 'field' THEN LEAST(ec.covered, 1 + hs.h %% 2)
                ELSE 1 END - 1) a
            CROSS JOIN LATERAL (SELECT (hashint8(s.id * 8 + a + 1) & 2147483647)::bigint AS ha) ha
            CROSS JOIN LATERAL (SELECT CASE
                WHEN s.status = 'pending' AND (a = 0 OR ha.ha %% 2 = 0) THEN 'pending'
                WHEN s.status = 'disputed' AND a = 0 THEN 'disputed'
                WHEN s.status = 'confirmed' AND a = 0 AND hs.h %% 1000 < 5 THEN 'resolved'
                ELSE 'confirmed' END AS status) st
        """
        acted = "LEAST((s.date + s.start_time + make_interval(days => 1 + (ha.ha / 8 %% 5)::int)) AT TIME ZONE 'Asia/Shanghai', now())"
        rated = "st.status = 'confirmed' AND ha.ha %% 100 < 75"
        cursor.execute(
            f"""
            INSERT INTO {att_table} (session_id, person_id, supervisee_type, date, status, confirmed_at, rated,
                dispute_reason, disputed_at, resolution, resolution_upheld, resolved_by_id, resolved_at)
            SELECT s.id, bc.person_id,
                   CASE WHEN s.date < (bc.start_date + interval '1 year')::date THEN 'new' ELSE 'frontline' END,
                   s.date, st.status,
                   CASE WHEN st.status IN ('confirmed', 'resolved') THEN {acted} END,
                   {rated},
                   CASE WHEN st.status IN ('disputed', 'resolved') THEN '督导时长与实际不符' ELSE '' END,
                   CASE WHEN st.status IN ('disputed', 'resolved') THEN {acted} END,
                   CASE WHEN st.status = 'resolved' THEN '核实督导按记录进行' ELSE '' END,
                   CASE WHEN st.status = 'resolved' THEN true END,
                   NULL,
                   CASE WHEN st.status = 'resolved' THEN {acted} + interval '2 days' END
            {present}
            JOIN bench_covered bc ON bc.engagement_id = s.engagement_id
                 AND bc.idx = ((hs.h / 16) %% ec.covered + a) %% ec.covered
            """,
            [],
        )
        loader.counts[att_table] = cursor.rowcount
        lap(f"{cursor.rowcount} attendances")
        cursor.execute(
            f"""
            INSERT INTO {rating_table} (supervisor_id, engagement_id, organization_id, month, score, comment)
            SELECT s.supervisor_id, s.engagement_id, s.organization_id, s.month,
                   CASE WHEN ha.ha / 128 %% 100 < 45 THEN 5 WHEN ha.ha / 128 %% 100 < 80 THEN 4
                        WHEN ha.ha / 128 %% 100 < 92 THEN 3 WHEN ha.ha / 128 %% 100 < 97 THEN 2 ELSE 1 END,
                   CASE WHEN ha.ha / 16384 %% 100 < 8
                        THEN ({sql_array(COMMENTS)})[1 + (ha.ha / 1048576 %% {len(COMMENTS)})::int] ELSE '' END
            {present}
            WHERE {rated}
            """,
            [],
        )
        loader.counts[rating_table] = cursor.rowcount
        lap(f"{cursor.rowcount} ratings")

        # --- sign-offs: every month before the two latest, 1 % reopened ------------------
        signoff_rows = []
        signoff_id = next_id(cursor, MonthSignOff._meta.db_table)
        for c, (n, _f) in zip(cells, counts, strict=True):
            e, m = c[0], c[1]
            if m >= open_from or not n:
                continue
            signed = dt.datetime.combine(month_end(m) + dt.timedelta(days=5), dt.time(16), tzinfo=tz)
            reopened = rng.random() < 0.01
            signoff_rows.append(
                (
                    signoff_id + len(signoff_rows),
                    e["id"],
                    m,
                    "reopened" if reopened else "signed",
                    signed,
                    signed + dt.timedelta(days=3) if reopened else None,
                    "督导对象对督导记录提出异议，需要复核" if reopened else "",
                )
            )
        loader.copy(
            MonthSignOff,
            ["id", "engagement_id", "month", "status", "signed_at", "reopened_at", "reopen_reason"],
            signoff_rows,
        )
        lap(f"{len(signoff_rows)} monthly sign-offs")

        # --- practice logs: three a month per supervisor, at their employer ----------------
        practice_rows = []
        practice_id = next_id(cursor, PracticeLog._meta.db_table)
        for person, own in sorted(by_supervisor.items()):
            org = own[0]["home"]
            for m in months:
                last = today if m == this_month else month_end(m)
                for _ in range(3):
                    day = m + dt.timedelta(days=rng.randrange((last - m).days + 1))
                    created = dt.datetime.combine(day, dt.time(18), tzinfo=tz)
                    roll = rng.random()
                    status = (
                        ("pending" if roll < 0.5 else "confirmed")
                        if m >= open_from
                        else ("rejected" if roll < 0.05 else "confirmed")
                    )
                    practice_rows.append(
                        (
                            practice_id + len(practice_rows),
                            person,
                            org,
                            day,
                            rng.choice(["2.0", "3.0", "4.0", "4.5", "6.0", "8.0"]),
                            rng.choice(PRACTICE),
                            status,
                            created + dt.timedelta(days=2) if status != "pending" else None,
                            "时长与活动记录不符" if status == "rejected" else "",
                            *orgs[org]["chain"],
                            created,
                            created,
                        )
                    )
        loader.copy(
            PracticeLog,
            [
                "id",
                "supervisor_id",
                "organization_id",
                "date",
                "hours",
                "description",
                "status",
                "decided_at",
                "reject_reason",
                *CHAIN_FIELDS,
                "created_at",
                "updated_at",
            ],
            practice_rows,
        )
        lap(f"{len(practice_rows)} practice logs")

        # --- coverage of the current month, one row per organisation with staff -------------
        need = {k: Decimal(str(v)) for k, v in BY_KEY["supervision.need_hours"].default.items()}
        cursor.execute(
            f"""
            INSERT INTO {OrganizationCoverage._meta.db_table} (
                organization_id, month, staff, need_hours, supply_hours, internal_hours, received_hours,
                uncovered, shortfall, refreshed_at, scope_j0, scope_j1, scope_j2, scope_j3)
            WITH staff AS (
                SELECT p.employer_id AS org, count(*) AS staff,
                       sum(CASE WHEN em.position LIKE '%%实习%%' THEN %(intern)s
                                WHEN %(today)s < (em.start_date + interval '1 year')::date THEN %(new)s
                                ELSE %(frontline)s END) AS need
                FROM directory_person p
                JOIN directory_employment em ON em.person_id = p.id AND em.end_date IS NULL
                     AND em.organization_id = p.employer_id
                WHERE p.employed GROUP BY 1
            ), live AS (
                SELECT * FROM {eng_table}
                WHERE status = 'active' AND starts_on <= %(today)s AND ends_on >= %(today)s
            ), supply AS (
                SELECT organization_id AS org, sum(hours_per_month) AS supply,
                       sum(CASE WHEN kind = 'internal' THEN hours_per_month ELSE 0 END) AS internal,
                       bool_or(covers_all_staff) AS covers_all
                FROM live GROUP BY 1
            ), covered AS (
                SELECT l.organization_id AS org, count(DISTINCT s.person_id) AS n
                FROM live l JOIN {sup_table} s ON s.engagement_id = l.id
                JOIN directory_person p ON p.id = s.person_id AND p.employed AND p.employer_id = l.organization_id
                GROUP BY 1
            ), received AS (
                SELECT organization_id AS org, sum(duration_minutes) / 60.0 AS hours
                FROM {session_table} WHERE month = %(month)s GROUP BY 1
            )
            SELECT o.id, %(month)s, st.staff, st.need, COALESCE(su.supply, 0), COALESCE(su.internal, 0),
                   round(COALESCE(r.hours, 0), 2),
                   CASE WHEN su.covers_all THEN 0 ELSE st.staff - COALESCE(cv.n, 0) END,
                   GREATEST(st.need - COALESCE(su.supply, 0), 0), now(),
                   o.scope_j0, o.scope_j1, o.scope_j2, o.scope_j3
            FROM directory_organization o JOIN staff st ON st.org = o.id
            LEFT JOIN supply su ON su.org = o.id
            LEFT JOIN covered cv ON cv.org = o.id
            LEFT JOIN received r ON r.org = o.id
            ORDER BY o.id
            """,
            {
                "today": today,
                "month": this_month,
                "intern": need["intern"],
                "new": need["new"],
                "frontline": need["frontline"],
            },
        )
        loader.counts[OrganizationCoverage._meta.db_table] = cursor.rowcount
        lap(f"{cursor.rowcount} coverage rows")

        # --- the personas ---------------------------------------------------------------------
        per_supervisor, per_org = {}, {}
        for c, (n, _f) in zip(cells, counts, strict=True):
            per_supervisor[c[0]["supervisor"]] = per_supervisor.get(c[0]["supervisor"], 0) + n
            per_org[c[0]["org"]] = per_org.get(c[0]["org"], 0) + n
        busy = min(per_supervisor, key=lambda p: (-per_supervisor[p], p))
        large = min(per_org, key=lambda o: (-staff_count.get(o, 0), -per_org[o], o))
        per_district = {}
        for pk, o in orgs.items():
            if staff_count.get(pk):
                per_district[o["district"]] = per_district.get(o["district"], 0) + 1
        district = min(per_district, key=lambda d: (-per_district[d], d))
        password = make_password(BENCH_PASSWORD)
        users = {
            username: User.objects.create(username=username, display_name=display, password=password, person_id=person)
            for username, display, person in (
                ("bench_supervisor", "基准督导", busy),
                ("bench_sup_agency", "基准督导机构管理员", None),
                ("bench_sup_district", "基准督导区管理员", None),
            )
        }
        RoleAssignment.objects.create(user=users["bench_supervisor"], role=Role.SUPERVISOR)
        RoleAssignment.objects.create(user=users["bench_sup_agency"], role=Role.AGENCY_ADMIN, organization_id=large)
        RoleAssignment.objects.create(
            user=users["bench_sup_district"], role=Role.DISTRICT_ADMIN, jurisdiction_id=district
        )

        cursor.execute("SET LOCAL session_replication_role = origin")
        for table in (eng_table, sup_table, session_table, att_table, rating_table, *loader.counts):
            if table in tables():
                fix_sequence(cursor, table)
        for _name, definition in dropped:
            cursor.execute(definition)
        lap(f"{len(dropped)} indexes rebuilt")

    connection.ensure_connection()
    with connection.cursor() as cursor:
        for table in tables():
            cursor.execute(f"VACUUM (ANALYZE) {table}")
    lap("vacuum analyze")
    return {
        "version": SUPERVISION_VERSION,
        "sessions": sessions,
        "built_on": today.isoformat(),
        "months": [first_month.isoformat(), this_month.isoformat()],
        "timings": timings,
        "rows": {k: v for k, v in loader.counts.items() if not k.startswith("bench_")},
        "personas": {
            "supervisor_person": busy,
            "supervisor_sessions": per_supervisor[busy],
            "agency": large,
            "agency_staff": staff_count.get(large, 0),
            "agency_sessions": per_org[large],
            "district": district,
            "district_organizations": per_district[district],
        },
    }


# --- checking what was built -------------------------------------------------------------------

CHECKS = {
    # Each counts the rows that break a rule; all must be 0.
    "session columns not its engagement's": """
        SELECT count(*) FROM supervision_session s JOIN supervision_engagement e ON e.id = s.engagement_id
        WHERE s.supervisor_id <> e.supervisor_id OR s.organization_id <> e.organization_id
           OR s.home_organization_id IS DISTINCT FROM e.home_organization_id
           OR s.month <> date_trunc('month', s.date)::date""",
    "chain not the using organisation's": """
        SELECT (SELECT count(*) FROM supervision_session s JOIN directory_organization o ON o.id = s.organization_id
                WHERE (s.scope_j0, s.scope_j1, s.scope_j2, s.scope_j3)
                      IS DISTINCT FROM (o.scope_j0, o.scope_j1, o.scope_j2, o.scope_j3))
             + (SELECT count(*) FROM supervision_engagement s JOIN directory_organization o ON o.id = s.organization_id
                WHERE (s.scope_j0, s.scope_j1, s.scope_j2, s.scope_j3)
                      IS DISTINCT FROM (o.scope_j0, o.scope_j1, o.scope_j2, o.scope_j3))
             + (SELECT count(*) FROM supervision_practicelog s JOIN directory_organization o ON o.id = s.organization_id
                WHERE (s.scope_j0, s.scope_j1, s.scope_j2, s.scope_j3)
                      IS DISTINCT FROM (o.scope_j0, o.scope_j1, o.scope_j2, o.scope_j3))
             + (SELECT count(*) FROM supervision_organizationcoverage s
                JOIN directory_organization o ON o.id = s.organization_id
                WHERE (s.scope_j0, s.scope_j1, s.scope_j2, s.scope_j3)
                      IS DISTINCT FROM (o.scope_j0, o.scope_j1, o.scope_j2, o.scope_j3))""",
    "attendance date not its session's": """
        SELECT count(*) FROM supervision_attendance a JOIN supervision_session s ON s.id = a.session_id
        WHERE a.date <> s.date""",
    "supervisee not covered by the engagement": """
        SELECT count(*) FROM supervision_attendance a JOIN supervision_session s ON s.id = a.session_id
        JOIN supervision_engagement e ON e.id = s.engagement_id
        JOIN directory_person p ON p.id = a.person_id
        WHERE p.employer_id <> e.organization_id OR a.person_id = e.supervisor_id
           OR (NOT e.covers_all_staff AND NOT EXISTS (
                SELECT 1 FROM supervision_engagement_supervisees x
                WHERE x.engagement_id = e.id AND x.person_id = a.person_id))""",
    "overlapping sessions of one supervisor": """
        SELECT count(*) FROM supervision_session a JOIN supervision_session b
          ON a.supervisor_id = b.supervisor_id AND a.date = b.date AND a.id < b.id
         AND a.start_time < b.start_time + make_interval(mins => b.duration_minutes)
         AND b.start_time < a.start_time + make_interval(mins => a.duration_minutes)""",
    "session in the future or outside its engagement": """
        SELECT count(*) FROM supervision_session s JOIN supervision_engagement e ON e.id = s.engagement_id
        WHERE s.date > (now() AT TIME ZONE 'Asia/Shanghai')::date OR s.date < e.starts_on OR s.date > COALESCE(e.ended_on, e.ends_on)""",
    "group session with fewer than two present": """
        SELECT count(*) FROM (SELECT s.id FROM supervision_session s
            LEFT JOIN supervision_attendance a ON a.session_id = s.id
            GROUP BY s.id HAVING count(a.id) < CASE WHEN s.form = 'group' THEN 2 ELSE 1 END) x""",
    "duration outside 15–480 minutes": """
        SELECT count(*) FROM supervision_session WHERE duration_minutes NOT BETWEEN 15 AND 480""",
    "signed-off month with an open session": """
        SELECT count(*) FROM supervision_monthsignoff m JOIN supervision_session s
          ON s.engagement_id = m.engagement_id AND s.month = m.month
        WHERE m.status = 'signed' AND s.status <> 'confirmed'""",
    "ratings not one per rated confirmation": """
        SELECT abs((SELECT count(*) FROM supervision_rating)
                   - (SELECT count(*) FROM supervision_attendance WHERE rated))""",
    "session status not its attendances'": """
        SELECT count(*) FROM supervision_session s JOIN LATERAL (
            SELECT bool_or(a.status = 'disputed') AS disputed, bool_or(a.status = 'pending') AS pending
            FROM supervision_attendance a WHERE a.session_id = s.id) x ON true
        WHERE s.status <> CASE WHEN x.disputed THEN 'disputed' WHEN x.pending THEN 'pending' ELSE 'confirmed' END""",
}


def check(*, sample: int = 20) -> dict:
    """Rule by rule, the rows that break it (all 0 when the data is right), the
    row counts, and a sample of sessions, engagements and practice logs saved
    again through the ORM (in a transaction rolled back): their chains and
    derived columns must be what was generated."""
    from django.db import connection, transaction

    from dudao.supervision.models import Engagement, OrganizationCoverage, PracticeLog, Session

    result = {"violations": {}, "rows": {}, "orm_mismatches": []}
    with connection.cursor() as cursor:
        for rule, sql in CHECKS.items():
            cursor.execute(sql)
            result["violations"][rule] = cursor.fetchone()[0]
        for table in tables():
            cursor.execute(f"SELECT count(*) FROM {table}")  # noqa: S608
            result["rows"][table] = cursor.fetchone()[0]

    def compare(kind, made, generated, fields):
        for name in fields:
            if getattr(made, name) != getattr(generated, name):
                result["orm_mismatches"].append(
                    f"{kind} {generated.pk}: {name} {getattr(generated, name)!r} by the generator, "
                    f"{getattr(made, name)!r} through the ORM"
                )

    chain = ["scope_j0", "scope_j1", "scope_j2", "scope_j3"]

    class Rollback(Exception):
        pass

    try:
        with transaction.atomic():
            # Open months only: a signed-off month refuses new sessions (guard_month_open).
            open_ids = (
                Session.objects.filter(status__in=["pending", "disputed"]).order_by("id").values_list("id", flat=True)
            )
            for s in Session.objects.filter(pk__in=list(open_ids[:sample])).select_related("engagement"):
                e = s.engagement
                made = Session(
                    engagement=e,
                    supervisor=e.supervisor,
                    organization=e.organization,
                    home_organization=e.home_organization,
                    date=s.date,
                    start_time=s.start_time,
                    duration_minutes=s.duration_minutes,
                    form=s.form,
                    functions=s.functions,
                    topics=s.topics,
                )
                made.save()
                compare(
                    "session", made, s, ["supervisor_id", "organization_id", "home_organization_id", "month", *chain]
                )
            for e in Engagement.objects.order_by("id")[:sample]:
                generated = {name: getattr(e, name) for name in chain}
                e.save()
                e.refresh_from_db()
                compare("engagement", e, type("G", (), {"pk": e.pk, **generated})(), chain)
            for log in PracticeLog.objects.order_by("id")[:sample]:
                made = PracticeLog(
                    supervisor_id=log.supervisor_id,
                    organization=log.organization,
                    date=log.date,
                    hours=log.hours,
                    description=log.description,
                )
                made.save()
                compare("practice log", made, log, chain)
            for cov in OrganizationCoverage.objects.order_by("id")[:sample]:
                generated = {name: getattr(cov, name) for name in chain}
                cov.save()
                compare("coverage", cov, type("G", (), {"pk": cov.pk, **generated})(), chain)
            raise Rollback
    except Rollback:
        pass
    return result


def main():
    import argparse
    import json
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from bench.scale_data import database_url, setup_django

    parser = argparse.ArgumentParser(description="Check the supervision rows of a built data set.")
    parser.add_argument("--people", type=int, required=True)
    parser.add_argument("--check", action="store_true", required=True)
    args = parser.parse_args()
    setup_django(database_url(args.people))
    result = check()
    print(json.dumps(result, ensure_ascii=False, indent=2))
    bad = any(result["violations"].values()) or result["orm_mismatches"]
    raise SystemExit(1 if bad else 0)


if __name__ == "__main__":
    main()
