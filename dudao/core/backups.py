"""Backup and restore of the database and the uploaded files (MEDIA_ROOT).

A backup is a directory:

    manifest.json   what is inside: engine, row count per table, checksums
    db.sqlite3      SQLite: a consistent copy made with SQLite's backup API
    db.dump         PostgreSQL: pg_dump's custom format
    media/          a copy of MEDIA_ROOT

Row counts are taken from the same snapshot as the dump (the copied SQLite
file; on PostgreSQL a REPEATABLE READ transaction whose snapshot pg_dump
shares), so a restore can prove it brought back exactly what was saved."""

import datetime as dt
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction

MANIFEST = "manifest.json"
FORMAT = 1
SQLITE_FILE = "db.sqlite3"
POSTGRES_FILE = "db.dump"
MEDIA_DIR = "media"
# Tables that a freshly migrated, never used database already fills.
BOOKKEEPING_TABLES = {"django_migrations", "django_content_type", "auth_permission"}


class BackupError(Exception):
    pass


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1024 * 1024), b""):
            digest.update(chunk)
    return digest.hexdigest()


def media_files(root: Path) -> dict[str, dict]:
    """{relative path: {"sha256", "size"}} for every file under root."""
    files = {}
    if not root.exists():
        return files
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        files[path.relative_to(root).as_posix()] = {"sha256": sha256(path), "size": path.stat().st_size}
    return files


def _count_rows(cursor, tables) -> dict[str, int]:
    counts = {}
    for table in sorted(tables):
        cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")
        counts[table] = cursor.fetchone()[0]
    return counts


def table_counts() -> dict[str, int]:
    """Row count per table of the live database."""
    with connection.cursor() as cursor:
        return _count_rows(cursor, connection.introspection.table_names(cursor))


def _postgres_env() -> tuple[list[str], dict]:
    db = connection.settings_dict
    args = ["--dbname", db["NAME"]]
    if db.get("HOST"):
        args += ["--host", db["HOST"]]
    if db.get("PORT"):
        args += ["--port", str(db["PORT"])]
    if db.get("USER"):
        args += ["--username", db["USER"]]
    env = dict(os.environ)
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = db["PASSWORD"]
    return args, env


def _run(command: list[str], env: dict) -> None:
    result = subprocess.run(command, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise BackupError(f"{command[0]} failed: {result.stderr.strip()}")


@dataclass
class Result:
    directory: Path
    manifest: dict


def backup(directory: Path) -> Result:
    directory = Path(directory)
    if directory.exists() and any(directory.iterdir()):
        raise BackupError(f"{directory} is not empty; give a new directory.")
    directory.mkdir(parents=True, exist_ok=True)
    vendor = connection.vendor
    if vendor == "sqlite":
        database_file = SQLITE_FILE
        connection.ensure_connection()
        target = sqlite3.connect(directory / database_file)
        try:
            connection.connection.backup(target)
            # Counted in the copy: exactly what was saved.
            cursor = target.cursor()
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
            tables = [row[0] for row in cursor.fetchall()]
            counts = {}
            for table in sorted(tables):
                counts[table] = cursor.execute(f'SELECT COUNT(*) FROM "{table}"').fetchone()[0]
        finally:
            target.close()
    elif vendor == "postgresql":
        database_file = POSTGRES_FILE
        args, env = _postgres_env()
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
            _run(
                [
                    "pg_dump",
                    *args,
                    "--format=custom",
                    "--no-owner",
                    "--no-privileges",
                    f"--snapshot={snapshot}",
                    "--file",
                    str(directory / database_file),
                ],
                env,
            )
            counts = _count_rows(cursor, connection.introspection.table_names(cursor))
    else:
        raise BackupError(f"Backups of {vendor} databases are not supported.")

    media_root = Path(settings.MEDIA_ROOT)
    if media_root.exists():
        shutil.copytree(media_root, directory / MEDIA_DIR)
    else:
        (directory / MEDIA_DIR).mkdir()
    manifest = {
        "format": FORMAT,
        "created_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "engine": vendor,
        "database_file": database_file,
        "database_sha256": sha256(directory / database_file),
        "tables": counts,
        "media": media_files(directory / MEDIA_DIR),
    }
    (directory / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True))
    return Result(directory, manifest)


def read_manifest(directory: Path) -> dict:
    path = Path(directory) / MANIFEST
    if not path.exists():
        raise BackupError(f"{directory} holds no {MANIFEST}: not a backup.")
    manifest = json.loads(path.read_text())
    if manifest.get("format") != FORMAT:
        raise BackupError(f"Unknown backup format {manifest.get('format')!r}.")
    return manifest


def verify(directory: Path, manifest: dict) -> None:
    """Refuse a backup whose files differ from what its manifest says."""
    directory = Path(directory)
    database = directory / manifest["database_file"]
    if not database.exists() or sha256(database) != manifest["database_sha256"]:
        raise BackupError(f"{database} is missing or damaged (checksum differs).")
    found = media_files(directory / MEDIA_DIR)
    if found != manifest["media"]:
        changed = sorted(
            set(found) ^ set(manifest["media"]) | {k for k in found if found.get(k) != manifest["media"].get(k)}
        )
        raise BackupError(f"The backup's media files differ from its manifest: {', '.join(changed[:10])}")


def user_data_tables() -> dict[str, int]:
    """Tables of the live database holding rows beyond what migrating fills."""
    return {t: n for t, n in table_counts().items() if n and t not in BOOKKEEPING_TABLES}


def restore(directory: Path, *, force: bool = False) -> Result:
    directory = Path(directory)
    manifest = read_manifest(directory)
    if manifest["engine"] != connection.vendor:
        raise BackupError(f"The backup is of a {manifest['engine']} database; this one is {connection.vendor}.")
    verify(directory, manifest)
    media_root = Path(settings.MEDIA_ROOT)
    if not force:
        filled = user_data_tables() if connection.introspection.table_names() else {}
        if filled:
            names = ", ".join(sorted(filled)[:5])
            raise BackupError(f"The database is not empty ({names}…); use --force to replace its contents.")
        if media_files(media_root):
            raise BackupError(f"{media_root} is not empty; use --force to overwrite its files.")

    database = directory / manifest["database_file"]
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        source = sqlite3.connect(database)
        try:
            source.backup(connection.connection)
        finally:
            source.close()
    else:
        args, env = _postgres_env()
        connection.close()
        _run(
            [
                "pg_restore",
                *args,
                "--clean",
                "--if-exists",
                "--no-owner",
                "--no-privileges",
                "--single-transaction",
                "--exit-on-error",
                str(database),
            ],
            env,
        )
    for relative in manifest["media"]:
        target = media_root / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(directory / MEDIA_DIR / relative, target)

    counts = table_counts()
    differ = {t: (n, counts.get(t)) for t, n in manifest["tables"].items() if counts.get(t) != n}
    if differ:
        raise BackupError(f"Restored row counts differ from the backup: {differ}")
    restored_media = media_files(media_root)
    missing = [k for k, v in manifest["media"].items() if restored_media.get(k) != v]
    if missing:
        raise BackupError(f"Restored media files differ from the backup: {missing[:10]}")
    return Result(directory, manifest)
