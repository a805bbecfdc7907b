"""``bench.snapshot``: the SQLite file on EFS, built whole from DynamoDB under a lock."""

import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from django.db import connections
from pytest_django.plugin import DjangoDbBlocker

from bench import seeding, snapshotfile
from bench import snapshot as builder
from bench.dynamo import keys, table
from bench.dynamo.models import ConfigItem, RandomItem
from bench.dynamo.randoms import count_items, gsi_request, pages, query_rows, scan_rows
from bench.errors import BadParameterError, SnapshotBuildRunningError, StorageUnavailableError
from bench.fingerprint import fingerprint
from bench.localdynamo import free_port
from bench.models import Random, SnapshotMeta
from tests.conftest import SeededSnapshot, SnapshotDirs, make_random_items, write_random_items


def django_ddl(model: type[Any], monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The SQL Django would run to create ``model`` (as if it were managed), on :memory:."""
    monkeypatch.setattr(model._meta, "managed", True)
    connection = connections.create_connection("default")
    try:
        with connection.schema_editor(collect_sql=True) as editor:
            editor.create_model(model)
    finally:
        connection.close()
    return [statement.rstrip(";") for statement in editor.collected_sql]


def file_rows(path: Path) -> list[tuple[str, float, str]]:
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as connection:
        return connection.execute("SELECT id, random_value, created_at FROM randoms").fetchall()


def expected_fingerprint(items: list[RandomItem]) -> str:
    ordered = sorted(items, key=lambda item: item.id)
    return fingerprint([item.id for item in ordered], [item.random_value for item in ordered])


def stored_config() -> dict[str, Any]:
    return table.client().get_item(
        TableName=table.target().table_name,
        Key={"PK": {"S": keys.CONFIG_PK}, "SK": {"S": keys.CONFIG_SK}},
    )["Item"]


@pytest.fixture
def missing_table(ddb: table.Target) -> Iterator[None]:
    """Every model and client pointed at a table that does not exist (moto answers errors)."""
    table.configure(table_name="no-such-table", endpoint_url=None, region="us-east-1")
    yield
    table.configure(table_name=ddb.table_name, endpoint_url=None, region="us-east-1")


@pytest.fixture
def unreachable() -> Iterator[None]:
    """Every model and client pointed at a loopback port nobody listens on."""
    previous = table.target()
    table.configure(
        table_name="bench-test-main",
        endpoint_url=f"http://127.0.0.1:{free_port()}",
        region="us-east-1",
    )
    yield
    table.configure(
        table_name=previous.table_name,
        endpoint_url=previous.endpoint_url,
        region=previous.region,
    )


def test_snapshot_ddl_is_what_django_creates_for_the_models(
    monkeypatch: pytest.MonkeyPatch, django_db_blocker: DjangoDbBlocker
) -> None:
    with django_db_blocker.unblock():
        ddl = (django_ddl(Random, monkeypatch), django_ddl(SnapshotMeta, monkeypatch))

    assert ddl == (
        [snapshotfile.CREATE_TABLE, snapshotfile.CREATE_INDEX],
        [snapshotfile.CREATE_META],
    )


def test_build_writes_every_item_sorted_by_id_with_django_datetimes(
    snapshot: SeededSnapshot,
) -> None:
    expected = sorted(
        (item.id, item.random_value, f"{item.created_at:%Y-%m-%d %H:%M:%S.%f}")
        for item in snapshot.items
    )

    assert file_rows(snapshot.dirs.efs_file) == expected


def test_build_reports_rows_fingerprint_and_timings(snapshot: SeededSnapshot) -> None:
    report = snapshot.report

    assert (report.snapshot.rows, report.snapshot.fingerprint) == (
        len(snapshot.items),
        expected_fingerprint(snapshot.items),
    )
    assert report.snapshot.build_ms >= report.ddb_read_ms + report.sqlite_write_ms > 0


def test_build_records_the_snapshot_in_the_file_and_the_config(snapshot: SeededSnapshot) -> None:
    built = snapshot.report.snapshot

    with sqlite3.connect(f"file:{snapshot.dirs.efs_file}?mode=ro", uri=True) as connection:
        meta = connection.execute("SELECT * FROM snapshot_meta").fetchall()
        journal = connection.execute("PRAGMA journal_mode").fetchone()[0]

    assert meta == [
        (built.version, built.rows, built.fingerprint, f"{built.built_at:%Y-%m-%d %H:%M:%S.%f}")
    ]
    assert journal == "delete"
    assert stored_config() == {
        "PK": {"S": "CONFIG"},
        "SK": {"S": "APP_SETTINGS"},
        "GSI1PK": {"S": "CONFIG"},
        "GSI1SK": {"S": "APP_SETTINGS"},
        "entity": {"S": "config"},
        "sqlite_file_path": {"S": str(snapshot.dirs.efs_file)},
        "snapshot": {
            "M": {
                "version": {"S": built.version},
                "rows": {"N": str(built.rows)},
                "fingerprint": {"S": built.fingerprint},
                "built_at": {"S": keys.iso_utc(built.built_at)},
                "build_ms": {"N": repr(built.build_ms)},
            }
        },
    }


def test_current_snapshot_reads_back_what_the_build_recorded(snapshot: SeededSnapshot) -> None:
    assert builder.current_snapshot() == snapshot.report.snapshot


def test_current_snapshot_is_none_before_any_build(ddb: table.Target) -> None:
    assert builder.current_snapshot() is None


def test_current_snapshot_is_none_when_the_config_has_no_snapshot(ddb: table.Target) -> None:
    ConfigItem.build(sqlite_file_path="/mnt/efs/data.db").save()

    assert builder.current_snapshot() is None


def test_build_keeps_config_attributes_it_does_not_own(snapshot: SeededSnapshot) -> None:
    config = ConfigItem.get(keys.CONFIG_PK, keys.CONFIG_SK)
    config.update(actions=[ConfigItem.benchmark_enabled.set(False)])

    rebuilt = builder.build_snapshot()

    config = ConfigItem.get(keys.CONFIG_PK, keys.CONFIG_SK)
    assert (config.benchmark_enabled, config.snapshot.version) == (False, rebuilt.snapshot.version)
    assert rebuilt.snapshot.version != snapshot.version


def test_a_rebuild_replaces_the_file_while_an_open_reader_keeps_the_old_one(
    snapshot: SeededSnapshot,
) -> None:
    reader = sqlite3.connect(f"file:{snapshot.dirs.efs_file}?mode=ro", uri=True)
    before = reader.execute("SELECT count(*) FROM randoms").fetchone()
    write_random_items(make_random_items(count=5, start=datetime(2026, 5, 1, tzinfo=UTC)))

    rebuilt = builder.build_snapshot()

    still = reader.execute("SELECT count(*) FROM randoms").fetchone()
    reader.close()
    assert (before, still, len(file_rows(snapshot.dirs.efs_file))) == (
        (300,),
        (300,),
        rebuilt.snapshot.rows,
    )
    assert rebuilt.snapshot.rows == 305


def test_build_removes_temp_files_a_crashed_build_left(snapshot: SeededSnapshot) -> None:
    stray = snapshot.dirs.efs_dir / "data.db.01J0000000000000000000000A.tmp"
    stray.write_bytes(b"half a snapshot")
    unrelated = snapshot.dirs.efs_dir / "notes.txt"
    unrelated.write_text("keep me")

    builder.build_snapshot()

    assert sorted(path.name for path in snapshot.dirs.efs_dir.iterdir()) == [
        "data.db",
        "notes.txt",
    ]


@pytest.mark.parametrize(
    "failure", [OSError("disk full"), sqlite3.OperationalError("disk I/O error: disk full")]
)
def test_a_failed_write_leaves_the_previous_snapshot_and_no_temp_file(
    snapshot: SeededSnapshot, monkeypatch: pytest.MonkeyPatch, failure: Exception
) -> None:
    def crash(path: Path, rows: list[Any], **_: Any) -> None:
        path.write_bytes(b"partial")
        raise failure

    monkeypatch.setattr(snapshotfile, "write_sqlite", crash)
    before = file_rows(snapshot.dirs.efs_file)

    with pytest.raises(
        StorageUnavailableError, match="Could not write the snapshot in .*disk full"
    ):
        builder.build_snapshot()

    assert [path.name for path in snapshot.dirs.efs_dir.iterdir()] == ["data.db"]
    assert file_rows(snapshot.dirs.efs_file) == before


def test_build_of_an_empty_table_writes_an_empty_snapshot(
    ddb: table.Target, snapshot_dirs: SnapshotDirs
) -> None:
    report = builder.build_snapshot()

    assert (report.snapshot.rows, file_rows(snapshot_dirs.efs_file)) == (0, [])
    assert report.snapshot.fingerprint == fingerprint([], [])


def test_build_creates_a_missing_efs_directory(ddb: table.Target, tmp_path: Path) -> None:
    efs_dir = tmp_path / "new" / "efs"

    builder.build_snapshot(efs_dir=efs_dir)

    assert [path.name for path in efs_dir.iterdir()] == ["data.db"]


def test_build_while_another_holds_the_lock_is_refused(
    ddb: table.Target, snapshot_dirs: SnapshotDirs
) -> None:
    builder.acquire_build_lock("someone-else", seconds=60)

    with pytest.raises(SnapshotBuildRunningError, match="already running"):
        builder.build_snapshot()

    assert not snapshot_dirs.efs_file.exists()


def test_an_expired_lock_frees_itself(ddb: table.Target, snapshot_dirs: SnapshotDirs) -> None:
    builder.acquire_build_lock("a-dead-container", seconds=-1)

    report = builder.build_snapshot()

    assert report.snapshot.rows == 0


def test_the_lock_is_released_after_a_build_and_after_a_failure(
    ddb: table.Target, snapshot_dirs: SnapshotDirs, monkeypatch: pytest.MonkeyPatch
) -> None:
    builder.build_snapshot()
    monkeypatch.setattr(builder, "read_random_items", lambda: (_ for _ in ()).throw(OSError("x")))
    with pytest.raises(OSError, match="x"):
        builder.build_snapshot()

    builder.acquire_build_lock("next", seconds=60)

    assert lock_owner() == "next"


def test_a_failed_release_does_not_hide_why_the_build_failed(
    ddb: table.Target,
    snapshot_dirs: SnapshotDirs,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    def no_release(owner: str) -> None:
        raise table.DynamoUnavailableError("DynamoDB went away")

    monkeypatch.setattr(builder, "read_random_items", lambda: (_ for _ in ()).throw(OSError("x")))
    monkeypatch.setattr(builder, "release_build_lock", no_release)

    with pytest.raises(OSError, match="^x$"):
        builder.build_snapshot()

    assert "Could not release the snapshot build lock" in caplog.text


def lock_owner() -> str | None:
    item = table.client().get_item(
        TableName=table.target().table_name,
        Key={"PK": {"S": keys.LOCK_PK}, "SK": {"S": keys.SNAPSHOT_LOCK_SK}},
    )
    return item["Item"]["owner"]["S"] if "Item" in item else None


def test_releasing_a_lock_someone_else_holds_leaves_it(ddb: table.Target) -> None:
    builder.acquire_build_lock("holder", seconds=60)

    builder.release_build_lock("not-the-holder")

    assert lock_owner() == "holder"


@pytest.mark.parametrize(
    "operation",
    [
        lambda: builder.acquire_build_lock("me"),
        lambda: builder.release_build_lock("me"),
        lambda: builder.current_snapshot(),
        lambda: builder.record_snapshot(
            builder.Snapshot(
                version="01J0000000000000000000000A",
                rows=0,
                fingerprint="x",
                built_at=datetime(2026, 1, 1, tzinfo=UTC),
                build_ms=1.0,
            ),
            path=Path("/mnt/efs/data.db"),
        ),
        lambda: query_rows(),
    ],
    ids=["acquire", "release", "current", "record", "query"],
)
def test_dynamodb_errors_become_dynamo_unavailable(missing_table: None, operation: Any) -> None:
    with pytest.raises(table.DynamoUnavailableError, match="no-such-table"):
        operation()


@pytest.mark.parametrize(
    "operation",
    [lambda: builder.acquire_build_lock("me"), lambda: builder.release_build_lock("me")],
    ids=["acquire", "release"],
)
def test_an_unreachable_dynamodb_fails_the_lock_with_a_sentence(
    unreachable: None, operation: Any
) -> None:
    with pytest.raises(table.DynamoUnavailableError, match="Could not reach DynamoDB"):
        operation()


def test_query_and_parallel_scan_read_the_same_items(snapshot: SeededSnapshot) -> None:
    ConfigItem.build(sqlite_file_path="/x").save()  # not a random item: must be left out

    by_query = sorted(query_rows())
    by_scan = sorted(scan_rows(segments=3))

    assert by_query == by_scan
    assert [row[0] for row in by_query] == sorted(item.id for item in snapshot.items)


def test_count_items_counts_only_random_items(snapshot: SeededSnapshot) -> None:
    ConfigItem.build(sqlite_file_path="/x").save()

    assert count_items() == len(snapshot.items)


def test_insert_and_build_writes_then_rebuilds(snapshot: SeededSnapshot) -> None:
    report = builder.insert_and_build(count=7)

    assert (report.inserted, report.build.snapshot.rows, count_items()) == (7, 307, 307)
    assert report.total_ms >= report.insert_ms > 0


def test_insert_and_build_with_zero_only_rebuilds(snapshot: SeededSnapshot) -> None:
    report = builder.insert_and_build(count=0)

    assert (report.inserted, report.build.snapshot.fingerprint) == (0, snapshot.fingerprint)


@pytest.mark.parametrize("count", [-1, 10_001])
def test_insert_and_build_rejects_a_count_out_of_range(ddb: table.Target, count: int) -> None:
    with pytest.raises(BadParameterError, match=f"count must be from 0 to 10000, got {count}"):
        builder.insert_and_build(count=count)


def test_insert_and_build_while_a_build_runs_writes_nothing(
    ddb: table.Target, snapshot_dirs: SnapshotDirs
) -> None:
    builder.acquire_build_lock("someone-else", seconds=60)

    with pytest.raises(SnapshotBuildRunningError):
        builder.insert_and_build(count=5)

    assert count_items() == 0


def test_insert_and_build_reports_a_failed_write(
    ddb: table.Target, snapshot_dirs: SnapshotDirs, monkeypatch: pytest.MonkeyPatch
) -> None:
    def failing_seed(*, count: int) -> seeding.SeedReport:
        raise seeding.SeedError("DynamoDB left 3 items unprocessed", written=2)

    monkeypatch.setattr(seeding, "seed", failing_seed)

    with pytest.raises(
        StorageUnavailableError, match="Writing 5 items failed: DynamoDB left 3 items unprocessed"
    ):
        builder.insert_and_build(count=5)


@pytest.mark.parametrize(
    ("iso", "stored"),
    [
        ("2026-01-02T03:04:05.678901Z", "2026-01-02 03:04:05.678901"),
        ("2026-01-02T03:04:05+00:00", "2026-01-02 03:04:05.000000"),
        ("2026-01-02T05:04:05.5+02:00", "2026-01-02 03:04:05.500000"),
    ],
)
def test_sqlite_datetime_stores_utc_in_djangos_form(iso: str, stored: str) -> None:
    assert snapshotfile.sqlite_datetime(iso) == stored


@pytest.mark.parametrize(
    ("stored", "iso"),
    [
        ("2026-01-02 03:04:05.678901", "2026-01-02T03:04:05.678901Z"),
        ("2026-01-02 03:04:05", "2026-01-02T03:04:05.000000Z"),
    ],
)
def test_iso_datetime_reads_djangos_form_back(stored: str, iso: str) -> None:
    assert snapshotfile.iso_datetime(stored) == iso


def test_pages_follow_last_evaluated_key_to_the_end(snapshot: SeededSnapshot) -> None:
    request = gsi_request(Limit=70)

    sizes = [len(page["Items"]) for page in pages(table.client().query, request)]

    assert sizes[:5] == [70, 70, 70, 70, 20]
    assert "ExclusiveStartKey" not in request


def test_models_read_as_their_ids() -> None:
    assert (str(Random(id="01J0000000000000000000000A")), str(SnapshotMeta(version="01J1"))) == (
        "01J0000000000000000000000A",
        "01J1",
    )
