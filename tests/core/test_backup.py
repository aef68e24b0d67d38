"""manage.py backup and restore (issue 8, beyond the defects: backups): a
populated database and its uploaded files round-trip with every table's row
count and every file identical; on SQLite in the normal suite, on PostgreSQL
when DATABASE_URL points there (pg_dump/pg_restore must be installed)."""

import json
import shutil

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from dudao.core import backups
from dudao.core.models import AuditEntry
from dudao.directory.models import Person

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def media(settings, tmp_path):
    root = tmp_path / "media"
    (root / "evidence" / "2026").mkdir(parents=True)
    (root / "evidence" / "2026" / "签到表.pdf").write_bytes(bytes(range(256)) * 40)
    (root / "certificates").mkdir()
    (root / "certificates" / "A1.pdf").write_bytes(b"%PDF-1.4 certificate\n")
    settings.MEDIA_ROOT = root
    return root


@pytest.fixture
def populated(media):
    if connection.vendor == "postgresql" and not shutil.which("pg_dump"):
        pytest.skip("pg_dump is not installed")
    call_command("load_reference_data", verbosity=0)
    call_command("load_policy_defaults", verbosity=0)
    call_command("load_demo", verbosity=0)
    return backups.table_counts()


def _wipe(media):
    call_command("flush", interactive=False, verbosity=0)
    shutil.rmtree(media)


def test_a_populated_database_and_its_files_round_trip_identically(populated, media, tmp_path):
    before_files = backups.media_files(media)
    assert Person.objects.count() > 50 and AuditEntry.objects.exists()
    call_command("backup", str(tmp_path / "backup"), verbosity=0)
    manifest = json.loads((tmp_path / "backup" / "manifest.json").read_text())
    assert manifest["tables"] == populated
    assert manifest["media"] == before_files

    _wipe(media)
    assert Person.objects.count() == 0

    call_command("restore", str(tmp_path / "backup"), verbosity=0)
    assert backups.table_counts() == populated
    assert backups.media_files(media) == before_files
    assert Person.objects.count() == populated[Person._meta.db_table]


def test_restore_refuses_a_database_with_data_unless_forced(populated, media, tmp_path):
    call_command("backup", str(tmp_path / "backup"), verbosity=0)
    AuditEntry.objects.filter(pk__in=list(AuditEntry.objects.values_list("pk", flat=True)[:3])).delete()
    with pytest.raises(CommandError, match="not empty"):
        call_command("restore", str(tmp_path / "backup"), verbosity=0)
    call_command("restore", str(tmp_path / "backup"), "--force", verbosity=0)
    assert backups.table_counts() == populated


def test_restore_refuses_a_damaged_backup(populated, media, tmp_path):
    call_command("backup", str(tmp_path / "backup"), verbosity=0)
    (tmp_path / "backup" / "media" / "certificates" / "A1.pdf").write_bytes(b"tampered")
    _wipe(media)
    with pytest.raises(CommandError, match="differ"):
        call_command("restore", str(tmp_path / "backup"), verbosity=0)


def test_backup_will_not_write_into_a_directory_that_holds_files(populated, tmp_path):
    (tmp_path / "old").mkdir()
    (tmp_path / "old" / "x").write_text("x")
    with pytest.raises(CommandError, match="not empty"):
        call_command("backup", str(tmp_path / "old"), verbosity=0)
