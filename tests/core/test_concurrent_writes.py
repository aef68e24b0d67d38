"""Identical requests at the same moment: one wins, the others get a clear
400/409, never a 500 (issue 8, item 8). The API's exception handler turns the
database's own refusals into answers; SQLite queues writers instead of
failing them."""

import sqlite3
import threading
import time

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, OperationalError, connections, transaction
from django.utils import translation

from dudao.core.api import exception_handler


def test_a_unique_constraint_that_fires_is_a_409_with_a_message():
    with translation.override("zh-hans"):
        response = exception_handler(IntegrityError("duplicate key value violates unique constraint"), {})
    assert response.status_code == 409
    assert "同时" in response.data["detail"]


def test_a_locked_sqlite_database_is_a_503_to_retry():
    response = exception_handler(OperationalError("database is locked"), {})
    assert response.status_code == 503
    assert response["Retry-After"] == "1"


def test_other_database_errors_stay_server_errors():
    # A missing table is a defect, not an answer to give a client.
    assert exception_handler(OperationalError("no such table: directory_person"), {}) is None


def test_a_service_validation_error_that_escaped_the_view_is_a_400():
    response = exception_handler(ValidationError({"name": "太长"}), {})
    assert response.status_code == 400
    assert response.data == {"name": ["太长"]}


def test_sqlite_opens_write_transactions_immediately_with_a_busy_timeout():
    default = settings.DATABASES["default"]
    if default["ENGINE"] != "django.db.backends.sqlite3":
        pytest.skip("the SQLite options apply to SQLite only")
    assert default["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
    assert default["OPTIONS"]["timeout"] >= 5


@pytest.fixture
def sqlite_file_alias(tmp_path, django_db_blocker):
    """A second alias on a SQLite file (the test database is in memory, where
    threads share one cache and locking works differently), with the same
    options as the default database."""
    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3":
        pytest.skip("the SQLite options apply to SQLite only")
    alias = "sqlite_concurrency_probe"
    path = tmp_path / "probe.sqlite3"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE person (id_number TEXT UNIQUE)")
    connections.settings[alias] = {
        **connections["default"].settings_dict,
        "NAME": str(path),
        "OPTIONS": dict(settings.DATABASES["default"]["OPTIONS"]),
        "TEST": {"NAME": str(path)},
    }
    try:
        # Only this alias is touched: the test database itself is not used.
        with django_db_blocker.unblock():
            yield alias
    finally:
        connections[alias].close()
        del connections[alias]
        del connections.settings[alias]


def test_eight_identical_sqlite_writers_queue_and_exactly_one_inserts(sqlite_file_alias):
    """The shape of create_person: read whether the person exists, then
    insert. Deferred transactions both read, then neither can take the write
    lock ("database is locked" at once, no waiting); immediate ones queue at
    BEGIN and the later ones see the first one's row."""
    barrier = threading.Barrier(8)
    outcomes = []

    def create():
        connection = connections[sqlite_file_alias]
        try:
            barrier.wait(timeout=10)
            with transaction.atomic(using=sqlite_file_alias), connection.cursor() as cursor:
                cursor.execute("SELECT count(*) FROM person WHERE id_number = %s", ["410105199001011234"])
                exists = cursor.fetchone()[0]
                time.sleep(0.05)
                if not exists:
                    cursor.execute("INSERT INTO person VALUES (%s)", ["410105199001011234"])
            outcomes.append("created" if not exists else "exists")
        except Exception as exc:  # noqa: BLE001 - reported by the test
            outcomes.append(repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=create) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sorted(outcomes) == ["created"] + ["exists"] * 7, outcomes
