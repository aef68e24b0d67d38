"""Pages and counts that cost the rows shown, not the rows in scope.

- A page first reads only the primary keys of its rows (an index-only scan of
  the list's composite index), then loads those rows with what they display.
  One row more than the page is read to know whether there is a next page, so
  no count is needed to page forward.
- A count is exact while it is small (a bounded count stops at
  DUDAO_EXACT_COUNT_LIMIT rows); above that PostgreSQL's planner estimate is
  shown, marked as an estimate (约). SQLite serves one city, where the exact
  count stays affordable, and has no estimate to offer.
- Keyset cursors page through any ordering at the same cost at any depth
  (the API's `?cursor=`). NULL sorts as the largest value on every backend, as
  PostgreSQL's indexes keep it, so an ordering index serves both directions.
"""

import base64
import binascii
import datetime as dt
import json
import math
from dataclasses import dataclass
from decimal import Decimal
from functools import reduce
from operator import or_

from django.conf import settings
from django.core.exceptions import FieldDoesNotExist
from django.db import connections
from django.db.models import F, Q, QuerySet
from django.db.models.expressions import OrderBy

# Deeper than this a page number is refused: narrowing the list (or the API's
# cursor) reaches any row at the cost of one page.
MAX_OFFSET = 500_000


@dataclass(frozen=True)
class Count:
    value: int
    exact: bool


def count(queryset: QuerySet) -> Count:
    limit = settings.DUDAO_EXACT_COUNT_LIMIT
    bounded = queryset.order_by().values("pk")[: limit + 1].count()
    if bounded <= limit:
        return Count(bounded, True)
    return Count(max(estimate(queryset), bounded), False)


def estimate(queryset: QuerySet) -> int:
    connection = connections[queryset.db]
    if connection.vendor != "postgresql":
        return queryset.order_by().count()
    sql, params = queryset.order_by().values("pk").query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (FORMAT JSON) " + sql, params)
        plan = cursor.fetchone()[0]
    if isinstance(plan, str):
        plan = json.loads(plan)
    return int(plan[0]["Plan"]["Plan Rows"])


# --- orderings -------------------------------------------------------------------


@dataclass(frozen=True)
class Key:
    field: str
    descending: bool
    nullable: bool


def _field_nullable(model, path: str) -> bool:
    parts = path.split("__")
    for i, part in enumerate(parts):
        try:
            field = model._meta.get_field("id" if part == "pk" else part)
        except FieldDoesNotExist:
            return True
        if i < len(parts) - 1:
            if field.null:
                return True
            model = field.related_model
        else:
            return bool(getattr(field, "null", True))
    return True


def keys_of(queryset: QuerySet) -> list[Key]:
    """The ordering of a queryset as keys, ending with the primary key so
    that it is total (a cursor needs a row to be after exactly one place)."""
    model = queryset.model
    ordering = list(queryset.query.order_by) or list(model._meta.ordering)
    keys = []
    for item in ordering:
        if isinstance(item, OrderBy) and isinstance(item.expression, F):
            name, descending = item.expression.name, item.descending
        elif isinstance(item, str):
            name, descending = item.lstrip("-"), item.startswith("-")
        else:
            raise ValueError(f"Unsupported ordering {item!r}")
        if name == "pk":
            name = model._meta.pk.name
        keys.append(Key(name, descending, _field_nullable(model, name)))
        if name == model._meta.pk.name:
            return keys
    keys.append(Key(model._meta.pk.name, False, False))
    return keys


def order(queryset: QuerySet, keys: list[Key], *, reverse: bool = False) -> QuerySet:
    """Order by `keys` with NULL as the largest value on every backend."""
    expressions = []
    for key in keys:
        descending = key.descending != reverse
        expression = F(key.field)
        if key.nullable:
            expressions.append(expression.desc(nulls_first=True) if descending else expression.asc(nulls_last=True))
        else:
            expressions.append(expression.desc() if descending else expression.asc())
    return queryset.order_by(*expressions)


def stable(queryset: QuerySet) -> QuerySet:
    """The queryset in its own ordering made total and NULL-consistent."""
    return order(queryset, keys_of(queryset))


def after(keys: list[Key], values: list, *, reverse: bool = False) -> Q:
    """Rows strictly after `values` in the order of `keys` (before, when
    reverse): (a > x) or (a = x and b > y) or ..., with NULL largest."""
    terms, equal = [], Q()
    for key, value in zip(keys, values, strict=True):
        forward = key.descending == reverse  # walking towards larger values
        if value is None:
            beyond = Q(**{f"{key.field}__isnull": False}) if not forward else None
            same = Q(**{f"{key.field}__isnull": True})
        else:
            beyond = Q(**{f"{key.field}__{'gt' if forward else 'lt'}": value})
            if forward and key.nullable:
                beyond |= Q(**{f"{key.field}__isnull": True})
            same = Q(**{key.field: value})
        if beyond is not None:
            terms.append(equal & beyond)
        equal &= same
    if not terms:
        return Q(pk__in=[])
    return _leading_bound(keys[0], values[0], reverse=reverse) & reduce(or_, terms)


def _leading_bound(key: Key, value, *, reverse: bool) -> Q:
    """A bound on the first key alone, implied by the disjunction above but
    stated on its own so the database starts an index range at the cursor
    (PostgreSQL does not derive a range from `a > x OR (a = x AND ...)`, and
    would otherwise read every row before the cursor and discard it)."""
    if value is None:
        return Q()
    if key.descending == reverse:  # walking towards larger values; NULLs come last
        return Q() if key.nullable else Q(**{f"{key.field}__gte": value})
    # Walking towards smaller values: NULLs (the largest) are never before a value.
    return Q(**{f"{key.field}__lte": value})


def values_of(obj, keys: list[Key]) -> list:
    values = []
    for key in keys:
        value = obj
        for part in key.field.split("__"):
            value = getattr(value, part) if value is not None else None
        values.append(value)
    return values


def _plain(value):
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if hasattr(value, "pk"):
        return value.pk
    return value


def encode_cursor(values: list, *, reverse: bool) -> str:
    raw = json.dumps({"v": [_plain(v) for v in values], "r": reverse}, separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


class BadCursor(ValueError):
    pass


def decode_cursor(token: str, keys: list[Key]) -> tuple[list, bool]:
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        data = json.loads(raw)
        values, reverse = data["v"], bool(data["r"])
    except (binascii.Error, ValueError, KeyError, TypeError) as exc:
        raise BadCursor(token) from exc
    if not isinstance(values, list) or len(values) != len(keys):
        raise BadCursor(token)
    if any(not isinstance(v, str | int | float | bool | type(None)) for v in values):
        raise BadCursor(token)
    return values, reverse


# --- pages -----------------------------------------------------------------------


class Page:
    """What the list templates and the API need of a page, without a full count."""

    def __init__(self, object_list, *, number: int, per_page: int, has_next: bool, total: Count | None):
        self.object_list = object_list
        self.number = number
        self.per_page = per_page
        self._has_next = has_next
        self.total = total

    def __iter__(self):
        return iter(self.object_list)

    def __len__(self):
        return len(self.object_list)

    def has_next(self) -> bool:
        return self._has_next

    def has_previous(self) -> bool:
        return self.number > 1

    def has_other_pages(self) -> bool:
        return self.has_next() or self.has_previous()

    def next_page_number(self) -> int:
        return self.number + 1

    def previous_page_number(self) -> int:
        return self.number - 1

    @property
    def num_pages(self) -> int | None:
        if self.total is None:
            return None
        return max(1, math.ceil(self.total.value / self.per_page))

    @property
    def start_index(self) -> int:
        return (self.number - 1) * self.per_page + 1 if self.object_list else 0

    @property
    def end_index(self) -> int:
        return (self.number - 1) * self.per_page + len(self.object_list)


def page_number(raw, per_page: int) -> int:
    try:
        number = int(str(raw))
    except (TypeError, ValueError):
        return 1
    return min(max(number, 1), MAX_OFFSET // per_page + 1)


def rows_for(queryset: QuerySet, ids: list) -> list:
    """The rows of `ids` with everything `queryset` selects and prefetches, in
    the order of `ids`."""
    by_pk = {obj.pk: obj for obj in queryset.order_by().filter(pk__in=ids)}
    return [by_pk[pk] for pk in ids if pk in by_pk]


def page(queryset: QuerySet, number, per_page: int, *, with_count: bool = True, clamp: bool = True) -> Page:
    queryset = stable(queryset)
    number = page_number(number, per_page)
    offset = (number - 1) * per_page
    ids = list(queryset.values_list("pk", flat=True)[offset : offset + per_page + 1])
    has_next = len(ids) > per_page
    ids = ids[:per_page]
    total = count(queryset) if with_count else None
    if not ids and number > 1 and clamp and total is not None and total.exact:
        # A stale link past the end: show the last page rather than nothing.
        return page(queryset, max(1, math.ceil(total.value / per_page)), per_page, with_count=with_count)
    return Page(rows_for(queryset, ids), number=number, per_page=per_page, has_next=has_next, total=total)


@dataclass
class CursorPage:
    object_list: list
    next_cursor: str | None
    previous_cursor: str | None


def cursor_page(queryset: QuerySet, token: str | None, per_page: int) -> CursorPage:
    """A page after (or before) the row a cursor names; `token` None or ""
    starts at the beginning. Raises BadCursor for a token that is not ours."""
    keys = keys_of(queryset)
    reverse = False
    if token:
        values, reverse = decode_cursor(token, keys)
        queryset = queryset.filter(after(keys, values, reverse=reverse))
    ids_query = order(queryset, keys, reverse=reverse)
    ids = list(ids_query.values_list("pk", flat=True)[: per_page + 1])
    more = len(ids) > per_page
    ids = ids[:per_page]
    if reverse:
        ids.reverse()
    rows = rows_for(queryset, ids)
    if not rows:
        return CursorPage([], None, None)
    first, last = values_of(rows[0], keys), values_of(rows[-1], keys)
    # Forward: a next page exists when a row was left over; a previous one
    # whenever we did not start at the beginning. Backward: the mirror.
    has_next = more if not reverse else True
    has_previous = bool(token) if not reverse else more
    return CursorPage(
        rows,
        encode_cursor(last, reverse=False) if has_next else None,
        encode_cursor(first, reverse=True) if has_previous else None,
    )
