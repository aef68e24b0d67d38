import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings

from dudao.directory import reference_data


@pytest.fixture(scope="module")
def demo_once(django_db_setup, django_db_blocker):
    """The whole demo loaded once per test module (and xdist worker), inside a
    transaction rolled back after the module: each test runs in its own
    savepoint within it, as every database test runs in a transaction. Loading
    the demo takes seconds; once per test made these modules the slowest of the
    suite."""
    # The suite's fast hasher (tests/conftest.py sets it per test, after this fixture).
    fast = override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
    with django_db_blocker.unblock(), fast, transaction.atomic():
        reference_data.load()
        call_command("load_demo")
        yield
        transaction.set_rollback(True)
