"""accounts.0002/0003 on a database that already holds what the old
constraints let through: duplicate grants and a city role at a district."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from dudao.directory import reference_data

BEFORE = [("accounts", "0001_initial")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def _latest():
    executor = MigrationExecutor(connection)
    return executor.loader.graph.leaf_nodes()


@pytest.mark.django_db(transaction=True)
def test_the_migration_removes_duplicates_and_misplaced_grants_and_audits_it():
    reference_data.load()
    try:
        old = _migrate(BEFORE)
        User = old.get_model("accounts", "User")
        RoleAssignment = old.get_model("accounts", "RoleAssignment")
        Jurisdiction = old.get_model("directory", "Jurisdiction")
        city, jinshui = Jurisdiction.objects.get(code="410100"), Jurisdiction.objects.get(code="410105")
        alice = User.objects.create(username="alice", password="!")
        bob = User.objects.create(username="bob", password="!")
        for _ in range(3):
            RoleAssignment.objects.create(user=alice, role="hrss", jurisdiction=city)
        RoleAssignment.objects.create(user=alice, role="social_worker")
        RoleAssignment.objects.create(user=alice, role="social_worker")
        RoleAssignment.objects.create(user=bob, role="city_admin", jurisdiction=jinshui)  # the escalation
        RoleAssignment.objects.create(user=bob, role="district_admin", jurisdiction=jinshui)
        keep = RoleAssignment.objects.filter(user=alice, role="hrss").order_by("pk").first().pk

        new = _migrate(_latest())
        RoleAssignment = new.get_model("accounts", "RoleAssignment")
        AuditEntry = new.get_model("core", "AuditEntry")
        rows = sorted(RoleAssignment.objects.values_list("user__username", "role", "scope_level"))
        assert rows == [
            ("alice", "hrss", "city"),
            ("alice", "social_worker", "self"),
            ("bob", "district_admin", "district"),
        ]
        assert RoleAssignment.objects.filter(role="hrss").get().pk == keep
        removed = AuditEntry.objects.filter(reason__startswith="Migration accounts.0002")
        assert removed.count() == 4
        assert removed.filter(object_id=str(bob.pk), changes__role=["city_admin 金水区", None]).exists()
    finally:
        _migrate(_latest())
