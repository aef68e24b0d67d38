"""The one way to write an audit entry. Services call it inside their
transaction so an entry exists exactly when the change does."""

import datetime as dt
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.db import models

from . import bulk
from .models import AuditEntry


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


def record(*, actor, action: str, obj: models.Model, changes: dict | None = None, reason: str = "") -> AuditEntry:
    return AuditEntry.objects.create(
        actor=actor if getattr(actor, "pk", None) else None,
        action=action,
        content_type=ContentType.objects.get_for_model(obj, for_concrete_model=True),
        object_id=str(obj.pk),
        object_repr=str(obj)[:200],
        changes={k: [_plain(v[0]), _plain(v[1])] for k, v in (changes or {}).items()},
        reason=reason,
    )


def record_many(*, actor, action: str, objects, changes: dict, reason: str = "") -> None:
    """One entry per object in one insert, for bulk writes such as imports."""
    objects = list(objects)
    if not objects:
        return
    content_type = ContentType.objects.get_for_model(objects[0], for_concrete_model=True)
    plain = {k: [_plain(v[0]), _plain(v[1])] for k, v in changes.items()}
    bulk.insert(
        [
            AuditEntry(
                actor=actor if getattr(actor, "pk", None) else None,
                action=action,
                content_type=content_type,
                object_id=str(obj.pk),
                object_repr=str(obj)[:200],
                changes=plain,
                reason=reason,
            )
            for obj in objects
        ]
    )
