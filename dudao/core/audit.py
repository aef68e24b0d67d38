"""The one way to write an audit entry. Services call it inside their
transaction so an entry exists exactly when the change does.

Every entry names the act it records: an event with a stable code
("accounts.role_granted") and a translatable label. Each app declares its
events in its own `events.py` (core imports them at start-up, as the admin
does its modules); `record()` refuses a code nobody declared."""

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ImproperlyConfigured
from django.db import models
from django.utils.translation import gettext_lazy as _

from . import bulk
from .models import AuditEntry

CODE = re.compile(r"^[a-z]+\.[a-z][a-z_]*$")


@dataclass(frozen=True)
class Event:
    code: str  # "<app>.<what happened>", stored on every entry: never rename one
    label: str  # a lazy translation, shown in the log and its export
    action: str  # the kind of change (AuditEntry.Action), kept for older readers
    # Only for entries written before events existed: shown and filtered, never written.
    legacy: bool = False

    def __str__(self):
        return str(self.label)


class UnknownEvent(LookupError):
    pass


_EVENTS: dict[str, Event] = {}


def register(code: str, label, action: str, *, legacy: bool = False) -> Event:
    if not CODE.match(code):
        raise ImproperlyConfigured(f"Audit event code {code!r} is not <app>.<snake_case>.")
    if action not in AuditEntry.Action.values:
        raise ImproperlyConfigured(f"Audit event {code!r} has an unknown action {action!r}.")
    event = Event(code, label, action, legacy)
    if _EVENTS.setdefault(code, event) != event:
        raise ImproperlyConfigured(f"Audit event {code!r} is declared twice.")
    return event


def get(code: "str | Event") -> Event:
    try:
        return _EVENTS[code.code if isinstance(code, Event) else code]
    except KeyError:
        raise UnknownEvent(f"No audit event {code!r} is declared (see the apps' events.py).") from None


def events() -> list[Event]:
    """Every declared event, by code (so by app)."""
    return [_EVENTS[code] for code in sorted(_EVENTS)]


def choices() -> list[tuple[str, str]]:
    return [(e.code, e.label) for e in events()]


def grouped_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    """The events for a select, in one group per app (the app's name), older-entry events last."""
    groups: dict[str, list] = {}
    for event in events():
        app_label = event.code.split(".", 1)[0]
        group = _("Older entries") if event.legacy else apps.get_app_config(app_label).verbose_name
        groups.setdefault(group, []).append((event.code, event.label))
    return list(groups.items())


def label(code: str) -> str:
    """The event's label; an undeclared code (an app since removed) shows as itself."""
    event = _EVENTS.get(code)
    return str(event.label) if event else code


def _writable(event) -> Event:
    event = get(event)
    if event.legacy:
        raise UnknownEvent(f"Audit event {event.code!r} only describes older entries; record a precise event.")
    return event


def _action(event: Event, action: str | None) -> str:
    if action is not None and action != event.action:
        raise ValueError(f"Audit event {event.code!r} is a {event.action!r}, not a {action!r}.")
    return event.action


def _plain(value):
    if isinstance(value, models.Model):
        return str(value)
    if isinstance(value, dt.date | dt.datetime | Decimal):
        return str(value)
    if isinstance(value, list | tuple | set):
        return sorted(_plain(v) for v in value)
    return value


def snapshot(instance: models.Model, fields) -> dict:
    return {name: _plain(getattr(instance, name)) for name in fields}


def diff(before: dict, after: dict) -> dict:
    """{field: [old, new]} for the fields whose value changed."""
    return {k: [before.get(k), after[k]] for k in after if before.get(k) != after[k]}


def entry(
    *,
    actor,
    event: "str | Event",
    obj: models.Model,
    changes: dict | None = None,
    reason: str = "",
    action: str | None = None,
) -> AuditEntry:
    """The entry for `obj`, not yet saved: for writes that insert many at once.
    `action`, if given, must be the event's own (it is derived from the event;
    the argument stays for older callers)."""
    event = _writable(event)
    return AuditEntry(
        actor=actor if getattr(actor, "pk", None) else None,
        event=event.code,
        action=_action(event, action),
        content_type=ContentType.objects.get_for_model(obj, for_concrete_model=True),
        object_id=str(obj.pk),
        object_repr=str(obj)[:200],
        changes={k: [_plain(v[0]), _plain(v[1])] for k, v in (changes or {}).items()},
        reason=reason,
    )


def record(
    *,
    actor,
    event: "str | Event",
    obj: models.Model,
    changes: dict | None = None,
    reason: str = "",
    action: str | None = None,
) -> AuditEntry:
    new = entry(actor=actor, event=event, obj=obj, changes=changes, reason=reason, action=action)
    new.save(force_insert=True)
    return new


def record_many(
    *, actor, event: "str | Event", objects, changes: dict, reason: str = "", action: str | None = None
) -> None:
    """One entry per object in one insert, for bulk writes such as imports."""
    event = _writable(event)
    bulk.insert(
        [entry(actor=actor, event=event, obj=obj, changes=changes, reason=reason, action=action) for obj in objects]
    )
