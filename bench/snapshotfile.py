"""The snapshot file itself: where it lives, its schema, and how a new one is published.

Everything here is local file work (``sqlite3``, ``os``), so the read strategies can use it
without loading the DynamoDB machinery of ``bench.snapshot`` into a container's start-up.

The file is written with the ``sqlite3`` module directly, in one transaction, with the schema the
ORM model ``bench.models.Random`` reads (``tests/test_snapshot.py`` compares it with what Django
would create). Rows go in sorted by id, so rowid order is id order and a full read is already in
fingerprint order. The journal is off while the private temporary file is written (nobody else
can see it, and it is fsynced before it is published); the published file has the default
rollback journal, never WAL (WAL needs shared memory, which NFS cannot give).
"""

import contextlib
import os
import sqlite3
from datetime import datetime
from pathlib import Path

from django.conf import settings

from bench.dynamo import keys
from bench.fingerprint import fingerprint

TEMP_SUFFIX = ".tmp"

# The DDL Django creates for bench.models.Random (asserted in tests/test_snapshot.py).
CREATE_TABLE = (
    'CREATE TABLE "randoms" ("id" varchar(26) NOT NULL PRIMARY KEY, '
    '"random_value" real NOT NULL, "created_at" datetime NOT NULL)'
)
CREATE_INDEX = 'CREATE INDEX "randoms_created_at_12271382" ON "randoms" ("created_at")'
CREATE_META = (
    'CREATE TABLE "snapshot_meta" ("version" varchar(26) NOT NULL PRIMARY KEY, '
    '"rows" integer NOT NULL, "fingerprint" varchar(64) NOT NULL, "built_at" datetime NOT NULL)'
)
INSERT_ROW = 'INSERT INTO "randoms" ("id", "random_value", "created_at") VALUES (?, ?, ?)'
INSERT_META = 'INSERT INTO "snapshot_meta" VALUES (?, ?, ?, ?)'


# (id, random_value, created_at in the text form Django stores: "YYYY-MM-DD HH:MM:SS.ffffff")
Row = tuple[str, float, str]


def snapshot_path(efs_dir: Path | None = None) -> Path:
    directory = settings.BENCH_EFS_DIR if efs_dir is None else efs_dir
    return Path(directory) / settings.SNAPSHOT_FILE_NAME


# --- created_at between DynamoDB (keys.iso_utc) and SQLite (Django's storage format) ---


def sqlite_datetime(iso: str) -> str:
    """``2026-01-02T03:04:05.678901Z`` -> ``2026-01-02 03:04:05.678901`` (Django's SQLite text)."""
    if len(iso) == 27 and iso[10] == "T" and iso[26] == "Z":
        return f"{iso[:10]} {iso[11:26]}"
    return sqlite_datetime(keys.iso_utc(datetime.fromisoformat(iso)))


def iso_datetime(stored: str) -> str:
    """The inverse of ``sqlite_datetime`` (also accepts Django's form without microseconds)."""
    if len(stored) == 26:
        return f"{stored[:10]}T{stored[11:]}Z"
    return keys.iso_utc(datetime.fromisoformat(stored + "+00:00"))


# --- writing the file ---


def is_temp_name(name: str) -> bool:
    prefix = f"{settings.SNAPSHOT_FILE_NAME}."
    return name.startswith(prefix) and name.endswith(TEMP_SUFFIX)


def remove_stray_temp_files(directory: Path) -> list[Path]:
    """Delete the temporary files crashed builds left beside ``data.db``; returns them."""
    removed = []
    for path in directory.iterdir():
        if is_temp_name(path.name):
            with contextlib.suppress(FileNotFoundError):
                path.unlink()
                removed.append(path)
    return removed


def _fsync_directory(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_sqlite(path: Path, rows: list[Row], *, version: str, digest: str, built_at: str) -> None:
    """Write ``rows`` (sorted by id) into a new SQLite file at ``path``, in one transaction."""
    connection = sqlite3.connect(path, isolation_level=None)
    try:
        connection.execute("PRAGMA journal_mode=OFF")
        connection.execute("PRAGMA synchronous=OFF")
        connection.execute("PRAGMA locking_mode=EXCLUSIVE")
        connection.execute("BEGIN")
        connection.execute(CREATE_TABLE)
        connection.executemany(INSERT_ROW, rows)
        connection.execute(CREATE_INDEX)
        connection.execute(CREATE_META)
        connection.execute(INSERT_META, (version, len(rows), digest, built_at))
        connection.execute("COMMIT")
    finally:
        connection.close()


def publish(rows: list[Row], *, directory: Path, version: str, built_at: datetime) -> str:
    """Write a snapshot of ``rows`` and atomically replace ``data.db`` with it; its fingerprint."""
    rows.sort()
    digest = fingerprint([row[0] for row in rows], [row[1] for row in rows])
    directory.mkdir(parents=True, exist_ok=True)
    temp = directory / f"{settings.SNAPSHOT_FILE_NAME}.{version}{TEMP_SUFFIX}"
    try:
        write_sqlite(
            temp,
            rows,
            version=version,
            digest=digest,
            built_at=sqlite_datetime(keys.iso_utc(built_at)),
        )
        fd = os.open(temp, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
        temp.replace(directory / settings.SNAPSHOT_FILE_NAME)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            temp.unlink()
        raise
    _fsync_directory(directory)
    return digest
