"""Fixtures shared by the whole suite.

Unit tests talk to moto's in-process DynamoDB (``ddb``); tests marked ``integration`` talk to
a real dynalite process (``dynalite_endpoint`` for the session, ``local_ddb`` per test).
"""

import os
import random
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from django.conf import settings as django_settings
from django.db import connections
from moto import mock_aws
from pytest_django.fixtures import Settings as SettingsWrapper
from pytest_django.plugin import DjangoDbBlocker
from ulid import ULID

from bench.dynamo import table
from bench.dynamo.models import RandomItem
from bench.localdynamo import LocalDynamo
from benchsite.settings import sqlite_databases

if TYPE_CHECKING:
    from bench.snapshot import BuildReport

# Unit tests never reach AWS: dummy credentials, a fixed region, no shared config files.
os.environ.update(
    {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SECURITY_TOKEN": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_CONFIG_FILE": os.devnull,
        "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
    }
)

TEST_TABLE = "bench-test-main"


@pytest.fixture
def ddb() -> Iterator[table.Target]:
    """An empty table (keys, GSI1) in moto's in-process DynamoDB, with every model pointed at it."""
    with mock_aws():
        target = table.configure(table_name=TEST_TABLE, endpoint_url=None, region="us-east-1")
        table.create_table()
        yield target
    table.configure(table_name=TEST_TABLE, endpoint_url=None, region="us-east-1")


@pytest.fixture(scope="session")
def dynalite_endpoint(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """One dynalite process for the whole session on a free loopback port; yields its URL."""
    with LocalDynamo(port=0, path=tmp_path_factory.mktemp("dynalite"), fast_tables=True) as server:
        yield server.endpoint_url


@pytest.fixture
def local_ddb(dynalite_endpoint: str) -> Iterator[table.Target]:
    """A fresh table of its own on the session's dynalite, with every model pointed at it."""
    previous = table.target()
    target = table.configure(
        table_name=f"bench-it-{uuid.uuid4().hex[:12]}",
        endpoint_url=dynalite_endpoint,
        region="us-east-1",
    )
    table.create_table()
    yield target
    table.client().delete_table(TableName=target.table_name)
    table.configure(
        table_name=previous.table_name,
        endpoint_url=previous.endpoint_url,
        region=previous.region,
    )


# --- SQLite snapshot fixtures (read path) ---

SNAPSHOT_ALIASES = ("efs", "efs_immutable", "tmp", "tmp_cached")
SNAPSHOT_SEED_COUNT = 300
SEED_START = datetime(2026, 3, 1, 23, 50, tzinfo=UTC)  # the items span two date partitions


@dataclass(frozen=True)
class SnapshotDirs:
    efs_dir: Path
    tmp_dir: Path

    @property
    def efs_file(self) -> Path:
        return self.efs_dir / django_settings.SNAPSHOT_FILE_NAME

    @property
    def tmp_file(self) -> Path:
        return self.tmp_dir / django_settings.SNAPSHOT_FILE_NAME

    @property
    def tmp_cached_file(self) -> Path:
        return self.tmp_dir / django_settings.TMP_CACHED_FILE_NAME


def _repoint_snapshot_aliases(databases: dict[str, dict[str, Any]]) -> None:
    """Close the snapshot aliases' connections and give them new settings (this thread)."""
    for connection in connections.all(initialized_only=True):
        if connection.alias in SNAPSHOT_ALIASES:
            connection.close()
            del connections[connection.alias]
    for alias in SNAPSHOT_ALIASES:
        connections.settings[alias] = databases[alias]


@pytest.fixture
def snapshot_dirs(
    tmp_path: Path, settings: SettingsWrapper, django_db_blocker: DjangoDbBlocker
) -> Iterator[SnapshotDirs]:
    """BENCH_EFS_DIR, BENCH_TMP_DIR and the snapshot aliases (SNAPSHOT_ALIASES) in pytest tmp dirs.

    The aliases open real files (they are never test databases), so database access is
    unblocked for the test; tests using them must not declare those aliases to pytest-django.
    """
    dirs = SnapshotDirs(efs_dir=tmp_path / "efs", tmp_dir=tmp_path / "tmp")
    dirs.efs_dir.mkdir()
    dirs.tmp_dir.mkdir()
    settings.BENCH_EFS_DIR = dirs.efs_dir
    settings.BENCH_TMP_DIR = dirs.tmp_dir
    previous = {alias: connections.settings[alias] for alias in SNAPSHOT_ALIASES}
    configured = connections.configure_settings(sqlite_databases(dirs.efs_dir, dirs.tmp_dir))
    _repoint_snapshot_aliases(configured)
    with django_db_blocker.unblock():
        yield dirs
        _repoint_snapshot_aliases(previous)


def make_random_items(*, count: int, start: datetime = SEED_START) -> list[RandomItem]:
    """``count`` random items, one second apart from ``start``, each id a ULID of its moment."""
    rng = random.Random(count)
    items = []
    for offset in range(count):
        created_at = start + timedelta(seconds=offset, microseconds=offset)
        items.append(
            RandomItem.build(
                item_id=str(ULID.from_datetime(created_at)),
                random_value=rng.random(),
                created_at=created_at,
            )
        )
    return items


def write_random_items(items: list[RandomItem]) -> None:
    with RandomItem.batch_write() as batch:
        for item in items:
            batch.save(item)


@dataclass(frozen=True)
class SeededSnapshot:
    dirs: SnapshotDirs
    items: list[RandomItem]
    report: "BuildReport"

    @property
    def version(self) -> str:
        return self.report.snapshot.version

    @property
    def fingerprint(self) -> str:
        return self.report.snapshot.fingerprint


@pytest.fixture
def snapshot(ddb: table.Target, snapshot_dirs: SnapshotDirs) -> SeededSnapshot:
    """A few hundred random items in the moto table and a snapshot built from them."""
    from bench.snapshot import build_snapshot

    items = make_random_items(count=SNAPSHOT_SEED_COUNT)
    write_random_items(items)
    return SeededSnapshot(dirs=snapshot_dirs, items=items, report=build_snapshot())
