"""Run requests at the same instant from several threads, each with its own
database connection: the races only a real database with row locks shows."""

import threading

import pytest
from django.db import connection
from rest_framework.test import APIClient


def skip_unless_postgresql():
    if connection.vendor != "postgresql":
        pytest.skip(
            "needs PostgreSQL row locks: SQLite's in-memory test database cannot show these races; "
            "run with DATABASE_URL=postgres://..."
        )


def run_together(calls, timeout=120):
    """Each call in its own thread, released together; the outcomes in call
    order: ("ok", result) or ("error", exception)."""
    barrier = threading.Barrier(len(calls))
    outcomes = [None] * len(calls)

    def worker(i, call):
        try:
            barrier.wait(timeout=30)
            outcomes[i] = ("ok", call())
        except Exception as exc:  # noqa: BLE001 - reported by the test
            outcomes[i] = ("error", exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i, call)) for i, call in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=timeout)
    assert not any(t.is_alive() for t in threads), "a thread hung"
    return outcomes


def api_call(user, method, url, data=None, **kwargs):
    """A request as `user` through the API, returning the response; a server
    error raises in the thread (the test client re-raises it)."""

    def call():
        client = APIClient()
        client.force_authenticate(user)
        return getattr(client, method)(url, data, **kwargs)

    return call
