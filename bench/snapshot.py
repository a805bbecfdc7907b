"""The SQLite snapshot on EFS, built from DynamoDB (SPEC.md: Snapshot).

A build reads every random item, writes a new file beside ``data.db`` under a unique temporary
name, fsyncs it and ``os.replace``-s it over ``data.db``: readers see the old file or the new one,
never half of one. Only one build runs at a time across containers (a lock item in DynamoDB with
an expiry, so a dead holder's lock frees itself); the next build removes what a crashed one left.

The file itself (path, schema, writing and publishing) is ``bench.snapshotfile``; this module is
the DynamoDB side: reading the items, the build lock and the config entity.

Items are read by a paginated Query of GSI1 (partition ``RANDOM``), not a parallel Scan: on
dynalite with 100k items the two took the same time (3.9 s vs 4.0 s for four segments,
``benchmarks/readpath.py``; dynalite serves one request at a time), and the Query reads only the
random items where a Scan reads, and on AWS pays for, every item of the table, benchmark results
included.
"""

import contextlib
import logging
import sqlite3
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from botocore.exceptions import BotoCoreError, ClientError
from pynamodb.exceptions import PynamoDBException
from ulid import ULID

from bench.dynamo import keys
from bench.dynamo import table as ddb_table
from bench.dynamo.models import ConfigItem, utc_now
from bench.dynamo.randoms import query_rows
from bench.dynamo.table import DynamoUnavailableError
from bench.errors import BadParameterError, SnapshotBuildRunningError, StorageUnavailableError
from bench.limits import MAX_INSERT
from bench.snapshotfile import (
    Row,
    publish,
    remove_stray_temp_files,
    snapshot_path,
    sqlite_datetime,
)

logger = logging.getLogger(__name__)

DEFAULT_LOCK_SECONDS = 300.0  # longer than any build; a dead holder blocks builds this long
LOCK_ENTITY = "lock"


@dataclass(frozen=True)
class Snapshot:
    version: str
    rows: int
    fingerprint: str
    built_at: datetime
    build_ms: float


@dataclass(frozen=True)
class BuildReport:
    snapshot: Snapshot
    ddb_read_ms: float
    sqlite_write_ms: float


def _ms_since(start_ns: int) -> float:
    return (time.perf_counter_ns() - start_ns) / 1e6


# --- reading every random item from DynamoDB ---


def read_random_items() -> list[Row]:
    """Every random item as a snapshot row, by a Query of GSI1 (see the module's note)."""
    return [(item_id, value, sqlite_datetime(created)) for item_id, value, created in query_rows()]


# --- the build lock (a DynamoDB item with an expiry) ---


def acquire_build_lock(owner: str, *, seconds: float = DEFAULT_LOCK_SECONDS) -> None:
    """Take the build lock, or raise SnapshotBuildRunningError while another holder has it."""
    now = time.time()
    try:
        ddb_table.client().put_item(
            TableName=ddb_table.target().table_name,
            Item={
                "PK": {"S": keys.LOCK_PK},
                "SK": {"S": keys.SNAPSHOT_LOCK_SK},
                "entity": {"S": LOCK_ENTITY},
                "owner": {"S": owner},
                "expires_at": {"N": repr(now + seconds)},
            },
            ConditionExpression="attribute_not_exists(PK) OR expires_at < :now",
            ExpressionAttributeValues={":now": {"N": repr(now)}},
        )
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException":
            raise SnapshotBuildRunningError(
                "A snapshot build is already running; retry when it has finished."
            ) from exc
        raise DynamoUnavailableError(ddb_table.describe_failure(exc)) from exc
    except BotoCoreError as exc:
        raise DynamoUnavailableError(ddb_table.describe_failure(exc)) from exc


def release_build_lock(owner: str) -> None:
    """Drop the lock if ``owner`` still holds it (an expired lock may have passed on)."""
    try:
        ddb_table.client().delete_item(
            TableName=ddb_table.target().table_name,
            Key={"PK": {"S": keys.LOCK_PK}, "SK": {"S": keys.SNAPSHOT_LOCK_SK}},
            ConditionExpression="#owner = :owner",
            ExpressionAttributeNames={"#owner": "owner"},
            ExpressionAttributeValues={":owner": {"S": owner}},
        )
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") != "ConditionalCheckFailedException":
            raise DynamoUnavailableError(ddb_table.describe_failure(exc)) from exc
    except BotoCoreError as exc:
        raise DynamoUnavailableError(ddb_table.describe_failure(exc)) from exc


@contextlib.contextmanager
def build_lock(*, seconds: float = DEFAULT_LOCK_SECONDS) -> Iterator[str]:
    owner = str(ULID())
    acquire_build_lock(owner, seconds=seconds)
    try:
        yield owner
    except BaseException:
        # The build's own failure is what the caller must see; a lock we fail to release
        # frees itself when it expires, so that second failure is only logged.
        try:
            release_build_lock(owner)
        except DynamoUnavailableError:
            logger.warning("Could not release the snapshot build lock %s", owner, exc_info=True)
        raise
    release_build_lock(owner)


# --- the config entity ---


def record_snapshot(snapshot: Snapshot, *, path: Path) -> None:
    """Store the snapshot's description in the config entity (created on first use)."""
    config = ConfigItem.build(sqlite_file_path=str(path))
    try:
        config.update(
            actions=[
                ConfigItem.GSI1PK.set(keys.CONFIG_PK),
                ConfigItem.GSI1SK.set(keys.CONFIG_SK),
                ConfigItem.entity.set(ConfigItem.ENTITY),
                ConfigItem.sqlite_file_path.set(str(path)),
                ConfigItem.snapshot.set(
                    {
                        "version": snapshot.version,
                        "rows": snapshot.rows,
                        "fingerprint": snapshot.fingerprint,
                        "built_at": snapshot.built_at,
                        "build_ms": snapshot.build_ms,
                    }
                ),
            ]
        )
    except PynamoDBException as exc:
        raise DynamoUnavailableError(ddb_table.describe_failure(exc)) from exc


def current_snapshot() -> Snapshot | None:
    """The last snapshot recorded in the config entity, or None before the first build."""
    try:
        config = ConfigItem.get(keys.CONFIG_PK, keys.CONFIG_SK)
    except ConfigItem.DoesNotExist:
        return None
    except PynamoDBException as exc:
        raise DynamoUnavailableError(ddb_table.describe_failure(exc)) from exc
    info = config.snapshot
    if info is None:
        return None
    return Snapshot(
        version=info.version,
        rows=int(info.rows),
        fingerprint=info.fingerprint,
        built_at=info.built_at,
        build_ms=float(info.build_ms),
    )


# --- the build ---


def rebuild(path: Path) -> BuildReport:
    """Rebuild the snapshot at ``path`` from DynamoDB; the caller holds the build lock."""
    start = time.perf_counter_ns()
    if path.parent.exists():
        remove_stray_temp_files(path.parent)
    read_start = time.perf_counter_ns()
    rows = read_random_items()
    ddb_read_ms = _ms_since(read_start)
    built_at = utc_now()
    version = str(ULID.from_datetime(built_at))
    write_start = time.perf_counter_ns()
    try:
        digest = publish(rows, directory=path.parent, version=version, built_at=built_at)
    except (OSError, sqlite3.Error) as exc:  # a full or failing disk shows as either
        raise StorageUnavailableError(
            f"Could not write the snapshot in {path.parent}: {exc}; the previous one is intact."
        ) from exc
    sqlite_write_ms = _ms_since(write_start)
    snapshot = Snapshot(
        version=version,
        rows=len(rows),
        fingerprint=digest,
        built_at=built_at,
        build_ms=round(_ms_since(start), 3),
    )
    record_snapshot(snapshot, path=path)
    return BuildReport(snapshot=snapshot, ddb_read_ms=ddb_read_ms, sqlite_write_ms=sqlite_write_ms)


def build_snapshot(
    *, efs_dir: Path | None = None, lock_seconds: float = DEFAULT_LOCK_SECONDS
) -> BuildReport:
    """Rebuild ``data.db`` from DynamoDB under the build lock and record it in the config."""
    with build_lock(seconds=lock_seconds):
        return rebuild(snapshot_path(efs_dir))


@dataclass(frozen=True)
class InsertReport:
    inserted: int
    insert_ms: float
    build: BuildReport
    total_ms: float


def insert_and_build(*, count: int, lock_seconds: float = DEFAULT_LOCK_SECONDS) -> InsertReport:
    """``POST /insert``: write ``count`` new random items, then rebuild, all under the lock.

    The lock is taken first, so a request that gets 409 has written nothing.
    """
    if not 0 <= count <= MAX_INSERT:
        raise BadParameterError("count", f"count must be from 0 to {MAX_INSERT}, got {count}.")
    # Imported here: only /insert writes, and the seeding machinery costs a cold start.
    from bench.seeding import SeedError, seed

    start = time.perf_counter_ns()
    with build_lock(seconds=lock_seconds):
        try:
            inserted = seed(count=count).written if count else 0
        except SeedError as exc:
            raise StorageUnavailableError(f"Writing {count} items failed: {exc}") from exc
        insert_ms = _ms_since(start)
        build = rebuild(snapshot_path())
    return InsertReport(
        inserted=inserted, insert_ms=insert_ms, build=build, total_ms=_ms_since(start)
    )
