"""Who may be nominated, rule by rule. Each rule reads its threshold from the
policy parameters in force for the round's jurisdiction on its snapshot date,
and says in words why it passed or failed, so an agency administrator never
has to guess."""

import datetime as dt
from dataclasses import asdict, dataclass

from django.utils.translation import gettext as _

from dudao.directory.models import CertificateLevel, EducationLevel, Person
from dudao.policy.selectors import resolve_many

from .models import Nomination

RULE_KEYS = [
    "selection.min_certificate_level",
    "selection.min_frontline_years",
    "selection.no_disciplinary_record",
]


@dataclass(frozen=True)
class RuleResult:
    code: str
    label: str
    passed: bool
    detail: str

    def as_dict(self):
        return asdict(self)


def parameters_for(round_, organization=None) -> dict:
    """The rules in force on the snapshot date where the nominating unit is (a
    district's own rules override the city's), or for the round's jurisdiction."""
    jurisdiction = organization.jurisdiction if organization is not None else round_.jurisdiction
    params = {key: value for key, (value, _src) in resolve_many(RULE_KEYS, jurisdiction, round_.snapshot_date).items()}
    # Looked up once here so checking a whole staff list costs no query per person.
    params["_min_level"] = CertificateLevel.objects.filter(code=params["selection.min_certificate_level"]).first()
    params["_doctorate_id"] = EducationLevel.objects.filter(code="doctorate").values_list("pk", flat=True).first()
    return params


def _years_between(start: dt.date, end: dt.date) -> int:
    years = end.year - start.year - ((end.month, end.day) < (start.month, start.day))
    return max(years, 0)


def _employed_on(person: Person, organization, on: dt.date) -> bool:
    for e in person.employments.all():
        if e.organization_id == organization.pk and e.start_date <= on and (e.end_date is None or e.end_date >= on):
            return True
    return False


def check(person: Person, *, round_, organization, path: str, category: str = "", evidence_count: int = 0, params=None):
    """All rules for one person. `person` should come with certificates__level,
    employments and disciplinary_records prefetched when checking many."""
    params = params or parameters_for(round_, organization)
    snapshot = round_.snapshot_date
    results = []

    current = [e for e in person.employments.all() if e.end_date is None]
    employed_now = any(e.organization_id == organization.pk for e in current)
    results.append(
        RuleResult(
            "employer",
            _("Employed by the nominating unit"),
            employed_now,
            _("Currently on the staff of %(org)s.") % {"org": organization.name}
            if employed_now
            else _("Not currently on the staff of %(org)s.") % {"org": organization.name},
        )
    )

    if path == Nomination.Path.QUOTA:
        results.extend(_quota_rules(person, round_, organization, params, snapshot))
    else:
        results.extend(_direct_rules(person, organization, category, evidence_count, params))

    if params["selection.no_disciplinary_record"]:
        records = [r for r in person.disciplinary_records.all() if r.decided_on <= snapshot]
        results.append(
            RuleResult(
                "discipline",
                _("No disciplinary record"),
                not records,
                _("No disciplinary record.")
                if not records
                else _("Disciplinary record of %(date)s: %(text)s")
                % {"date": records[0].decided_on, "text": records[0].description},
            )
        )
    return results


def _quota_rules(person, round_, organization, params, snapshot):
    employed = _employed_on(person, organization, snapshot)
    yield RuleResult(
        "employed_on_snapshot",
        _("On the unit's staff on the snapshot date"),
        employed,
        _("Employed there on %(date)s.") % {"date": snapshot}
        if employed
        else _("Not employed there on %(date)s.") % {"date": snapshot},
    )

    minimum = params["_min_level"]
    held = [c for c in person.certificates.all() if c.issued_on <= snapshot]
    best = max(held, key=lambda c: c.level.rank, default=None)
    ok = best is not None and minimum is not None and best.level.rank >= minimum.rank
    if best is None:
        detail = _("No social work certificate obtained by %(date)s; at least %(level)s is required.") % {
            "date": snapshot,
            "level": minimum.name if minimum else "?",
        }
    else:
        detail = _("Holds %(held)s; at least %(level)s is required.") % {
            "held": best.level.name,
            "level": minimum.name if minimum else "?",
        }
    yield RuleResult("certificate", _("Certificate level"), ok, detail)

    table = params["selection.min_frontline_years"]
    if person.education_id is None:
        yield RuleResult(
            "frontline_years",
            _("Years of frontline social work"),
            False,
            _("Education is not recorded, so the required years cannot be determined."),
        )
    elif person.frontline_since is None:
        yield RuleResult(
            "frontline_years",
            _("Years of frontline social work"),
            False,
            _("The start of frontline practice is not recorded."),
        )
    else:
        education = person.education
        required = int(table.get(education.code, 0))
        years = _years_between(person.frontline_since, snapshot)
        yield RuleResult(
            "frontline_years",
            _("Years of frontline social work"),
            years >= required,
            _("%(years)s years of frontline practice by %(date)s; %(education)s requires %(required)s.")
            % {"years": years, "date": snapshot, "education": education.name, "required": required},
        )


def _direct_rules(person, organization, category, evidence_count, params):
    if not category:
        yield RuleResult("category", _("Direct-entry category"), False, _("Choose a direct-entry category."))
    elif category == Nomination.Category.UNIVERSITY_TEACHER:
        is_university = organization.type.code == "university"
        yield RuleResult(
            "category",
            _("University teacher"),
            is_university,
            _("The unit is a university.") if is_university else _("The recommending unit is not a university."),
        )
        practised = person.frontline_since is not None
        yield RuleResult(
            "practice",
            _("Social work practice experience"),
            practised,
            _("Frontline practice since %(date)s.") % {"date": person.frontline_since}
            if practised
            else _("No social work practice is recorded."),
        )
    elif category == Nomination.Category.HIGH_LEVEL_TALENT:
        is_doctor = person.education_id == params["_doctorate_id"]
        yield RuleResult(
            "category",
            _("Doctorate or other high-level talent"),
            True,
            _("Holds a doctorate.") if is_doctor else _("Other high-level talent: the evidence must show it."),
        )
    else:
        yield RuleResult(
            "category",
            _("Supervisor selected by a district"),
            True,
            _("The district's selection must be shown in the evidence."),
        )
    yield RuleResult(
        "evidence",
        _("Evidence attached"),
        evidence_count > 0,
        _("%(count)s file(s) attached.") % {"count": evidence_count}
        if evidence_count
        else _("Attach at least one PDF or image as evidence."),
    )


def all_passed(results) -> bool:
    return all(r.passed for r in results)
