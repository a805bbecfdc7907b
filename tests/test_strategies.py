"""The five read strategies: the same answers from every storage for the same data."""

import math
import os
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.db import connections
from django.db.backends.signals import connection_created
from ulid import ULID

from bench import strategies
from bench.dynamo import keys, table
from bench.dynamo.models import RandomItem
from bench.errors import (
    BadParameterError,
    NoSnapshotError,
    NotFoundError,
    StorageUnavailableError,
)
from bench.fingerprint import fingerprint, round_avg
from bench.snapshot import build_snapshot
from bench.strategies import sqlite_tmp
from bench.strategies.base import Aggregate, Item, ReadRequest, ReadResult
from bench.strategies.sqlite_tmp import TmpCopy, TmpCopyStrategy
from tests.conftest import SeededSnapshot, SnapshotDirs, make_random_items, write_random_items

SQLITE_STRATEGIES = tuple(name for name in strategies.STRATEGY_NAMES if name != "ddb")
TMP_STRATEGIES = ("sqlite-tmp", "sqlite-tmp-cached")


def read(name: str, **request: Any) -> ReadResult:
    return strategies.get(name).read(ReadRequest(**request))


def item_of(random_item: RandomItem) -> Item:
    return Item(
        id=random_item.id,
        random_value=random_item.random_value,
        created_at=keys.iso_utc(random_item.created_at),
    )


def by_id(items: list[RandomItem]) -> list[RandomItem]:
    return sorted(items, key=lambda item: item.id)


def shape(result: ReadResult) -> dict[str, Any]:
    """Everything a strategy answered except who answered and how long it took."""
    return {
        "query": result.query,
        "rows": result.rows,
        "fingerprint": result.fingerprint,
        "items": result.items,
        "aggregate": result.aggregate,
    }


def inode(path: Path) -> int:
    return path.stat().st_ino


def tmp_strategy(name: str) -> TmpCopyStrategy:
    strategy = strategies.get(name)
    assert isinstance(strategy, TmpCopyStrategy)
    return strategy


def database_file(alias: str) -> str:
    """The file the alias's open connection reads, as SQLite names it."""
    with connections[alias].cursor() as cursor:
        cursor.execute("PRAGMA database_list")
        return str(cursor.fetchone()[2])


# --- the registry ---


def test_registry_knows_every_strategy_by_name() -> None:
    assert {name: strategy.name for name, strategy in strategies.all_strategies().items()} == {
        name: name for name in strategies.STRATEGY_NAMES
    }
    assert list(strategies.all_strategies()) == list(strategies.STRATEGY_NAMES)


def test_registry_gives_the_same_strategy_object_each_time() -> None:
    assert strategies.get("sqlite-tmp-cached") is strategies.get("sqlite-tmp-cached")


def test_registry_rejects_an_unknown_name_naming_endpoint() -> None:
    with pytest.raises(BadParameterError, match="endpoint='sqlite' is not a strategy") as caught:
        strategies.get("sqlite")

    assert caught.value.parameter == "endpoint"


# --- the same answers everywhere ---


def test_every_strategy_reads_all_rows_with_the_snapshot_fingerprint(
    snapshot: SeededSnapshot,
) -> None:
    results = {name: read(name, query="all", limit=3) for name in strategies.STRATEGY_NAMES}

    expected = {
        "query": "all",
        "rows": 300,
        "fingerprint": snapshot.fingerprint,
        "items": [item_of(item) for item in by_id(snapshot.items)[:3]],
        "aggregate": None,
    }
    assert {name: shape(result) for name, result in results.items()} == dict.fromkeys(
        strategies.STRATEGY_NAMES, expected
    )


def test_sqlite_strategies_report_the_snapshot_version_and_ddb_none(
    snapshot: SeededSnapshot,
) -> None:
    versions = {name: read(name, query="latest").snapshot for name in strategies.STRATEGY_NAMES}

    assert versions == dict.fromkeys(SQLITE_STRATEGIES, snapshot.version) | {"ddb": None}


def test_every_strategy_returns_the_same_latest_items(snapshot: SeededSnapshot) -> None:
    newest = sorted(snapshot.items, key=lambda item: item.created_at, reverse=True)[:4]

    results = {
        name: shape(read(name, query="latest", limit=4)) for name in strategies.STRATEGY_NAMES
    }

    expected_items = [item_of(item) for item in newest]
    expected = {
        "query": "latest",
        "rows": 4,
        "fingerprint": fingerprint(
            [item.id for item in by_id(newest)], [item.random_value for item in by_id(newest)]
        ),
        "items": expected_items,
        "aggregate": None,
    }
    assert results == dict.fromkeys(strategies.STRATEGY_NAMES, expected)


@pytest.mark.parametrize("index", [0, 150, 299])
def test_every_strategy_returns_the_same_point(snapshot: SeededSnapshot, index: int) -> None:
    target = snapshot.items[index]

    results = {
        name: shape(read(name, query="point", item_id=target.id))
        for name in strategies.STRATEGY_NAMES
    }

    expected = {
        "query": "point",
        "rows": 1,
        "fingerprint": fingerprint([target.id], [target.random_value]),
        "items": [item_of(target)],
        "aggregate": None,
    }
    assert results == dict.fromkeys(strategies.STRATEGY_NAMES, expected)


def test_every_strategy_returns_the_same_aggregate(snapshot: SeededSnapshot) -> None:
    values = [item.random_value for item in snapshot.items]

    results = {name: read(name, query="aggregate") for name in strategies.STRATEGY_NAMES}

    expected = Aggregate(
        count=300, avg=round_avg(math.fsum(values) / 300), min=min(values), max=max(values)
    )
    assert {name: result.aggregate for name, result in results.items()} == dict.fromkeys(
        strategies.STRATEGY_NAMES, expected
    )
    assert len({(result.rows, result.fingerprint) for result in results.values()}) == 1


@pytest.mark.parametrize("name", strategies.STRATEGY_NAMES)
def test_a_point_without_id_reads_one_existing_item(snapshot: SeededSnapshot, name: str) -> None:
    known = {item.id: item_of(item) for item in snapshot.items}

    results = [read(name, query="point") for _ in range(5)]

    assert all(len(result.items) == 1 == result.rows for result in results)
    assert all(known[result.items[0].id] == result.items[0] for result in results)


@pytest.mark.parametrize("name", strategies.STRATEGY_NAMES)
def test_a_point_of_an_unknown_id_is_not_found_naming_the_id(
    snapshot: SeededSnapshot, name: str
) -> None:
    unknown = str(ULID.from_datetime(datetime(2026, 3, 1, 23, 55, tzinfo=UTC)))

    with pytest.raises(NotFoundError, match=f"id='{unknown}' is not an item"):
        read(name, query="point", item_id=unknown)


def test_ddb_point_rejects_an_id_that_is_not_a_ulid(ddb: table.Target) -> None:
    with pytest.raises(BadParameterError, match="id='not-a-ulid' is not a ULID") as caught:
        read("ddb", query="point", item_id="not-a-ulid")

    assert caught.value.parameter == "id"


@pytest.mark.parametrize(
    "item_id",
    [
        "76EZ91ZN1G6H111WK9SXC69MAS",  # 9999-12-31: the search window around it overflows
        "7ZZZZZZZZZZZZZZZZZZZZZZZZZ",  # year 10889: no datetime holds it
    ],
)
def test_ddb_point_of_an_id_beyond_any_datetime_is_not_found(
    ddb: table.Target, item_id: str
) -> None:
    with pytest.raises(NotFoundError, match=f"id='{item_id}' is not an item in DynamoDB."):
        read("ddb", query="point", item_id=item_id)


def test_ddb_point_finds_an_item_whose_ulid_is_from_another_day(ddb: table.Target) -> None:
    # The id was made just before midnight, created_at just after: another date partition.
    item_id = str(ULID.from_datetime(datetime(2026, 3, 1, 23, 59, 59, 999000, tzinfo=UTC)))
    created_at = datetime(2026, 3, 2, 0, 0, 1, tzinfo=UTC)
    RandomItem.build(item_id=item_id, random_value=0.5, created_at=created_at).save()

    result = read("ddb", query="point", item_id=item_id)

    assert result.items == [
        Item(id=item_id, random_value=0.5, created_at="2026-03-02T00:00:01.000000Z")
    ]


def test_ddb_random_point_notices_that_items_were_deleted(snapshot: SeededSnapshot) -> None:
    read("ddb", query="point")  # remembers the oldest and newest item
    keep = snapshot.items[0]  # the oldest: a random moment after it finds nothing
    for item in snapshot.items:
        if item.id != keep.id:
            item.delete()

    results = [read("ddb", query="point").items for _ in range(3)]

    assert results == [[item_of(keep)]] * 3


def test_ddb_random_point_of_an_emptied_table_says_insert_first(snapshot: SeededSnapshot) -> None:
    read("ddb", query="point")
    for item in snapshot.items:
        item.delete()

    with pytest.raises(NoSnapshotError, match="POST /insert"):
        read("ddb", query="point")


def test_ddb_reads_an_empty_table(ddb: table.Target) -> None:
    results = {query: read("ddb", query=query) for query in ("all", "latest", "aggregate")}

    assert {query: (result.rows, result.items) for query, result in results.items()} == {
        "all": (0, []),
        "latest": (0, []),
        "aggregate": (0, []),
    }
    assert results["aggregate"].aggregate == Aggregate(count=0, avg=None, min=None, max=None)
    with pytest.raises(NoSnapshotError, match="DynamoDB holds no random items"):
        read("ddb", query="point")


# --- an empty snapshot, no snapshot, a broken snapshot ---


@pytest.mark.parametrize("name", SQLITE_STRATEGIES)
def test_an_empty_snapshot_reads_zero_rows_and_has_no_random_point(
    ddb: table.Target, snapshot_dirs: SnapshotDirs, name: str
) -> None:
    build_snapshot()

    answers = {query: read(name, query=query) for query in ("all", "latest", "aggregate")}

    assert {query: (result.rows, result.items) for query, result in answers.items()} == {
        "all": (0, []),
        "latest": (0, []),
        "aggregate": (0, []),
    }
    with pytest.raises(NoSnapshotError, match="holds no items: POST /insert"):
        read(name, query="point")


@pytest.mark.parametrize("name", SQLITE_STRATEGIES)
def test_reading_before_any_snapshot_says_insert_first(
    snapshot_dirs: SnapshotDirs, name: str
) -> None:
    with pytest.raises(NoSnapshotError, match=r"No SQLite snapshot exists yet: POST /insert first"):
        read(name, query="all")

    assert (snapshot_dirs.tmp_file.exists(), snapshot_dirs.tmp_cached_file.exists()) == (
        False,
        False,
    )


@pytest.mark.parametrize("name", SQLITE_STRATEGIES)
def test_a_file_that_is_not_a_snapshot_is_a_storage_error(
    snapshot_dirs: SnapshotDirs, name: str
) -> None:
    with sqlite3.connect(snapshot_dirs.efs_file) as connection:
        connection.execute("CREATE TABLE snapshot_meta (version, rows, fingerprint, built_at)")

    with pytest.raises(StorageUnavailableError, match="has no snapshot_meta row"):
        read(name, query="all")


@pytest.mark.parametrize("name", SQLITE_STRATEGIES)
def test_a_corrupt_file_is_a_storage_error(snapshot_dirs: SnapshotDirs, name: str) -> None:
    snapshot_dirs.efs_file.write_bytes(b"this is not an SQLite database" * 200)

    with pytest.raises(StorageUnavailableError, match="Could not read the snapshot"):
        read(name, query="all")


# --- timings ---


def test_tmp_strategies_report_copy_time_and_the_others_do_not(snapshot: SeededSnapshot) -> None:
    timings = {name: read(name, query="all").timings for name in strategies.STRATEGY_NAMES}

    assert {name: t.copy_ms is not None for name, t in timings.items()} == {
        name: name in TMP_STRATEGIES for name in strategies.STRATEGY_NAMES
    }
    assert all(0 < t.read_ms + (t.copy_ms or 0) <= t.total_ms for t in timings.values())


def test_sqlite_tmp_cached_reports_no_copy_time_when_it_reused_its_copy(
    snapshot: SeededSnapshot,
) -> None:
    missed = read("sqlite-tmp-cached", query="latest").timings

    hit = read("sqlite-tmp-cached", query="latest").timings

    assert (missed.copy_ms is not None and missed.copy_ms > 0, hit.copy_ms) == (True, 0.0)
    assert 0 < hit.read_ms <= hit.total_ms  # the change check is in the total


# --- caching and change detection ---


def test_sqlite_tmp_copies_afresh_on_every_read(snapshot: SeededSnapshot) -> None:
    read("sqlite-tmp", query="latest")
    first = snapshot.dirs.tmp_file.stat().st_mtime_ns

    read("sqlite-tmp", query="latest")

    assert snapshot.dirs.tmp_file.stat().st_mtime_ns != first
    assert snapshot.dirs.tmp_file.read_bytes() == snapshot.dirs.efs_file.read_bytes()


def test_sqlite_tmp_cached_copies_only_when_the_snapshot_changed(snapshot: SeededSnapshot) -> None:
    read("sqlite-tmp-cached", query="latest")
    copied = snapshot.dirs.tmp_cached_file.stat().st_mtime_ns
    read("sqlite-tmp-cached", query="latest")
    unchanged = snapshot.dirs.tmp_cached_file.stat().st_mtime_ns
    write_random_items(make_random_items(count=2, start=datetime(2026, 6, 1, tzinfo=UTC)))
    rebuilt = build_snapshot()

    after = read("sqlite-tmp-cached", query="all")

    assert unchanged == copied != snapshot.dirs.tmp_cached_file.stat().st_mtime_ns
    assert (after.snapshot, after.rows, after.fingerprint) == (
        rebuilt.snapshot.version,
        302,
        rebuilt.snapshot.fingerprint,
    )


def test_sqlite_tmp_cached_copies_again_when_the_copy_disappeared(
    snapshot: SeededSnapshot,
) -> None:
    read("sqlite-tmp-cached", query="latest")
    connections["tmp_cached"].close()
    snapshot.dirs.tmp_cached_file.unlink()

    result = read("sqlite-tmp-cached", query="all")

    assert (result.rows, snapshot.dirs.tmp_cached_file.exists()) == (300, True)


def test_interleaved_tmp_strategies_copy_and_connect_each_to_their_own_file(
    snapshot: SeededSnapshot, monkeypatch: pytest.MonkeyPatch
) -> None:
    copies: list[str] = []
    opened: list[str] = []
    real_copy = sqlite_tmp.copy_snapshot

    def recording_copy(source: Path, target: Path) -> tuple[int, int, int, int, int]:
        copies.append(target.name)
        return real_copy(source, target)

    def on_connect(connection: Any, **_: Any) -> None:
        if connection.alias in ("tmp", "tmp_cached"):
            opened.append(connection.alias)

    def interleave(rounds: int) -> list[tuple[str, bool]]:
        return [
            (name, (read(name, query="latest").timings.copy_ms or 0.0) > 0)
            for _ in range(rounds)
            for name in TMP_STRATEGIES
        ]

    monkeypatch.setattr(sqlite_tmp, "copy_snapshot", recording_copy)
    connection_created.connect(on_connect)
    try:
        before = interleave(4)
        before_copies, before_opened = copies.copy(), opened.copy()
        files = {alias: database_file(alias) for alias in ("tmp", "tmp_cached")}
        write_random_items(make_random_items(count=2, start=datetime(2026, 6, 1, tzinfo=UTC)))
        build_snapshot()
        copies.clear()
        opened.clear()

        after = interleave(3)
    finally:
        connection_created.disconnect(on_connect)

    def expected(rounds: int) -> list[tuple[str, bool]]:
        return [("sqlite-tmp", True), ("sqlite-tmp-cached", True)] + [
            ("sqlite-tmp", True),
            ("sqlite-tmp-cached", False),
        ] * (rounds - 1)

    assert (before, after) == (expected(4), expected(3))
    assert (before_copies, copies) == (
        ["data.db", "data-cached.db", "data.db", "data.db", "data.db"],
        ["data.db", "data-cached.db", "data.db", "data.db"],
    )
    assert (before_opened, opened) == (
        ["tmp", "tmp_cached", "tmp", "tmp", "tmp"],
        ["tmp", "tmp_cached", "tmp", "tmp"],
    )
    assert files == {
        "tmp": str(snapshot.dirs.tmp_file),
        "tmp_cached": str(snapshot.dirs.tmp_cached_file),
    }
    assert inode(snapshot.dirs.tmp_file) != inode(snapshot.dirs.tmp_cached_file)


def test_each_tmp_strategy_keeps_its_own_record_of_its_copy(snapshot: SeededSnapshot) -> None:
    read("sqlite-tmp-cached", query="latest")
    cached = tmp_strategy("sqlite-tmp-cached").copied

    read("sqlite-tmp", query="latest")

    assert tmp_strategy("sqlite-tmp-cached").copied == cached
    assert tmp_strategy("sqlite-tmp").copied.copy != cached.copy


def test_tmp_aliases_open_the_files_the_strategies_copy_to(snapshot_dirs: SnapshotDirs) -> None:
    names = {alias: connections.settings[alias]["NAME"] for alias in ("tmp", "tmp_cached")}

    assert names == {
        tmp_strategy(name).alias: f"file:{tmp_strategy(name).path()}?mode=ro"
        for name in TMP_STRATEGIES
    }


@pytest.mark.parametrize("name", ("sqlite-efs-immutable", "sqlite-tmp-cached"))
def test_a_kept_connection_reads_the_new_snapshot_after_a_rebuild(
    snapshot: SeededSnapshot, name: str
) -> None:
    before = read(name, query="all")
    write_random_items(make_random_items(count=3, start=datetime(2026, 7, 1, tzinfo=UTC)))
    rebuilt = build_snapshot()

    after = read(name, query="all")

    assert (before.snapshot, before.rows) == (snapshot.version, 300)
    assert (after.snapshot, after.rows, after.fingerprint) == (
        rebuilt.snapshot.version,
        303,
        rebuilt.snapshot.fingerprint,
    )


def test_sqlite_efs_immutable_keeps_its_connection_while_the_file_is_unchanged(
    snapshot: SeededSnapshot,
) -> None:
    read("sqlite-efs-immutable", query="latest")
    first = connections["efs_immutable"].connection

    read("sqlite-efs-immutable", query="latest")

    assert connections["efs_immutable"].connection is first is not None


def test_sqlite_efs_closes_its_connection_after_each_read(snapshot: SeededSnapshot) -> None:
    read("sqlite-efs", query="latest")

    assert connections["efs"].connection is None


def test_a_failed_copy_leaves_no_partial_copy(
    snapshot: SeededSnapshot, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken_sendfile(*_: Any) -> int:
        raise OSError("no space left on device")

    monkeypatch.setattr(os, "sendfile", broken_sendfile)

    with pytest.raises(StorageUnavailableError, match="Could not copy the snapshot to .*no space"):
        read("sqlite-tmp", query="all")

    assert (snapshot.dirs.tmp_file.exists(), tmp_strategy("sqlite-tmp").copied) == (
        False,
        TmpCopy(),
    )


def test_copy_snapshot_of_a_missing_file_says_insert_first(tmp_path: Path) -> None:
    with pytest.raises(NoSnapshotError):
        sqlite_tmp.copy_snapshot(tmp_path / "missing.db", tmp_path / "copy.db")


def test_copy_snapshot_copies_every_byte_and_names_the_file_it_copied(tmp_path: Path) -> None:
    source = tmp_path / "source.db"
    source.write_bytes(os.urandom(3 * 1024 * 1024 + 17))

    identity = sqlite_tmp.copy_snapshot(source, tmp_path / "sub" / "copy.db")

    assert (tmp_path / "sub" / "copy.db").read_bytes() == source.read_bytes()
    assert identity[:3] == (source.stat().st_dev, source.stat().st_ino, source.stat().st_size)


def test_ddb_all_reads_items_written_after_the_snapshot(snapshot: SeededSnapshot) -> None:
    write_random_items(make_random_items(count=4, start=datetime(2026, 8, 1, tzinfo=UTC)))

    results = {name: read(name, query="all").rows for name in ("ddb", "sqlite-efs")}

    assert results == {"ddb": 304, "sqlite-efs": 300}


def test_latest_breaks_created_at_ties_by_id_the_same_way_everywhere(
    ddb: table.Target, snapshot_dirs: SnapshotDirs
) -> None:
    moment = datetime(2026, 4, 1, 12, tzinfo=UTC)
    ids = sorted(str(ULID.from_datetime(moment + timedelta(microseconds=n))) for n in range(3))
    write_random_items(
        [
            RandomItem.build(item_id=item_id, random_value=0.1 * n, created_at=moment)
            for n, item_id in enumerate(ids)
        ]
    )
    build_snapshot()

    orders = {
        name: [item.id for item in read(name, query="latest", limit=3).items]
        for name in SQLITE_STRATEGIES
    }

    assert orders == {name: list(reversed(ids)) for name in SQLITE_STRATEGIES}
