"""Who may be nominated, rule by rule.

The rules are a registry (`RULES`, in the order they are reported): each has a
code, a label, the policy parameters it reads and, for a rule the policy lets a
jurisdiction drop, the yes/no parameter that switches it on or off there
(default on). A rule reads its values from the parameters in force in the
evaluation context's jurisdiction on its date, and says in words why it passed
or failed, so an agency administrator never has to guess.

The context (`EvaluationContext`) is the jurisdiction whose rules apply, the
date they are read on, and the unit the person is nominated from: a round
gives it (`EvaluationContext.for_round`), and so does a district admitting
someone to its pool, without pretending to be a round.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import asdict, dataclass

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dudao.directory.models import CertificateLevel, EducationLevel, Jurisdiction, Organization, Person
from dudao.policy.selectors import resolve_many

from .models import Nomination

QUOTA, DIRECT = Nomination.Path.QUOTA, Nomination.Path.DIRECT


@dataclass(frozen=True)
class RuleResult:
    code: str
    label: str
    passed: bool
    detail: str

    def as_dict(self):
        return asdict(self)


@dataclass(frozen=True)
class EvaluationContext:
    """Where and when the rules are read, and the unit that nominates."""

    jurisdiction: Jurisdiction
    date: dt.date
    organization: Organization | None = None

    @classmethod
    def for_round(cls, round_, organization: Organization | None = None) -> EvaluationContext:
        """A round's snapshot date, under the rules where the nominating unit is
        (a district's own rules override the city's), or the round's own
        jurisdiction's when no unit is named."""
        jurisdiction = organization.jurisdiction if organization is not None else round_.jurisdiction
        return cls(jurisdiction=jurisdiction, date=round_.snapshot_date, organization=organization)


@dataclass(frozen=True)
class Case:
    """What is asked: the nomination path, and for direct entry its category and evidence."""

    path: str = QUOTA
    category: str = ""
    evidence_count: int = 0


class Rule:
    """One eligibility rule. `reads` are the parameters it needs; `switch`, the
    yes/no parameter that turns it off in a jurisdiction (None: it always
    applies, being what a nomination is rather than a condition the policy
    sets); `paths`, the nomination paths it applies to."""

    code: str
    label = ""
    reads: tuple[str, ...] = ()
    switch: str | None = None
    paths: frozenset[str] = frozenset({QUOTA, DIRECT})

    def applies(self, case: Case) -> bool:
        return case.path in self.paths

    def prepare(self, params: dict) -> None:
        """Look up, once per context, what checking many people needs (adds keys starting with "_")."""

    def evaluate(self, person: Person, context: EvaluationContext, params: dict, case: Case) -> Iterable[RuleResult]:
        raise NotImplementedError

    def result(self, passed: bool, detail: str, label=None) -> RuleResult:
        return RuleResult(self.code, str(label or self.label), passed, detail)


RULES: list[Rule] = []


def register(rule_class):
    """Class decorator: adds the rule's one instance to RULES, in definition order."""
    if any(r.code == rule_class.code for r in RULES):
        raise ValueError(f"Rule {rule_class.code!r} is registered twice.")
    RULES.append(rule_class())
    return rule_class


def rule(code: str) -> Rule:
    return next(r for r in RULES if r.code == code)


def _employed_on(person: Person, organization, on: dt.date) -> bool:
    for e in person.employments.all():
        if e.organization_id == organization.pk and e.start_date <= on and (e.end_date is None or e.end_date >= on):
            return True
    return False


@register
class Employer(Rule):
    code = "employer"
    label = gettext_lazy("Employed by the nominating unit")

    def evaluate(self, person, context, params, case):
        organization = context.organization
        employed_now = any(e.organization_id == organization.pk for e in person.employments.all() if e.end_date is None)
        yield self.result(
            employed_now,
            _("Currently on the staff of %(org)s.") % {"org": organization.name}
            if employed_now
            else _("Not currently on the staff of %(org)s.") % {"org": organization.name},
        )


@register
class EmployedOnSnapshot(Rule):
    code = "employed_on_snapshot"
    label = gettext_lazy("On the unit's staff on the snapshot date")
    switch = "selection.rule.employed_on_snapshot"
    paths = frozenset({QUOTA})

    def evaluate(self, person, context, params, case):
        employed = _employed_on(person, context.organization, context.date)
        yield self.result(
            employed,
            _("Employed there on %(date)s.") % {"date": context.date}
            if employed
            else _("Not employed there on %(date)s.") % {"date": context.date},
        )


@register
class CertificateRule(Rule):
    code = "certificate"
    label = gettext_lazy("Certificate level")
    reads = ("selection.min_certificate_level",)
    switch = "selection.rule.certificate"
    paths = frozenset({QUOTA})

    def prepare(self, params):
        params["_min_level"] = CertificateLevel.objects.filter(code=params["selection.min_certificate_level"]).first()

    def evaluate(self, person, context, params, case):
        minimum = params["_min_level"]
        held = [c for c in person.certificates.all() if c.issued_on <= context.date]
        best = max(held, key=lambda c: c.level.rank, default=None)
        ok = best is not None and minimum is not None and best.level.rank >= minimum.rank
        if best is None:
            detail = _("No social work certificate obtained by %(date)s; at least %(level)s is required.") % {
                "date": context.date,
                "level": minimum.name if minimum else "?",
            }
        else:
            detail = _("Holds %(held)s; at least %(level)s is required.") % {
                "held": best.level.name,
                "level": minimum.name if minimum else "?",
            }
        yield self.result(ok, detail)


@register
class FrontlineYears(Rule):
    code = "frontline_years"
    label = gettext_lazy("Years of frontline social work")
    reads = ("selection.min_frontline_years",)
    switch = "selection.rule.frontline_years"
    paths = frozenset({QUOTA})

    def evaluate(self, person, context, params, case):
        if person.education_id is None:
            yield self.result(False, _("Education is not recorded, so the required years cannot be determined."))
        elif person.frontline_since is None:
            yield self.result(False, _("The start of frontline practice is not recorded."))
        else:
            education = person.education
            required = int(params["selection.min_frontline_years"].get(education.code, 0))
            years = person.practice_years(context.date)
            yield self.result(
                years >= required,
                _("%(years)s years of frontline practice by %(date)s; %(education)s requires %(required)s.")
                % {"years": years, "date": context.date, "education": education.name, "required": required},
            )


@register
class Category(Rule):
    code = "category"
    label = gettext_lazy("Direct-entry category")
    paths = frozenset({DIRECT})

    def prepare(self, params):
        params["_doctorate_id"] = EducationLevel.objects.filter(code="doctorate").values_list("pk", flat=True).first()

    def evaluate(self, person, context, params, case):
        C = Nomination.Category
        if not case.category:
            yield self.result(False, _("Choose a direct-entry category."))
        elif case.category == C.UNIVERSITY_TEACHER:
            is_university = context.organization.type.code == "university"
            yield self.result(
                is_university,
                _("The unit is a university.") if is_university else _("The recommending unit is not a university."),
                label=_("University teacher"),
            )
        elif case.category == C.HIGH_LEVEL_TALENT:
            is_doctor = person.education_id == params["_doctorate_id"]
            yield self.result(
                True,
                _("Holds a doctorate.") if is_doctor else _("Other high-level talent: the evidence must show it."),
                label=_("Doctorate or other high-level talent"),
            )
        else:
            yield self.result(
                True,
                _("The district's selection must be shown in the evidence."),
                label=_("Supervisor selected by a district"),
            )


@register
class Practice(Rule):
    code = "practice"
    label = gettext_lazy("Social work practice experience")
    switch = "selection.rule.practice"
    paths = frozenset({DIRECT})

    def applies(self, case):
        return super().applies(case) and case.category == Nomination.Category.UNIVERSITY_TEACHER

    def evaluate(self, person, context, params, case):
        practised = person.frontline_since is not None
        yield self.result(
            practised,
            _("Frontline practice since %(date)s.") % {"date": person.frontline_since}
            if practised
            else _("No social work practice is recorded."),
        )


@register
class Evidence(Rule):
    code = "evidence"
    label = gettext_lazy("Evidence attached")
    paths = frozenset({DIRECT})

    def evaluate(self, person, context, params, case):
        count = case.evidence_count
        yield self.result(
            count > 0,
            _("%(count)s file(s) attached.") % {"count": count}
            if count
            else _("Attach at least one PDF or image as evidence."),
        )


@register
class Discipline(Rule):
    code = "discipline"
    label = gettext_lazy("No disciplinary record")
    switch = "selection.no_disciplinary_record"

    def evaluate(self, person, context, params, case):
        records = [r for r in person.disciplinary_records.all() if r.decided_on <= context.date]
        yield self.result(
            not records,
            _("No disciplinary record.")
            if not records
            else _("Disciplinary record of %(date)s: %(text)s")
            % {"date": records[0].decided_on, "text": records[0].description},
        )


def parameter_keys() -> list[str]:
    """Every parameter the rules read or are switched by."""
    keys = []
    for r in RULES:
        for key in (*r.reads, *([r.switch] if r.switch else [])):
            if key not in keys:
                keys.append(key)
    return keys


def parameters_for(context, organization=None) -> dict:
    """The values the rules read in the context's jurisdiction on its date,
    with what they look up once (so checking a whole staff list costs no query
    per person). A round is accepted for callers holding one."""
    if not isinstance(context, EvaluationContext):
        context = EvaluationContext.for_round(context, organization)
    params = {
        key: value for key, (value, _src) in resolve_many(parameter_keys(), context.jurisdiction, context.date).items()
    }
    for r in RULES:
        if is_on(r, params):
            r.prepare(params)
    return params


def is_on(r: Rule, params: dict) -> bool:
    return r.switch is None or bool(params[r.switch])


def check(
    person: Person,
    *,
    context: EvaluationContext | None = None,
    round_=None,
    organization=None,
    path: str = QUOTA,
    category: str = "",
    evidence_count: int = 0,
    params=None,
) -> list[RuleResult]:
    """Every rule that applies and is switched on, for one person. Give the
    context, or a round and the nominating unit. `person` should come with
    certificates__level, employments and disciplinary_records prefetched when
    checking many."""
    if context is None:
        context = EvaluationContext.for_round(round_, organization)
    elif organization is not None and context.organization != organization:
        context = EvaluationContext(context.jurisdiction, context.date, organization)
    params = params or parameters_for(context)
    case = Case(path=path, category=category, evidence_count=evidence_count)
    results = []
    for r in RULES:
        if r.applies(case) and is_on(r, params):
            results.extend(r.evaluate(person, context, params, case))
    return results


def all_passed(results) -> bool:
    return all(r.passed for r in results)
