import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dudao.core import audit
from dudao.core.validators import clean_text, validate_date_ahead
from dudao.directory.cities import all_cities
from dudao.directory.models import Jurisdiction

from .models import ParameterVersion
from .registry import BY_KEY, PARAMETERS, clean_value
from .selectors import resolve, settable_jurisdictions


@transaction.atomic
def set_parameter(
    *,
    actor,
    key: str,
    jurisdiction: Jurisdiction,
    value,
    effective_from: dt.date,
    reason: str,
    today: dt.date | None = None,
) -> ParameterVersion:
    parameter = BY_KEY.get(key)
    if parameter is None:
        raise ValidationError({"key": _("Unknown parameter.")})
    if not settable_jurisdictions(actor, key).filter(pk=jurisdiction.pk).exists():
        raise PermissionDenied(_("You may not set this parameter for this jurisdiction."))
    today = today or timezone.localdate()
    if effective_from < today:
        # Past decisions were made under the values then in force; history is not rewritten.
        raise ValidationError({"effective_from": _("A new value cannot take effect before today.")})
    # Rules are set for the coming years, not for a distant date nobody will check.
    validate_date_ahead(effective_from, field="effective_from", years=5, today=today)
    reason = clean_text(reason, field="reason", multiline=True, max_length=500)
    if not reason:
        raise ValidationError({"reason": _("Give a reason for the change.")})
    try:
        cleaned = clean_value(parameter, value)
    except ValidationError as exc:
        raise ValidationError({"value": exc.messages}) from exc
    before, _source = resolve(key, jurisdiction, effective_from)
    version = ParameterVersion(
        key=key,
        jurisdiction=jurisdiction,
        effective_from=effective_from,
        value=cleaned,
        reason=reason,
        created_by=actor,
    )
    try:
        with transaction.atomic():
            version.save()
    except IntegrityError:
        raise ValidationError(
            {"effective_from": _("A version of this parameter already takes effect on that date; choose another date.")}
        ) from None
    audit.record(
        actor=actor,
        event="policy.parameter_version_added",
        obj=version,
        changes={"value": [before, cleaned], "effective_from": [None, str(effective_from)]},
        reason=reason,
    )
    return version


@transaction.atomic
def load_defaults(*, actor=None) -> int:
    """Every city's first versions of every parameter, dated from the city's
    own policy document and citing it: the registry's defaults, except where
    the city's reference data gives its own value (Luoyang nominates 1:5).
    Its districts inherit them. Idempotent; each version it adds is recorded
    (by nobody when run from the command line)."""
    added = []
    for city in all_cities():
        own = {key: clean_value(BY_KEY[key], value) for key, value in city.parameter_defaults.items()}
        for parameter in PARAMETERS:
            version, was_created = ParameterVersion.objects.get_or_create(
                key=parameter.key,
                jurisdiction=city.jurisdiction,
                effective_from=city.policy_date,
                defaults={
                    "value": own.get(parameter.key, parameter.default),
                    "reason": city.policy_document,
                },
            )
            if was_created:
                added.append(version)
    for version in added:
        audit.record(
            actor=actor,
            event="policy.defaults_loaded",
            obj=version,
            changes={"value": [None, version.value], "effective_from": [None, str(version.effective_from)]},
            reason=version.reason,
        )
    return len(added)
