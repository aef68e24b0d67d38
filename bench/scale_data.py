"""A province-sized data set for bench/scale.py, in a PostgreSQL database of its own.

    .venv/bin/python bench/scale_data.py --people 1000000 [--sessions 10000000]

The database is `dudao_scale_<people>` on the server named by
BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/dudao_scale_{people};
`{people}` is replaced by the size). It is created when missing, migrated, given
the reference data and the policy defaults, then filled through PostgreSQL's
COPY with, per N people:

- N/250 organisations across the city's districts (mostly social work agencies);
- N people with valid, unique ID numbers, encrypted at rest exactly as the
  application stores them (AES-GCM under the current DUDAO_DATA_KEYS key, with
  the blind indexes beside), 9 in 10 with a phone number; their stored employer
  and scope chain (dudao.core.scoping) filled as directory.scoping.derive would:
  about 95 % employed, 4.5 % between jobs, 0.5 % never employed; one in ten has
  an earlier employment too;
- certificates for about two thirds, one or two service domains each;
- three yearly nomination rounds with N/100 nominations each, in every status,
  the approved ones trainees of the year's cohorts of the 百名督导 programme;
- N/20 pool entries (city, district and agency pools, mostly active);
- two training activities per organisation, with a few participants;
- three logins for the benchmark: bench_city (city admin), bench_district
  (金水区 district admin) and bench_agency (administrator of an agency in 金水区),
  password BENCH_PASSWORD below;
- then supervision (bench/supervision_data.py): engagements, S sessions with
  their attendances and ratings (S = 10 × N unless --sessions), sign-offs,
  practice logs, coverage rows and three more logins.

Rows are generated deterministically (seeded by N). Secondary indexes are
dropped during the load and rebuilt after it, foreign key triggers are off
during COPY (the generator keeps the references right), then VACUUM ANALYZE.
A marker table records what was built: running again for the same size and
generator version does nothing (but build the supervision part when it is
missing or was built for another session count); a half-built database (an interrupted run) is
dropped and built again.
"""

import argparse
import base64
import datetime as dt
import hashlib
import hmac
import io
import json
import os
import random
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# Bump when the generated rows change: a database built by another version is rebuilt.
GENERATOR_VERSION = 1
BENCH_PASSWORD = "Bench@2026-scale"
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/dudao_scale_{people}"
MARKER = "bench_scale_info"

SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段雷钱汤尹黎易常武乔贺赖龚文"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉萍红娥玲芬燕彩春菊兰凤洁梅琳素云莲真环雪荣爱妹香月莺媛瑞凡佳嘉琼勤珍贞莉桂娣叶璧璐娅琦晶妍茜秋珊莎锦黛青倩婷姣婉娴瑾颖露瑶怡婵雁蓓纨仪荷丹蓉眉君琴蕊薇菁梦岚苑婕馨瑗琰韵融园艺咏卿聪澜纯毓悦昭冰爽琬茗羽希宁欣飘育滢馥筠柔竹霭凝晓欢霄枫芸菲寒伊亚宜可姬舒影荔枝思丽浩宇博文子轩晨阳志远俊杰"
MAJORS = ["社会工作", "社会工作", "社会工作", "社会学", "心理学", "公共事业管理", "护理学", "教育学"]


def database_url(people: int) -> str:
    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
    return url.replace("{people}", str(people))


def split_url(url: str) -> tuple[str, str]:
    """(the URL of the server's `postgres` database, the database name)."""
    parts = urlsplit(url)
    if parts.scheme not in {"postgres", "postgresql"}:
        raise SystemExit(f"BENCH_DATABASE_URL must be a PostgreSQL URL, not {url!r}")
    name = parts.path.lstrip("/")
    if not name:
        raise SystemExit("BENCH_DATABASE_URL names no database")
    return urlunsplit(parts._replace(path="/postgres")), name


# --- the database itself -----------------------------------------------------------


def marker(url: str) -> dict | None:
    """What the marker table says was built there (None: missing or half-built)."""
    import psycopg

    try:
        with psycopg.connect(url, connect_timeout=5) as conn:
            row = conn.execute(
                f"SELECT info FROM {MARKER} WHERE complete ORDER BY id DESC LIMIT 1"  # noqa: S608
            ).fetchone()
    except psycopg.errors.UndefinedTable:
        return None
    except psycopg.OperationalError as exc:
        if "does not exist" in str(exc):
            return None
        raise
    return row[0] if row else None


def ensure_database(url: str, *, fresh: bool) -> None:
    import psycopg
    from psycopg import sql

    admin_url, name = split_url(url)
    with psycopg.connect(admin_url, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists and fresh:
            if not name.startswith("dudao_scale_") and not os.environ.get("BENCH_ALLOW_DROP"):
                raise SystemExit(
                    f"{name} holds an unfinished or other data set; refusing to drop a database not named "
                    "dudao_scale_* (set BENCH_ALLOW_DROP=1 to allow it)"
                )
            print(f"dropping the unfinished {name}")
            conn.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))
            exists = False
        if not exists:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def setup_django(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dudao.settings")
    import django

    django.setup()


# --- COPY ----------------------------------------------------------------------------


def _text(value) -> str:
    if value is None:
        return "\\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, str):
        if "\\" in value or "\t" in value or "\n" in value or "\r" in value:
            value = value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
        return value
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, list | dict):
        return _text(json.dumps(value, ensure_ascii=False))
    return str(value)


class Loader:
    """COPY rows into a model's table. Rows are tuples in the order of
    `columns` (attnames); every other concrete field gets its default, so a
    field added later with a default does not break the generator."""

    def __init__(self, cursor, connection):
        self.cursor, self.connection = cursor, connection
        self.counts: dict[str, int] = {}

    def copy(self, model, columns: list[str], rows, *, table: str | None = None) -> int:
        meta = model._meta
        table = table or meta.db_table
        fields = {f.attname: f for f in meta.concrete_fields} if table == meta.db_table else {}
        extra_cols, extra_vals = [], []
        for attname, field in fields.items():
            if attname in columns:
                continue
            if field.primary_key:
                raise ValueError(f"{table}: give the primary key")
            # A declared default, or what Django stores for a field left empty ("" for text).
            value = field.get_db_prep_save(field.get_default(), self.connection)
            if value is None and not field.null:
                raise ValueError(f"{table}.{field.column} needs a value and has no default: the generator is stale")
            extra_cols.append(field.column)
            extra_vals.append(_text(value))
        names = [fields[c].column if c in fields else c for c in columns] + extra_cols
        tail = ("\t" + "\t".join(extra_vals)) if extra_cols else ""
        statement = f"COPY {table} ({', '.join(names)}) FROM STDIN"
        n = 0
        buffer = io.StringIO()
        with self.cursor.copy(statement) as copy:
            for row in rows:
                buffer.write("\t".join(map(_text, row)))
                buffer.write(tail)
                buffer.write("\n")
                n += 1
                if n % 20000 == 0:
                    copy.write(buffer.getvalue())
                    buffer = io.StringIO()
            copy.write(buffer.getvalue())
        self.counts[table] = self.counts.get(table, 0) + n
        return n


def next_id(cursor, table: str) -> int:
    cursor.execute(f"SELECT COALESCE(MAX(id), 0) + 1 FROM {table}")  # noqa: S608
    return cursor.fetchone()[0]


def fix_sequence(cursor, table: str) -> None:
    cursor.execute(
        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), COALESCE((SELECT MAX(id) FROM {table}), 1))"  # noqa: S608
    )


def secondary_indexes(cursor, tables) -> list[tuple[str, str]]:
    """Indexes that back no constraint (so they can be dropped and made again)."""
    cursor.execute(
        """
        SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
        FROM pg_index i
        WHERE i.indrelid = ANY(%s::regclass[]) AND NOT i.indisprimary
          AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)
        """,
        [list(tables)],
    )
    return cursor.fetchall()


# --- encryption, in batches ------------------------------------------------------------


class Sealer:
    """The application's encryption and blind index (dudao.core.crypto) for
    many values: one cipher object and one HMAC key schedule for all, nonces
    drawn in one call. The output is checked against crypto.decrypt and
    crypto.blind_index on samples."""

    def __init__(self, purpose: str):
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM

        from dudao.core import crypto

        key = crypto.current_key()
        self.crypto, self.purpose = crypto, purpose
        self.aes = AESGCM(key.encryption)
        self.aad = purpose.encode()
        self.prefix = f"{key.kid}$"
        self.mac = hmac.new(key.index, digestmod=hashlib.sha256)
        self.mac_prefix = f"{purpose}\0".encode()

    def seal(self, values: list[str]) -> tuple[list[str], list[str]]:
        nonces = os.urandom(12 * len(values))
        b64, aes, aad, prefix = base64.b64encode, self.aes, self.aad, self.prefix
        sealed, indexes = [], []
        for i, value in enumerate(values):
            raw = value.encode()
            nonce = nonces[12 * i : 12 * i + 12]
            sealed.append(prefix + b64(nonce + aes.encrypt(nonce, raw, aad)).decode())
            mac = self.mac.copy()
            mac.update(self.mac_prefix + raw)
            indexes.append(mac.hexdigest())
        for i in (0, len(values) // 2, len(values) - 1):
            if values:
                assert self.crypto.decrypt(sealed[i], purpose=self.purpose) == values[i]
                assert self.crypto.blind_index(values[i], purpose=self.purpose) == indexes[i]
        return sealed, indexes


# --- the data ------------------------------------------------------------------------------


def id_number(i: int, region: str) -> str:
    """A valid GB 11643 number, unique for every i below 68 * 14,600 * 1000."""
    from dudao.core.validators import id_check_char

    birth = dt.date(1962, 1, 1) + dt.timedelta(days=i % 14600)
    seq = (i // 14600) * 10 + (i % 7)  # unique with the day while i // 14600 < 100
    body = f"{region}{birth:%Y%m%d}{seq:03d}"
    return body + id_check_char(body)


def credit_code(i: int, region: str) -> str:
    from dudao.core.validators import credit_code_check_char

    body = f"52{region}{i:09d}"
    return body + credit_code_check_char(body)


def build(people: int, url: str) -> dict:
    from django.contrib.auth.hashers import make_password
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.db.models import OuterRef, Subquery

    from dudao.accounts.models import Role, RoleAssignment, User
    from dudao.core.scoping import CHAIN_FIELDS
    from dudao.directory.models import (
        Certificate,
        CertificateLevel,
        EducationLevel,
        Employment,
        Jurisdiction,
        Organization,
        OrganizationType,
        Person,
        ServiceDomain,
    )
    from dudao.pools.models import Entry
    from dudao.pools.scoping import refresh_reach
    from dudao.selection.models import Nomination, Round, Trainee
    from dudao.training.models import Activity, Cohort, Member, Programme

    timings = {}
    started = time.perf_counter()

    def lap(what):
        nonlocal started
        now = time.perf_counter()
        timings[what] = round(now - started, 1)
        print(f"  {what}: {timings[what]} s", flush=True)
        started = now

    call_command("migrate", verbosity=0)
    call_command("load_reference_data", verbosity=0)
    call_command("load_policy_defaults", verbosity=0)
    lap("migrate and reference data")

    rng = random.Random(people)
    tz = dt.timezone(dt.timedelta(hours=8))
    now = dt.datetime(2026, 6, 1, 9, 0, tzinfo=tz)
    # 郑州 and its districts, wherever the tree puts them (河南省 sits above).
    city = Jurisdiction.objects.get(code="410100")
    districts = list(Jurisdiction.objects.filter(parent=city, is_active=True).order_by("order", "code"))
    chain_of_j = {j.pk: (j.scope_j0, j.scope_j1, j.scope_j2, j.scope_j3) for j in [city, *districts]}
    region_of_j = {j.pk: (j.code[:6] if j.code[:6].isdigit() else "410100") for j in [city, *districts]}
    org_types = {t.code: t.pk for t in OrganizationType.objects.all()}
    education = [e.pk for e in EducationLevel.objects.order_by("rank")]
    levels = {c.code: c.pk for c in CertificateLevel.objects.all()}
    domains = [d.pk for d in ServiceDomain.objects.order_by("order")]
    jinshui = next((d for d in districts if d.code == "410105"), districts[0])

    big_tables = [
        Organization._meta.db_table,
        Person._meta.db_table,
        Employment._meta.db_table,
        Certificate._meta.db_table,
        Person.service_domains.through._meta.db_table,
        Nomination._meta.db_table,
        Trainee._meta.db_table,
        Entry._meta.db_table,
        Entry.domains.through._meta.db_table,
        Activity._meta.db_table,
        Activity.participants.through._meta.db_table,
    ]

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL synchronous_commit = off")
        cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
        cursor.execute("SET LOCAL session_replication_role = replica")  # no FK triggers during COPY
        loader = Loader(cursor.cursor, connection)
        dropped = secondary_indexes(cursor, big_tables)
        for name, _definition in dropped:
            cursor.execute(f"DROP INDEX {name}")

        # Organisations: N/250 across the districts, ~85 % social work agencies, one trainer.
        n_orgs = max(people // 250, 2 * len(districts))
        org_start = next_id(cursor, Organization._meta.db_table)
        org_ids, org_district, org_chain = [], [], []
        type_cycle = ["agency"] * 17 + ["welfare", "welfare", "university"]

        def org_rows():
            for k in range(n_orgs):
                pk = org_start + k
                district = districts[k % len(districts)]
                kind = "trainer" if k == 0 else type_cycle[k % len(type_cycle)]
                org_ids.append(pk)
                org_district.append(district.pk)
                org_chain.append(chain_of_j[district.pk])
                created = now - dt.timedelta(days=3000 - k % 3000)
                yield (
                    pk,
                    f"郑州市{district.name}{rng.choice(GIVEN)}{rng.choice(GIVEN)}社会工作服务中心{k + 1}号",
                    credit_code(pk, region_of_j[district.pk]),
                    org_types[kind],
                    district.pk,
                    f"{district.name}某路{k % 300 + 1}号",
                    True,
                    *chain_of_j[district.pk],
                    created,
                    created,
                )

        loader.copy(
            Organization,
            [
                "id",
                "name",
                "credit_code",
                "type_id",
                "jurisdiction_id",
                "address",
                "is_active",
                "scope_j0",
                "scope_j1",
                "scope_j2",
                "scope_j3",
                "created_at",
                "updated_at",
            ],
            org_rows(),
        )
        lap(f"{n_orgs} organisations")

        # People, with their employment, certificates and service domains.
        person_start = next_id(cursor, Person._meta.db_table)
        employment_id = next_id(cursor, Employment._meta.db_table)
        certificate_id = next_id(cursor, Certificate._meta.db_table)
        pd_table = Person.service_domains.through._meta.db_table
        pd_id = next_id(cursor, pd_table)
        id_sealer, phone_sealer = Sealer("person.id_number"), Sealer("person.phone")
        employment_rows, certificate_rows, domain_rows = [], [], []
        certified, employer_of = [], {}  # person ids with a certificate; person -> (org index, employed)
        cert_levels = ["assistant"] * 12 + ["intermediate"] * 7 + ["senior"]
        batch = 50000
        seal_seconds = 0.0

        def people_rows():
            nonlocal employment_id, certificate_id, pd_id, seal_seconds
            for first in range(0, people, batch):
                count = min(batch, people - first)
                plans = []
                for i in range(first, first + count):
                    pk = person_start + i
                    roll = rng.random()
                    org = rng.randrange(n_orgs) if roll >= 0.005 else None
                    employed = org is not None and roll >= 0.05
                    region = region_of_j[org_district[org]] if org is not None else "410100"
                    phone = f"1{rng.choice('3578')}{i:09d}" if rng.random() < 0.9 else ""
                    plans.append((pk, i, org, employed, id_number(i, region), phone))
                t = time.perf_counter()
                ids_sealed, ids_hash = id_sealer.seal([p[4] for p in plans])
                phones = [p[5] for p in plans if p[5]]
                phones_sealed, phones_hash = phone_sealer.seal(phones)
                seal_seconds += time.perf_counter() - t
                phone_iter = iter(zip(phones_sealed, phones_hash, strict=True))
                for (pk, i, org, employed, _idn, phone), sealed, digest in zip(
                    plans, ids_sealed, ids_hash, strict=True
                ):
                    phone_sealed, phone_hash = next(phone_iter) if phone else ("", None)
                    created = now - dt.timedelta(days=rng.randrange(2500), seconds=rng.randrange(86400))
                    frontline = dt.date(2008, 1, 1) + dt.timedelta(days=rng.randrange(6000))
                    if org is not None:
                        start = frontline + dt.timedelta(days=rng.randrange(400))
                        if rng.random() < 0.1:  # an earlier job elsewhere
                            earlier = rng.randrange(n_orgs)
                            employment_rows.append(
                                (employment_id, pk, org_ids[earlier], "社工", frontline, start, created, created)
                            )
                            employment_id += 1
                        end = None if employed else start + dt.timedelta(days=200 + rng.randrange(1500))
                        employment_rows.append((employment_id, pk, org_ids[org], "社工", start, end, created, created))
                        employment_id += 1
                        employer_of[pk] = (org, employed)
                        chain = org_chain[org]
                    else:
                        chain = (None, None, None, None)
                    if rng.random() < 2 / 3:
                        level = rng.choice(cert_levels)
                        certificate_rows.append(
                            (
                                certificate_id,
                                pk,
                                levels[level],
                                f"{level[0].upper()}{i:09d}",
                                frontline + dt.timedelta(days=rng.randrange(2000)),
                                created,
                                created,
                            )
                        )
                        certificate_id += 1
                        certified.append(pk)
                    for d in rng.sample(domains, 1 + (rng.random() < 0.5)):
                        domain_rows.append((pd_id, pk, d))
                        pd_id += 1
                    yield (
                        pk,
                        f"{rng.choice(SURNAMES)}{rng.choice(GIVEN)}{rng.choice(GIVEN) if rng.random() < 0.7 else ''}",
                        sealed,
                        digest,
                        rng.choice(education),
                        rng.choice(MAJORS),
                        phone_sealed,
                        phone_hash,
                        frontline,
                        org_ids[org] if org is not None else None,
                        employed,
                        *chain,
                        created,
                        created,
                    )

        loader.copy(
            Person,
            [
                "id",
                "name",
                "id_number",
                "id_number_hash",
                "education_id",
                "major",
                "phone",
                "phone_hash",
                "frontline_since",
                "employer_id",
                "employed",
                "scope_j0",
                "scope_j1",
                "scope_j2",
                "scope_j3",
                "created_at",
                "updated_at",
            ],
            people_rows(),
        )
        timings["encryption (of the above)"] = round(seal_seconds, 1)
        lap(f"{people} people (ID and phone numbers encrypted: {seal_seconds:.1f} s)")
        loader.copy(
            Employment,
            ["id", "person_id", "organization_id", "position", "start_date", "end_date", "created_at", "updated_at"],
            employment_rows,
        )
        loader.copy(
            Certificate,
            ["id", "person_id", "level_id", "number", "issued_on", "created_at", "updated_at"],
            certificate_rows,
        )
        loader.copy(Person, ["id", "person_id", "servicedomain_id"], domain_rows, table=pd_table)
        for rows in (employment_rows, certificate_rows, domain_rows):
            rows.clear()
        lap("employments, certificates, service domains")

        # Logins for the benchmark (the ORM: three rows).
        password = make_password(BENCH_PASSWORD)
        users = {}
        for username, display in (
            ("bench_city", "基准市管理员"),
            ("bench_district", "基准区管理员"),
            ("bench_agency", "基准机构管理员"),
        ):
            users[username] = User.objects.create(username=username, display_name=display, password=password)
        RoleAssignment.objects.create(user=users["bench_city"], role=Role.CITY_ADMIN, jurisdiction=city)
        RoleAssignment.objects.create(user=users["bench_district"], role=Role.DISTRICT_ADMIN, jurisdiction=jinshui)
        agency_index = next(
            k for k in range(1, n_orgs) if org_district[k] == jinshui.pk and type_cycle[k % 20] == "agency"
        )
        RoleAssignment.objects.create(
            user=users["bench_agency"], role=Role.AGENCY_ADMIN, organization_id=org_ids[agency_index]
        )

        # Three yearly rounds of the city's nominations; the approved are trainees.
        trainer_id = org_ids[0]
        rounds = []
        for year in (2024, 2025, 2026):
            closed = year < 2026
            rounds.append(
                Round.objects.create(
                    jurisdiction=city,
                    year=year,
                    title=f"{year}年度郑州市社会工作督导人才培养对象推荐",
                    snapshot_date=dt.date(year, 3, 1),
                    submission_deadline=dt.datetime(year, 4, 30, 17, tzinfo=tz),
                    district_review_deadline=dt.datetime(year, 5, 31, 17, tzinfo=tz),
                    city_review_deadline=dt.datetime(year, 6, 30, 17, tzinfo=tz),
                    closed_at=dt.datetime(year, 7, 1, 9, tzinfo=tz) if closed else None,
                )
            )
        open_statuses = (
            ["draft"] * 20
            + ["district_review"] * 30
            + ["city_review"] * 25
            + ["returned"] * 5
            + ["approved"] * 10
            + ["rejected"] * 10
        )
        closed_statuses = ["approved"] * 15 + ["rejected"] * 75 + ["withdrawn"] * 10
        nomination_id = next_id(cursor, Nomination._meta.db_table)
        trainee_id = next_id(cursor, Trainee._meta.db_table)
        nomination_rows, trainee_rows, trainees_by_round = [], [], {}
        per_round = max(people // 100, 20)
        employed_certified = [pk for pk in certified if employer_of.get(pk, (None, False))[1]]
        for rnd in rounds:
            statuses = closed_statuses if rnd.closed_at else open_statuses
            for pk in rng.sample(employed_certified, min(per_round, len(employed_certified))):
                org = employer_of[pk][0]
                status = rng.choice(statuses)
                direct = rng.random() < 0.05
                submitted = (
                    None if status == "draft" else rnd.submission_deadline - dt.timedelta(days=rng.randrange(30))
                )
                decided = (
                    submitted + dt.timedelta(days=20 + rng.randrange(30))
                    if status in {"approved", "rejected"} and submitted
                    else None
                )
                updated = decided or submitted or (rnd.submission_deadline - dt.timedelta(days=40))
                updated += dt.timedelta(seconds=rng.randrange(86400))
                nomination_rows.append(
                    (
                        nomination_id,
                        rnd.pk,
                        pk,
                        org_ids[org],
                        "direct" if direct else "quota",
                        "high_level_talent" if direct else "",
                        status,
                        "从事一线社会工作服务多年，专业能力突出。",
                        [],
                        submitted,
                        decided,
                        *org_chain[org],
                        updated - dt.timedelta(days=45),
                        updated,
                    )
                )
                if status == "approved":
                    trainee_rows.append((trainee_id, rnd.pk, pk, nomination_id, decided, "", *org_chain[org]))
                    trainees_by_round.setdefault(rnd.pk, []).append(trainee_id)
                    trainee_id += 1
                nomination_id += 1
        loader.copy(
            Nomination,
            [
                "id",
                "round_id",
                "person_id",
                "organization_id",
                "path",
                "category",
                "status",
                "statement",
                "eligibility",
                "submitted_at",
                "decided_at",
                "scope_j0",
                "scope_j1",
                "scope_j2",
                "scope_j3",
                "created_at",
                "updated_at",
            ],
            nomination_rows,
        )
        loader.copy(
            Trainee,
            ["id", "round_id", "person_id", "nomination_id", "since", "person_name", *CHAIN_FIELDS],
            trainee_rows,
        )
        # The trainee list sorts by the name kept on the trainee (selection.models.Trainee).
        Trainee.objects.update(person_name=Subquery(Person.objects.filter(pk=OuterRef("person_id")).values("name")[:1]))
        lap(f"{len(nomination_rows)} nominations, {len(trainee_rows)} trainees")

        # The 百名督导 programme of each year, cohorts of 50 trainees.
        member_rows = []
        member_id = next_id(cursor, Member._meta.db_table)
        for rnd in rounds:
            programme = Programme.objects.create(
                jurisdiction=city,
                name=f"{rnd.year}年度百名督导培养计划",
                trainer_id=trainer_id,
                target_size=100,
                starts_on=dt.date(rnd.year, 9, 1),
                ends_on=dt.date(rnd.year + 1, 8, 31),
            )
            trainees = trainees_by_round.get(rnd.pk, [])
            for c in range(0, len(trainees), 50):
                cohort = Cohort.objects.create(programme=programme, name=f"第{c // 50 + 1}期", round=rnd)
                for t in trainees[c : c + 50]:
                    member_rows.append((member_id, cohort.pk, programme.pk, t))
                    member_id += 1
        loader.copy(Member, ["id", "cohort_id", "programme_id", "trainee_id"], member_rows)
        lap(f"{len(member_rows)} training members")

        # Pool entries: N/20; city 20 %, district 40 %, agency 40 %.
        entry_table = Entry._meta.db_table
        ed_table = Entry.domains.through._meta.db_table
        entry_id, ed_id = next_id(cursor, entry_table), next_id(cursor, ed_table)
        entry_rows, entry_domain_rows, seq = [], [], {}
        alphabet = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
        statuses = ["active"] * 85 + ["suspended"] * 3 + ["retired"] * 5 + ["expired"] * 7
        for pk in rng.sample(employed_certified, min(people // 20, len(employed_certified))):
            org = employer_of[pk][0]
            district = org_district[org]
            roll = rng.random()
            if roll < 0.2:
                level, jurisdiction, organization, chain = "city", city.pk, None, chain_of_j[city.pk]
                prefix = "ZZ-SJ-"
            elif roll < 0.6:
                level, jurisdiction, organization, chain = "district", district, None, chain_of_j[district]
                prefix = f"ZZ-{region_of_j[district]}-"
            else:
                level, jurisdiction, organization, chain = "agency", None, org_ids[org], org_chain[org]
                prefix = f"ZZ-JG{org_ids[org]}-"
            admitted = dt.date(2021, 1, 1) + dt.timedelta(days=rng.randrange(1900))
            prefix += f"{admitted.year}-"
            seq[prefix] = seq.get(prefix, 0) + 1
            created = dt.datetime.combine(admitted, dt.time(10), tzinfo=tz)
            entry_rows.append(
                (
                    entry_id,
                    pk,
                    level,
                    jurisdiction,
                    organization,
                    district,
                    f"{prefix}{seq[prefix]:04d}",
                    "".join(rng.choice(alphabet) for _ in range(16)),
                    admitted,
                    admitted + dt.timedelta(days=3 * 365 - 1),
                    rng.choice(statuses),
                    "基准数据",
                    *chain,
                    created,
                    created,
                )
            )
            entry_domain_rows.append((ed_id, entry_id, rng.choice(domains)))
            entry_id += 1
            ed_id += 1
        loader.copy(
            Entry,
            [
                "id",
                "person_id",
                "level",
                "jurisdiction_id",
                "organization_id",
                "home_district_id",
                "entry_number",
                "verification_code",
                "admitted_on",
                "expires_on",
                "status",
                "source",
                "scope_j0",
                "scope_j1",
                "scope_j2",
                "scope_j3",
                "created_at",
                "updated_at",
            ],
            entry_rows,
        )
        loader.copy(Entry, ["id", "entry_id", "servicedomain_id"], entry_domain_rows, table=ed_table)
        # Who else reads each entry: its home district and its employed person (pools/scoping.py).
        refresh_reach(Entry.objects.all(), person_model=Person, jurisdiction_model=Jurisdiction)
        lap(f"{len(entry_rows)} pool entries")

        # Training activities: two per organisation, five participants each.
        act_table = Activity._meta.db_table
        ap_table = Activity.participants.through._meta.db_table
        act_id, ap_id = next_id(cursor, act_table), next_id(cursor, ap_table)
        act_rows, ap_rows = [], []
        person_ids = range(person_start, person_start + people)
        kinds = ["course", "study_visit", "ethics", "practice", "exchange"]
        for k in range(n_orgs):
            for _ in range(2):
                held = dt.date(2023, 1, 1) + dt.timedelta(days=rng.randrange(1200))
                created = dt.datetime.combine(held, dt.time(9), tzinfo=tz)
                act_rows.append(
                    (
                        act_id,
                        org_ids[k],
                        None,
                        f"{rng.choice(['社区', '养老', '儿童', '伦理'])}服务专题培训",
                        rng.choice(kinds),
                        rng.choice(domains),
                        False,
                        held,
                        "4.0",
                        *org_chain[k],
                        created,
                        created,
                    )
                )
                for person in rng.sample(person_ids, 5):
                    ap_rows.append((ap_id, act_id, person))
                    ap_id += 1
                act_id += 1
        loader.copy(
            Activity,
            [
                "id",
                "organization_id",
                "jurisdiction_id",
                "title",
                "kind",
                "domain_id",
                "is_plan",
                "held_on",
                "hours",
                "scope_j0",
                "scope_j1",
                "scope_j2",
                "scope_j3",
                "created_at",
                "updated_at",
            ],
            act_rows,
        )
        loader.copy(Activity, ["id", "activity_id", "person_id"], ap_rows, table=ap_table)
        lap(f"{len(act_rows)} training activities")

        cursor.execute("SET LOCAL session_replication_role = origin")
        for table in loader.counts:
            fix_sequence(cursor, table)
        for _name, definition in dropped:
            cursor.execute(definition)
        lap(f"{len(dropped)} indexes rebuilt")

    # Outside the transaction: VACUUM sets the visibility map, which index-only scans need.
    connection.ensure_connection()
    with connection.cursor() as cursor:
        for table in sorted({*loader.counts, *big_tables}):
            cursor.execute(f"VACUUM (ANALYZE) {table}")
    lap("vacuum analyze")
    return {"timings": timings, "rows": loader.counts, "organizations": n_orgs}


def ensure(people: int, *, sessions: int | None = None, force: bool = False) -> str:
    """Build the data set for `people` (and `sessions` supervision sessions,
    bench/supervision_data.py) unless it is there already; returns its URL.
    When only the supervision part is missing or was built for another count,
    that part alone is built again."""
    from bench import supervision_data

    sessions = supervision_data.default_sessions(people) if sessions is None else sessions
    url = database_url(people)
    found = None if force else marker(url)
    if found and found.get("people") == people and found.get("generator") == GENERATOR_VERSION:
        # Built already; the schema still follows the code (a new index, say).
        setup_django(url)
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        print(f"{split_url(url)[1]}: {people} people already built ({found.get('seconds')} s), migrated")
        built = found.get("supervision") or {}
        from django.utils import timezone

        # The pages read "this month" and "this year": a set built in another month shows them empty.
        stale = bool(built) and built.get("built_on", "")[:7] != timezone.localdate().isoformat()[:7]
        if stale:
            print(f"  its supervision was built on {built.get('built_on')}, in another month: building it again")
        if sessions and (
            stale or built.get("sessions") != sessions or built.get("version") != supervision_data.SUPERVISION_VERSION
        ):
            print(f"building {sessions} supervision sessions in {split_url(url)[1]}", flush=True)
            t = time.perf_counter()
            report = supervision_data.build(sessions, people=people)
            report["seconds"] = round(time.perf_counter() - t, 1)
            write_marker({**found, "supervision": report})
            print(f"supervision built in {report['seconds']} s: {json.dumps(report['rows'])}")
        elif built:
            print(
                f"  with {built['sessions']} supervision sessions, built on {built['built_on']} ({built['seconds']} s)"
            )
        return url
    ensure_database(url, fresh=True)
    setup_django(url)
    print(f"building {people} people in {split_url(url)[1]}", flush=True)
    t = time.perf_counter()
    report = build(people, url)
    seconds = round(time.perf_counter() - t, 1)
    info = {
        "people": people,
        "generator": GENERATOR_VERSION,
        "seconds": seconds,
        "built_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "load_average": os.getloadavg(),
        **report,
    }
    print(f"built in {seconds} s: {json.dumps(report['rows'])}")
    if sessions:
        print(f"building {sessions} supervision sessions", flush=True)
        t = time.perf_counter()
        info["supervision"] = supervision_data.build(sessions, people=people)
        info["supervision"]["seconds"] = round(time.perf_counter() - t, 1)
        print(f"supervision built in {info['supervision']['seconds']} s: {json.dumps(info['supervision']['rows'])}")
    write_marker(info)
    return url


def write_marker_at(url: str, info: dict) -> None:
    import psycopg

    with psycopg.connect(url) as conn:
        conn.execute(f"INSERT INTO {MARKER} (complete, info) VALUES (true, %s)", [json.dumps(info)])  # noqa: S608


def write_marker(info: dict) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TABLE IF NOT EXISTS {MARKER} (id serial PRIMARY KEY, complete boolean, info jsonb)")
        cursor.execute(f"INSERT INTO {MARKER} (complete, info) VALUES (true, %s)", [json.dumps(info)])  # noqa: S608


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--people", type=int, default=10000)
    parser.add_argument(
        "--sessions",
        type=int,
        help="supervision sessions (default 10 per person: 10,000,000 with 1,000,000 people; 0: none)",
    )
    parser.add_argument("--force", action="store_true", help="rebuild even if the data set is there")
    parser.add_argument(
        "--force-supervision", action="store_true", help="rebuild the supervision part only (bench/supervision_data.py)"
    )
    args = parser.parse_args()
    if args.force_supervision:
        url = database_url(args.people)
        found = marker(url)
        if found:
            write_marker_at(url, {**found, "supervision": None})
    ensure(args.people, sessions=args.sessions, force=args.force)


if __name__ == "__main__":
    main()
