"""Matching (issue 10, 3; policy 三(二)): for an agency short of supervision,
the supervisors of the pools it may draw on (its city's pool and the district
pools of its city), ranked by the policy's weighted factors, each explained in
words. Read-only: choosing a candidate opens a proposed engagement
(services.engagements.propose), which stores `explain()` as the reason.

Never proposed: an entry that is not available (suspended, retired, expired),
a supervisor with no spare capacity, the agency's own staff (they are its
internal supply) and anyone the agency already engages. The order is total
points, then spare capacity, then entry number: the same data gives the same
list."""

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from dudao.directory.cities import city_of
from dudao.directory.models import Person
from dudao.policy.selectors import value, value_by_jurisdiction
from dudao.pools.models import Entry
from dudao.pools.selectors import available

from .models import Engagement
from .need import need_of, uncovered_staff_ids

ZERO, ONE = Decimal("0"), Decimal("1")
CENT = Decimal("0.01")

# The factor names are the keys of policy supervision.match_weights.
DOMAIN, SAME_DISTRICT, SELECTED_HERE, SPARE, GRADE = "领域匹配", "同区优先", "本市选拔", "服务余量", "考评等级"
FACTORS = (DOMAIN, SAME_DISTRICT, SELECTED_HERE, SPARE, GRADE)

LIVE = (Engagement.Status.PROPOSED, Engagement.Status.ACTIVE)
# The using side counts as a city or district project (三(二): 市、区两级项目优先使用本市选拔的督导).
PROJECT_TYPE = "government"


def _q(number) -> Decimal:
    return Decimal(number).quantize(CENT, rounding=ROUND_HALF_UP)


def _percent(share: Decimal) -> str:
    return f"{(share * 100).quantize(Decimal('1'), rounding=ROUND_HALF_UP)}%"


# --- evaluation grades (issue 11) ------------------------------------------------------


# The evaluation app (above this one) registers where grades come from: supervision
# cannot import it, as the home page cannot import the apps whose to-dos it lists.
_grade_sources: list = []

# Share of the grade factor each grade earns (evaluation.models.Grade codes).
GRADE_SCORES = {"excellent": Decimal("1.0"), "pass": Decimal("0.7"), "basic": Decimal("0.3"), "fail": ZERO}


def register_grade_source(source) -> None:
    """`source(person_ids)` returns {person id: latest published grade} in one query."""
    if source not in _grade_sources:
        _grade_sources.append(source)


def latest_grades(person_ids) -> dict[int, object]:
    """{person id: latest published evaluation grade}, from the registered source."""
    grades: dict = {}
    ids = list(person_ids)
    for source in _grade_sources:
        grades.update(source(ids))
    return grades


def latest_grade(person) -> object | None:
    return latest_grades([person.pk]).get(person.pk)


def grade_score(grade) -> Decimal:
    """Share of the grade factor a grade earns (0 to 1); none without a grade."""
    return GRADE_SCORES.get(str(getattr(grade, "value", grade)), ZERO)


# --- load -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Load:
    hours: Decimal = ZERO
    supervisees: int = 0


def loads(person_ids, on: dt.date | None = None) -> dict[int, Load]:
    """{supervisor id: hours and supervisees agreed in their live (proposed or
    active, not yet over) engagements}, in three queries however many people.
    An engagement covering all staff counts the using agency's current staff."""
    on = on or timezone.localdate()
    live = Engagement.objects.filter(supervisor_id__in=list(person_ids), status__in=LIVE, ends_on__gte=on)
    rows = list(live.values("id", "supervisor_id", "organization_id", "covers_all_staff", "hours_per_month"))
    # Subqueries rather than lists of ids: the same three queries whatever the rows
    # (an empty list would skip a query, and a page's cost would depend on its data).
    listed = dict(
        Engagement.supervisees.through.objects.filter(
            engagement_id__in=live.filter(covers_all_staff=False).values("id")
        )
        .values("engagement_id")
        .annotate(n=Count("id"))
        .values_list("engagement_id", "n")
    )
    staff_counts = dict(
        Person.objects.filter(
            employer_id__in=live.filter(covers_all_staff=True).values("organization_id"), employed=True
        )
        .values("employer_id")
        .annotate(n=Count("id"))
        .values_list("employer_id", "n")
    )
    hours: dict[int, Decimal] = {}
    people: dict[int, int] = {}
    for r in rows:
        pid = r["supervisor_id"]
        hours[pid] = hours.get(pid, ZERO) + r["hours_per_month"]
        count = staff_counts.get(r["organization_id"], 0) if r["covers_all_staff"] else listed.get(r["id"], 0)
        people[pid] = people.get(pid, 0) + count
    return {pid: Load(hours[pid], people[pid]) for pid in hours}


@dataclass(frozen=True)
class Capacity:
    max_hours: Decimal
    max_supervisees: int
    load: Load

    @property
    def hours_share(self) -> Decimal:
        return min(self.load.hours / self.max_hours, ONE) if self.max_hours else ONE

    @property
    def supervisee_share(self) -> Decimal:
        return min(Decimal(self.load.supervisees) / self.max_supervisees, ONE) if self.max_supervisees else ONE

    @property
    def spare(self) -> Decimal:
        """1 − the larger of the two shares in use: 0 is full."""
        return max(ONE - max(self.hours_share, self.supervisee_share), ZERO)

    @property
    def spare_hours(self) -> Decimal:
        return max(self.max_hours - self.load.hours, ZERO)

    @property
    def spare_supervisees(self) -> int:
        return max(self.max_supervisees - self.load.supervisees, 0)

    @property
    def full(self) -> bool:
        return self.spare <= 0


def capacities(entries, on: dt.date | None = None) -> dict[int, Capacity]:
    """{entry id: capacity}. The limits are those in force at the supervisor's
    home district (a district may set its own); five queries for any number."""
    on = on or timezone.localdate()
    entries = list(entries)
    districts = {e.home_district_id: e.home_district for e in entries}.values()
    max_hours = value_by_jurisdiction("supervision.max_hours_per_month", districts, on)
    max_people = value_by_jurisdiction("supervision.max_supervisees", districts, on)
    load = loads({e.person_id for e in entries}, on)
    return {
        e.pk: Capacity(
            Decimal(max_hours[e.home_district_id]), int(max_people[e.home_district_id]), load.get(e.person_id, Load())
        )
        for e in entries
    }


# --- the pools an organisation draws on ----------------------------------------------------


def drawable_entries(organization):
    """Available entries of the city pool of the organisation's city and of the
    district pools of the districts in it (pool keeper's chain under the city)."""
    city = city_of(organization)
    if city is None:
        return Entry.objects.none()
    depth = city.jurisdiction.depth
    return available(
        Entry.objects.filter(
            level__in=[Entry.Level.CITY, Entry.Level.DISTRICT], **{f"scope_j{depth}": city.jurisdiction_id}
        )
    )


# --- the ranking --------------------------------------------------------------------------


@dataclass
class Factor:
    name: str  # the policy's name of the factor (key of the weight table)
    score: Decimal  # 0 to 1
    weight: Decimal
    words: str

    @property
    def points(self) -> Decimal:
        return _q(self.score * self.weight)

    def as_dict(self) -> dict:
        return {
            "name": self.name,
            "score": str(_q(self.score)),
            "weight": str(self.weight),
            "points": str(self.points),
            "words": self.words,
        }


@dataclass
class Candidate:
    entry: Entry
    capacity: Capacity
    factors: list = field(default_factory=list)
    grade: object = None

    @property
    def total(self) -> Decimal:
        return sum((f.points for f in self.factors), ZERO)

    @property
    def spare(self) -> Decimal:
        return self.capacity.spare

    def sort_key(self):
        return (-self.total, -self.spare, self.entry.entry_number)

    def as_dict(self) -> dict:
        entry = self.entry
        return {
            "entry": entry.pk,
            "entry_number": entry.entry_number,
            "supervisor": entry.person_id,
            "name": entry.person.name,
            "level": entry.level,
            "home_district": entry.home_district.name,
            "domains": [d.name for d in entry.domains.all()],
            "total": str(self.total),
            "spare_capacity": str(_q(self.spare)),
            "factors": [f.as_dict() for f in self.factors],
        }


@dataclass
class Ranking:
    organization: object
    on: dt.date
    need: object  # coverage.Need
    wanted_domains: list  # ServiceDomain, of the staff not covered
    candidates: list

    @property
    def internal_enough(self) -> bool:
        return self.need.internal_enough

    @property
    def message(self) -> str:
        need = self.need
        numbers = {"internal": need.internal_hours, "need": need.need_hours, "short": need.shortfall}
        if need.internal_enough:
            return (
                _(
                    "Your internal supervisors already agree %(internal)s hours a month against a need of "
                    "%(need)s hours: use your own supervisors first. The pools' supervisors below are for "
                    "reference only."
                )
                % numbers
            )
        numbers["uncovered"] = need.uncovered
        if need.shortfall <= 0:
            return (
                _(
                    "Your internal supervisors agree %(internal)s hours a month against a need of %(need)s hours; "
                    "with every engagement counted the hours suffice, but %(uncovered)s staff are covered by no "
                    "engagement. Supervisors from the pools you may hire from are ranked below."
                )
                % numbers
            )
        return (
            _(
                "Your internal supervisors agree %(internal)s hours a month against a need of %(need)s hours; "
                "with every engagement counted you are %(short)s hours short. Supervisors from the pools you "
                "may hire from are ranked below."
            )
            % numbers
        )


def _weights(organization, on) -> dict[str, Decimal]:
    table = value("supervision.match_weights", organization.jurisdiction, on) or {}
    # A factor the table leaves out weighs nothing.
    return {name: Decimal(str(table.get(name, 0))) for name in FACTORS}


def _domain_factor(entry, wanted, weight) -> Factor:
    if not wanted:
        return Factor(DOMAIN, ZERO, weight, _("None of the staff not covered names a service domain."))
    wanted_ids = {d.pk for d in wanted}
    matched = [d for d in entry.domains.all() if d.pk in wanted_ids]
    share = Decimal(len(matched)) / Decimal(len(wanted))
    if not matched:
        words = _("Covers none of the %(n)s domains of the staff not covered (%(wanted)s).") % {
            "n": len(wanted),
            "wanted": "、".join(d.name for d in wanted),
        }
    else:
        words = _("Covers %(k)s of the %(n)s domains of the staff not covered: %(matched)s.") % {
            "k": len(matched),
            "n": len(wanted),
            "matched": "、".join(d.name for d in sorted(matched, key=lambda d: (d.order, d.code))),
        }
    return Factor(DOMAIN, share, weight, words)


def _district_factor(entry, organization, weight) -> Factor:
    district = organization.jurisdiction
    if entry.home_district_id == district.pk:
        return Factor(
            SAME_DISTRICT,
            ONE,
            weight,
            _("Selected in %(district)s, the agency's own district.") % {"district": district.name},
        )
    return Factor(
        SAME_DISTRICT,
        ZERO,
        weight,
        _("Selected in %(home)s, not in the agency's district (%(district)s).")
        % {"home": entry.home_district.name, "district": district.name},
    )


def _selected_here_factor(entry, organization, city, weight) -> Factor:
    if organization.type.code != PROJECT_TYPE:
        return Factor(SELECTED_HERE, ZERO, weight, _("Not a city or district project: this factor does not apply."))
    depth = city.jurisdiction.depth if city else None
    inside = city is not None and getattr(entry, f"home_scope_j{depth}") == city.jurisdiction_id
    if inside:
        return Factor(
            SELECTED_HERE,
            ONE,
            weight,
            _("Selected in %(city)s, preferred for a city or district project.") % {"city": city.display_name},
        )
    return Factor(SELECTED_HERE, ZERO, weight, _("Not selected in this city."))


def _spare_factor(capacity: Capacity, weight) -> Factor:
    words = _(
        "%(hours)s of %(max_hours)s hours a month and %(people)s of %(max_people)s supervisees already agreed: "
        "%(spare)s spare."
    ) % {
        "hours": capacity.load.hours,
        "max_hours": capacity.max_hours,
        "people": capacity.load.supervisees,
        "max_people": capacity.max_supervisees,
        "spare": _percent(capacity.spare),
    }
    return Factor(SPARE, capacity.spare, weight, words)


def _grade_factor(grade, weight) -> Factor:
    if grade is None:
        return Factor(GRADE, ZERO, weight, _("No evaluation yet."))
    return Factor(
        GRADE,
        grade_score(grade),
        weight,
        _("Latest evaluation grade: %(grade)s.") % {"grade": getattr(grade, "label", grade)},
    )


def candidates(*, organization, on: dt.date | None = None) -> Ranking:
    """The ranked candidates for `organization`, in a fixed number of queries
    however many supervisors the pools hold."""
    on = on or timezone.localdate()
    need = need_of(organization, on)
    uncovered = uncovered_staff_ids(need)
    # With everyone covered the agency may still be short of hours: then any of its staff's domains count.
    wanted_people = uncovered or list(need.types)
    wanted = sorted(
        {
            d
            for p in Person.objects.filter(pk__in=wanted_people).prefetch_related("service_domains")
            for d in p.service_domains.all()
        },
        key=lambda d: (d.order, d.code),
    )
    weights = _weights(organization, on)
    city = city_of(organization)
    engaged = Engagement.objects.filter(organization=organization, status__in=LIVE, ends_on__gte=on).values(
        "supervisor_id"
    )
    entries = list(
        drawable_entries(organization)
        .exclude(person__employer=organization, person__employed=True)
        .exclude(person_id__in=engaged)
        .select_related("person", "home_district", "jurisdiction")
        .prefetch_related("domains")
        .order_by("entry_number", "pk")
    )
    caps = capacities(entries, on)
    grades = latest_grades({e.person_id for e in entries})
    ranked = []
    for entry in entries:
        capacity = caps[entry.pk]
        if capacity.full:
            continue
        grade = grades.get(entry.person_id)
        ranked.append(
            Candidate(
                entry=entry,
                capacity=capacity,
                grade=grade,
                factors=[
                    _domain_factor(entry, wanted, weights[DOMAIN]),
                    _district_factor(entry, organization, weights[SAME_DISTRICT]),
                    _selected_here_factor(entry, organization, city, weights[SELECTED_HERE]),
                    _spare_factor(capacity, weights[SPARE]),
                    _grade_factor(grade, weights[GRADE]),
                ],
            )
        )
    ranked.sort(key=Candidate.sort_key)
    # A supervisor in both the city pool and a district pool is one candidate, at their better entry.
    seen, unique = set(), []
    for candidate in ranked:
        if candidate.entry.person_id not in seen:
            seen.add(candidate.entry.person_id)
            unique.append(candidate)
    return Ranking(organization=organization, on=on, need=need, wanted_domains=wanted, candidates=unique)


def explain(*, organization, entry, on: dt.date | None = None) -> dict | None:
    """One candidate's place and factors as the agency saw them (stored with a
    proposal), or None when the entry is not a candidate for the organisation."""
    ranking = candidates(organization=organization, on=on)
    for place, candidate in enumerate(ranking.candidates, start=1):
        if candidate.entry.pk == entry.pk:
            return {
                **candidate.as_dict(),
                "place": place,
                "of": len(ranking.candidates),
                "on": ranking.on.isoformat(),
                "internal_enough": ranking.internal_enough,
            }
    return None
