import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dudao.core import paging
from dudao.directory.models import Person

from ..factories import staff


@pytest.fixture
def people(world):
    # Ten people with ties on the sort key and NULLs among them.
    made = []
    for i in range(10):
        frontline = None if i % 3 == 0 else dt.date(2010 + i % 4, 1, 1)
        made.append(staff(world.agency, name=f"排序{i % 4}", frontline_since=frontline))
    return Person.objects.filter(pk__in=[p.pk for p in made])


def walk_forward(queryset, size):
    seen, token = [], ""
    while True:
        result = paging.cursor_page(queryset, token, size)
        seen += [p.pk for p in result.object_list]
        if not result.next_cursor:
            return seen, result
        token = result.next_cursor


@pytest.mark.parametrize("ordering", [("name",), ("-name",), ("frontline_since",), ("-frontline_since", "name")])
def test_cursor_pages_visit_every_row_once_in_the_order_of_a_full_read(people, ordering):
    queryset = people.order_by(*ordering)
    expected = [p.pk for p in paging.stable(queryset)]
    seen, _last = walk_forward(queryset, 3)
    assert seen == expected


def test_nulls_sort_last_ascending_and_first_descending_on_every_backend(people):
    ascending = [p.frontline_since for p in paging.stable(people.order_by("frontline_since"))]
    assert ascending[-1] is None and ascending[0] is not None
    descending = [p.frontline_since for p in paging.stable(people.order_by("-frontline_since"))]
    assert descending[0] is None and descending[-1] is not None


def test_a_previous_cursor_returns_the_page_before(people):
    queryset = people.order_by("frontline_since")
    first = paging.cursor_page(queryset, "", 4)
    second = paging.cursor_page(queryset, first.next_cursor, 4)
    assert first.previous_cursor is None and second.previous_cursor
    back = paging.cursor_page(queryset, second.previous_cursor, 4)
    assert [p.pk for p in back.object_list] == [p.pk for p in first.object_list]
    assert back.next_cursor and back.previous_cursor is None


def test_a_forged_cursor_is_refused(people):
    for token in ["nonsense", "eyJ2IjpbXX0", paging.encode_cursor([1], reverse=False)]:
        with pytest.raises(paging.BadCursor):
            paging.cursor_page(people.order_by("name"), token, 3)


def test_a_page_reads_only_its_rows_and_knows_the_next_without_a_count(people):
    queryset = people.order_by("name")
    first = paging.page(queryset, 1, 4, with_count=False)
    last = paging.page(queryset, 3, 4, with_count=False)
    assert len(first.object_list) == 4 and first.has_next()
    assert len(last.object_list) == 2 and not last.has_next()
    assert first.total is None


def test_a_deep_page_costs_the_same_queries_as_the_first(people):
    queryset = people.order_by("name")
    with CaptureQueriesContext(connection) as first:
        paging.page(queryset, 1, 2)
    with CaptureQueriesContext(connection) as deep:
        paging.page(queryset, 5, 2)
    assert len(deep) == len(first)


def test_counts_are_exact_up_to_the_limit_then_estimated(people, settings):
    settings.DUDAO_EXACT_COUNT_LIMIT = 20
    assert paging.count(people) == paging.Count(10, True)
    settings.DUDAO_EXACT_COUNT_LIMIT = 5
    total = paging.count(people)
    assert not total.exact
    if connection.vendor == "postgresql":
        # The planner's figure, never less than what the bounded count saw.
        assert total.value >= 6
    else:
        assert total.value == 10


def test_a_page_number_past_the_end_of_a_small_list_shows_the_last_page(people):
    result = paging.page(people.order_by("name"), 99, 4)
    assert result.number == 3 and len(result.object_list) == 2


def test_junk_and_enormous_page_numbers_are_bounded(people):
    assert paging.page_number("abc", 25) == 1
    assert paging.page_number("-3", 25) == 1
    assert paging.page_number("9" * 40, 25) == paging.MAX_OFFSET // 25 + 1


@pytest.mark.parametrize(
    ("ordering", "bound"), [(("name",), '"name" >= '), (("-name",), '"name" <= '), (("-frontline_since",), "<= ")]
)
def test_a_cursor_bounds_its_first_key_so_the_index_range_starts_at_the_cursor(people, ordering, bound):
    # Without a plain bound on the first key, PostgreSQL reads every row before
    # the cursor and filters it out: a cursor 50,000 rows deep read 50,000 rows.
    queryset = people.order_by(*ordering)
    first = paging.cursor_page(queryset, "", 5)  # past the four NULLs
    keys = paging.keys_of(queryset)
    values, reverse = paging.decode_cursor(first.next_cursor, keys)
    sql = str(queryset.filter(paging.after(keys, values, reverse=reverse)).query)
    assert bound in sql
