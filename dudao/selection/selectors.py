"""Reads for selection, always through the user's scope."""

from collections import defaultdict
from dataclasses import dataclass
from functools import reduce
from operator import or_

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404

from dudao.core.scoping import nodes_q, path_and_ancestors, scope_for
from dudao.directory.models import Certificate, Employment, Jurisdiction, Organization, Person
from dudao.policy.selectors import value as policy_value
from dudao.policy.selectors import value_by_jurisdiction

from . import eligibility, permissions
from .models import EDITABLE, PLACE_HOLDING, Nomination, Round, Trainee, Transition


def rounds_for(user) -> QuerySet[Round]:
    """Rounds are announcements to every signed-in user of their city: the
    rounds of the jurisdictions above the places the user works in, and of
    those inside a jurisdiction the user reads (a province sees its cities')."""
    scope = scope_for(user)
    places = set(scope.read_paths)
    if scope.org_ids:
        places.update(Organization.objects.filter(pk__in=scope.org_ids).values_list("jurisdiction__path", flat=True))
    if scope.employer_id:
        places.update(Organization.objects.filter(pk=scope.employer_id).values_list("jurisdiction__path", flat=True))
    if not places:
        return Round.objects.none()
    above = {path for place in places for path in path_and_ancestors(place)}
    condition = Q(jurisdiction__path__in=above)
    if (inside := nodes_q(scope.read_nodes, "jurisdiction__")) is not None:
        condition |= inside
    return Round.objects.filter(condition).select_related("jurisdiction")


def round_jurisdiction_for(user) -> Jurisdiction | None:
    """The jurisdiction a round this user opens belongs to: their city."""
    node = permissions.round_home_node(user)
    return Jurisdiction.objects.filter(pk=node.id).first() if node else None


def nominations_for(user) -> QuerySet[Nomination]:
    """Agencies see all their own nominations, drafts included; reviewers and
    read-only roles see the submitted ones in their jurisdiction (a district
    also the drafts of the direct entries it recommends); a nominee sees their
    own once submitted."""
    scope = scope_for(user)
    conditions = []
    if (q := nodes_q(scope.read_nodes)) is not None:
        conditions.append(q & ~Q(status=Nomination.Status.DRAFT))
    if scope.managed_org_ids:
        conditions.append(Q(organization_id__in=scope.managed_org_ids))
    if scope.person_id:
        conditions.append(Q(person_id=scope.person_id) & ~Q(status=Nomination.Status.DRAFT))
    if (q := nodes_q(permissions.district_drafts_nodes(user))) is not None:
        # A district recommends the supervisors it selected itself: it works on those drafts like an agency.
        conditions.append(q & Q(path=Nomination.Path.DIRECT, category=Nomination.Category.DISTRICT_SELECTED))
    if not conditions:
        return Nomination.objects.none()
    return Nomination.objects.filter(reduce(or_, conditions)).select_related(
        "round", "person__education", "organization__jurisdiction", "organization__type"
    )


# Who else reads a trainee, as apps above selection say it (training: the
# trainer commissioned for the trainee's programme). Each is `condition(user)`
# returning a Q over Trainee, or None when it grants the user nothing.
TRAINEE_READERS: list = []


def register_trainee_reader(condition) -> None:
    if condition not in TRAINEE_READERS:
        TRAINEE_READERS.append(condition)


def trainees_for(user) -> QuerySet[Trainee]:
    scope = scope_for(user)
    conditions = [q for reader in TRAINEE_READERS if (q := reader(user)) is not None]
    # The chain is stored on the trainee: a jurisdiction's list is one index range.
    if (q := nodes_q(scope.read_nodes)) is not None:
        conditions.append(q)
    if scope.org_ids:
        conditions.append(Q(nomination__organization_id__in=scope.org_ids))
    if scope.person_id:
        conditions.append(Q(person_id=scope.person_id))
    if not conditions:
        return Trainee.objects.none()
    return Trainee.objects.filter(reduce(or_, conditions)).select_related(
        "round", "person__education", "nomination__organization__jurisdiction"
    )


# --- printed documents (推荐表, round lists) ---------------------------------------------


def eligibility_of(nomination: Nomination, evidence_count: int | None = None) -> list:
    """The eligibility rules as the nomination's page and its 推荐表 show them:
    checked now while the unit may still change it, else as checked at submission."""
    if nomination.status in EDITABLE:
        if evidence_count is None:
            evidence_count = nomination.evidence.count()
        return checked_eligibility(
            nomination.round,
            nomination.person,
            nomination.organization,
            nomination.path,
            nomination.category,
            evidence_count,
        )
    return [eligibility.RuleResult(**r) for r in nomination.eligibility]


def nomination_form(user, pk) -> Nomination:
    """A nomination the user can see, with what its 推荐表 prints: the
    nominee's certificates and the transitions with their actors."""
    return get_object_or_404(
        nominations_for(user).prefetch_related(
            Prefetch(
                "person__certificates", queryset=Certificate.objects.select_related("level").order_by("issued_on")
            ),
            Prefetch("transitions", queryset=Transition.objects.select_related("actor")),
        ),
        pk=pk,
    )


LISTED_OUT = (Nomination.Status.DRAFT, Nomination.Status.WITHDRAWN)


def round_list(user, round_: Round, district: Jurisdiction | None = None) -> QuerySet[Nomination]:
    """A round's list as printed: its submitted nominations the user can see
    (drafts and withdrawn ones left out), by district, unit and name; only
    those of units in `district` when given."""
    queryset = nominations_for(user).filter(round=round_).exclude(status__in=LISTED_OUT)
    if district is not None:
        queryset = queryset.filter(organization__jurisdiction=district)
    return queryset.order_by(
        "organization__jurisdiction__order",
        "organization__jurisdiction__path",
        "organization__name",
        "person__name",
        "pk",
    )


def round_list_districts(user, round_: Round) -> list[Jurisdiction]:
    """The districts (the jurisdictions of the nominating units) the user has
    a list of in this round, in the city's order."""
    ids = round_list(user, round_).order_by().values("organization__jurisdiction").distinct()
    return list(Jurisdiction.objects.filter(pk__in=ids).order_by("order", "path"))


def certified_employments(round_: Round) -> QuerySet[Employment]:
    """Employments current on the snapshot date of people holding a certificate
    obtained by then: the policy's certified social workers of each unit."""
    on = round_.snapshot_date
    return (
        Employment.objects.filter(start_date__lte=on)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=on))
        .filter(Exists(Certificate.objects.filter(person_id=OuterRef("person_id"), issued_on__lte=on)))
    )


@dataclass(frozen=True)
class Quota:
    certified: int
    ratio: int
    quota: int
    used: int

    @property
    def remaining(self) -> int:
        return max(self.quota - self.used, 0)


def quota_of(certified: int, ratio) -> int:
    """Policy 四(三): one nomination per `ratio` certified social workers, rounded down."""
    return certified // int(ratio)


def quota_for(round_: Round, organization: Organization) -> Quota:
    certified = certified_employments(round_).filter(organization=organization).values("person_id").distinct().count()
    # The ratio in force where the agency is: a district that set its own overrides the city's.
    ratio = int(policy_value("selection.nomination_ratio", organization.jurisdiction, round_.snapshot_date))
    used = Nomination.objects.filter(
        round=round_, organization=organization, path=Nomination.Path.QUOTA, status__in=PLACE_HOLDING
    ).count()
    return Quota(certified=certified, ratio=ratio, quota=quota_of(certified, ratio), used=used)


def staff_for_nomination(round_: Round, organization: Organization) -> QuerySet[Person]:
    """Current staff with what the eligibility rules read, prefetched."""
    return (
        Person.objects.filter(employments__organization=organization, employments__end_date=None)
        .select_related("education")
        .prefetch_related(
            Prefetch("certificates", queryset=Certificate.objects.select_related("level")),
            "employments",
            "disciplinary_records",
            Prefetch(
                "nominations",
                queryset=Nomination.objects.filter(round=round_).exclude(status__in=["rejected", "withdrawn"]),
                to_attr="live_nominations",
            ),
        )
        .order_by("name")
        .distinct()
    )


def district_summary(round_: Round, user) -> list[dict]:
    """Per district: certified workers, quota, nominated and approved; a fixed
    number of queries whatever the number of agencies."""
    scope = scope_for(user)
    orgs = Organization.objects.filter(jurisdiction__path__startswith=round_.jurisdiction.path)
    if not permissions.reads_whole_round(user, round_):
        q = nodes_q(scope.read_nodes, "jurisdiction__")
        orgs = orgs.filter(q) if q is not None else orgs.none()
    org_district = dict(orgs.values_list("pk", "jurisdiction__name"))
    order = dict(orgs.values_list("jurisdiction__name", "jurisdiction__order"))
    org_jurisdiction = dict(orgs.values_list("pk", "jurisdiction_id"))
    ratios = value_by_jurisdiction(
        "selection.nomination_ratio",
        Jurisdiction.objects.filter(pk__in=set(org_jurisdiction.values())),
        round_.snapshot_date,
    )
    certified = dict(
        certified_employments(round_)
        .filter(organization_id__in=org_district)
        .values("organization_id")
        .annotate(n=Count("person_id", distinct=True))
        .values_list("organization_id", "n")
    )
    counts = (
        Nomination.objects.filter(round=round_, organization_id__in=org_district)
        .values("organization_id", "path", "status")
        .annotate(n=Count("pk"))
    )
    rows = defaultdict(
        lambda: {"certified": 0, "quota": 0, "nominated": 0, "direct": 0, "approved": 0, "pending": 0, "agencies": 0}
    )
    for org_id, district in org_district.items():
        n = certified.get(org_id, 0)
        rows[district]["certified"] += n
        rows[district]["quota"] += quota_of(n, ratios[org_jurisdiction[org_id]])
        rows[district]["agencies"] += 1 if n else 0
    for c in counts:
        row = rows[org_district[c["organization_id"]]]
        if c["status"] in PLACE_HOLDING:
            row["nominated" if c["path"] == Nomination.Path.QUOTA else "direct"] += c["n"]
        if c["status"] == Nomination.Status.APPROVED:
            row["approved"] += c["n"]
        if c["status"] in (Nomination.Status.DISTRICT_REVIEW, Nomination.Status.CITY_REVIEW):
            row["pending"] += c["n"]
    return [{"district": name, **values} for name, values in sorted(rows.items(), key=lambda kv: order.get(kv[0], 0))]


def own_agencies_quotas(user, round_: Round) -> list[dict]:
    """The quota of each agency the user administers, for the round's page."""
    managed = Organization.objects.filter(pk__in=scope_for(user).managed_org_ids).select_related("jurisdiction")
    return [{"organization": org, "quota": quota_for(round_, org)} for org in managed.order_by("name")]


def nomination_sheet(round_: Round, organization: Organization) -> list[dict]:
    """Every current staff member of the agency with the eligibility rules
    checked one by one, and their live nomination if any."""
    context = eligibility.EvaluationContext.for_round(round_, organization)
    params = eligibility.parameters_for(context)
    rows = []
    for person in staff_for_nomination(round_, organization):
        results = eligibility.check(person, context=context, path=Nomination.Path.QUOTA, params=params)
        rows.append(
            {
                "person": person,
                "results": results,
                "eligible": eligibility.all_passed(results),
                "nomination": (person.live_nominations or [None])[0],
            }
        )
    return rows


def checked_eligibility(round_, person, organization, path, category="", evidence_count=0) -> list:
    """The eligibility rules checked for one person nominated by one unit: the
    one evaluation the nomination page, the API preview and the services share."""
    person = staff_for_nomination(round_, organization).filter(pk=person.pk).first() or Person.objects.prefetch_related(
        "certificates__level", "employments", "disciplinary_records"
    ).select_related("education").get(pk=person.pk)
    context = eligibility.EvaluationContext.for_round(round_, organization)
    return eligibility.check(person, context=context, path=path, category=category, evidence_count=evidence_count)


# 公示 of the city's approvals (dudao.publicity): the kind selection registers,
# and the record key under which a nomination's items are found.
PUBLICITY_KIND = "selection.trainees"


def publicity_record(nomination_id) -> str:
    return f"selection.nomination:{nomination_id}"
