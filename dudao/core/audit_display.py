"""The audit log as a reader sees it: each change under its field's label (the
model field's verbose name), values as the pages show them (a choice's label,
a date as a date, a time in local time, 是/否), and who acted by name and unit.

Entries keep what the services stored (codes, ISO dates, field names): the API
hands those out unchanged. Everything here reads only the entry and what the
list query fetched with it (dudao.core.selectors.audit_entries_for), so a page
of entries costs no query per row."""

import datetime as dt

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils import formats, timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

EMPTY = "—"

# Keys some services record that are no field of the audited model.
EXTRA_LABELS = {
    "password": gettext_lazy("password"),
    "api_token": gettext_lazy("API token"),
    "scores": gettext_lazy("scores"),
    "scores_imported": gettext_lazy("scores imported"),
    "questions": gettext_lazy("questions"),
    "answered": gettext_lazy("answered"),
    "participants": gettext_lazy("participants"),
    "members": gettext_lazy("members"),
    "attendance": gettext_lazy("attendance"),
    "certificates": gettext_lazy("certificates"),
    "evidence": gettext_lazy("evidence"),
    "employment": gettext_lazy("employment"),
    "role": gettext_lazy("role"),
    "list": gettext_lazy("list"),
    "flag": gettext_lazy("flag"),
}


def _field(model, key: str):
    if model is None:
        return None
    for name in (key, key.removesuffix("_id")):
        try:
            return model._meta.get_field(name)
        except FieldDoesNotExist:
            continue
    return None


def field_label(model, key: str) -> str:
    """The field's verbose name; a key that is no field shows its known label, else itself."""
    field = _field(model, key)
    if field is not None and hasattr(field, "verbose_name"):
        return capfirst(str(field.verbose_name))
    if key in EXTRA_LABELS:
        return capfirst(str(EXTRA_LABELS[key]))
    return key


def _date_or_time(text: str):
    try:
        moment = parse_datetime(text) if ("T" in text or " " in text or ":" in text) else None
        if moment is not None:
            return moment
        return parse_date(text)
    except ValueError:
        return None


def format_moment(value) -> str:
    if isinstance(value, dt.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return formats.date_format(value, "Y-m-d H:i")
    return formats.date_format(value, "Y-m-d")


def display_value(model, key: str, value) -> str:
    """One stored value as the pages show it."""
    if value is None or value == "":
        return EMPTY
    if isinstance(value, list | tuple):
        return "、".join(display_value(model, key, v) for v in value) or EMPTY
    if isinstance(value, dict):
        return "；".join(f"{k}：{display_value(None, k, v)}" for k, v in value.items()) or EMPTY
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    field = _field(model, key)
    if field is not None and getattr(field, "choices", None):
        labels = {str(code): label for code, label in field.flatchoices}
        if str(value) in labels:
            return str(labels[str(value)])
    if isinstance(field, models.BooleanField) and value in (0, 1, "True", "False"):
        return _("Yes") if value in (1, "True") else _("No")
    if isinstance(value, str) and value[:4].isdigit() and len(value) >= 10 and value[4] == "-":
        moment = _date_or_time(value)
        if moment is not None:
            return format_moment(moment)
    return str(value)


def readable_changes(entry) -> list[tuple[str, str, str]]:
    """(label, old, new) for each recorded change."""
    model = entry.content_type.model_class()
    rows = []
    # The model's field order, then other keys by name: PostgreSQL's jsonb keeps
    # no insertion order, and the log must read the same on either database.
    order = {f.name: i for i, f in enumerate(model._meta.get_fields())} if model else {}
    changes = entry.changes or {}
    for key in sorted(changes, key=lambda k: (0, order[k], "") if k in order else (1, 0, k)):
        values = changes[key]
        old, new = values if isinstance(values, list | tuple) and len(values) == 2 else (None, values)
        rows.append((field_label(model, key), display_value(model, key, old), display_value(model, key, new)))
    return rows


def changes_text(entry) -> str:
    """The changes in one cell of the export, a line each."""
    return "\n".join(f"{label}：{old} → {new}" for label, old, new in readable_changes(entry))


def actor_name(entry) -> str:
    actor = entry.actor
    if actor is None:
        return _("System")
    return actor.get_full_name() or actor.username


def actor_unit(entry) -> str:
    """The unit the actor acts for (the user model's `unit_name`, read from what the list prefetched)."""
    actor = entry.actor
    return getattr(actor, "unit_name", "") if actor is not None else ""


def actor_display(entry) -> str:
    unit = actor_unit(entry)
    return f"{actor_name(entry)}（{unit}）" if unit else actor_name(entry)
