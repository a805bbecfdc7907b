"""PynamoDB models of the single table: key shapes of SPEC.md, and what is saved reads back."""

from datetime import UTC, datetime, timedelta, timezone

import pytest

from bench.dynamo import keys
from bench.dynamo.models import (
    ALL_MODELS,
    BenchmarkResultItem,
    BenchmarkSessionItem,
    ConfigItem,
    IsoDateTimeAttribute,
    RandomItem,
    SnapshotInfo,
    utc_now,
)
from bench.dynamo.table import Target

MOMENT = datetime(2026, 1, 2, 3, 4, 5, 678901, tzinfo=UTC)
SESSION_ID = "01J00000000000000000000SES"
RESULT_ID = "01J00000000000000000000RES"
ITEM_ID = "01J0000000000000000000000A"


def make_session(
    *, session_id: str = SESSION_ID, executed_at: datetime = MOMENT, status: str = "running"
) -> BenchmarkSessionItem:
    return BenchmarkSessionItem.build(
        session_id=session_id,
        executed_at=executed_at,
        iterations=100,
        data_count=1000,
        endpoints=["sqlite-efs", "ddb"],
        query="latest",
        status=status,
    )


def make_result(*, copy_time_ms: float | None = None) -> BenchmarkResultItem:
    return BenchmarkResultItem.build(
        session_id=SESSION_ID,
        result_id=RESULT_ID,
        measured_at=MOMENT,
        endpoint="sqlite-tmp",
        query_shape="all",
        iteration=3,
        response_time_ms=12.5,
        copy_time_ms=copy_time_ms,
        read_time_ms=2.25,
        rows=1000,
        fingerprint="abc123",
        ok=True,
    )


def test_random_item_has_the_spec_keys_and_attributes() -> None:
    item = RandomItem.build(item_id=ITEM_ID, random_value=0.25, created_at=MOMENT)

    assert item.serialize() == {
        "PK": {"S": "RANDOM#2026-01-02"},
        "SK": {"S": f"ITEM#{ITEM_ID}"},
        "GSI1PK": {"S": "RANDOM"},
        "GSI1SK": {"S": "2026-01-02T03:04:05.678901Z"},
        "entity": {"S": "random"},
        "id": {"S": ITEM_ID},
        "random_value": {"N": "0.25"},
        "created_at": {"S": "2026-01-02T03:04:05.678901Z"},
    }


def test_random_item_round_trips_through_the_table(ddb: Target) -> None:
    RandomItem.build(item_id=ITEM_ID, random_value=0.25, created_at=MOMENT).save()

    got = RandomItem.get("RANDOM#2026-01-02", keys.random_sk(ITEM_ID))

    assert got.attribute_values == {
        "PK": "RANDOM#2026-01-02",
        "SK": f"ITEM#{ITEM_ID}",
        "GSI1PK": "RANDOM",
        "GSI1SK": "2026-01-02T03:04:05.678901Z",
        "entity": "random",
        "id": ITEM_ID,
        "random_value": 0.25,
        "created_at": MOMENT,
    }


def test_random_items_come_back_from_gsi1_in_created_at_order(ddb: Target) -> None:
    for offset in (3, 1, 2):
        RandomItem.build(
            item_id=f"01J000000000000000000000{offset:02d}",
            random_value=offset / 10,
            created_at=MOMENT + timedelta(days=offset),
        ).save()

    got = [item.random_value for item in RandomItem.gsi1.query(keys.RANDOM_GSI1PK)]

    assert got == [0.1, 0.2, 0.3]


def test_session_item_has_the_spec_keys_and_reads_back(ddb: Target) -> None:
    session = make_session()
    session.summary = {"ddb": {"n": 100, "p50": 3.5}}

    session.save()
    got = BenchmarkSessionItem.get(keys.SESSION_PK, keys.session_sk(SESSION_ID))

    assert got.attribute_values == {
        "PK": "BENCHMARK_SESSION",
        "SK": f"SESSION#{SESSION_ID}",
        "GSI1PK": "BENCHMARK_SESSION",
        "GSI1SK": "2026-01-02T03:04:05.678901Z",
        "entity": "benchmark_session",
        "session_id": SESSION_ID,
        "executed_at": MOMENT,
        "iterations": 100,
        "data_count": 1000,
        "status": "running",
        "endpoints": ["sqlite-efs", "ddb"],
        "query_shape": "latest",
        "summary": {"ddb": {"n": 100, "p50": 3.5}},
        "environment": {},
    }


def test_session_query_is_stored_under_the_name_query() -> None:
    assert make_session().serialize()["query"] == {"S": "latest"}


def test_session_status_must_be_one_of_the_four(ddb: Target) -> None:
    with pytest.raises(
        ValueError, match=r"^status 'done' is not one of running, complete, partial, failed$"
    ):
        make_session(status="done")


def test_sessions_come_back_newest_first_from_gsi1(ddb: Target) -> None:
    for day, session_id in ((1, "S1"), (3, "S3"), (2, "S2")):
        make_session(session_id=session_id, executed_at=MOMENT + timedelta(days=day)).save()

    got = [
        item.session_id
        for item in BenchmarkSessionItem.gsi1.query(keys.SESSION_GSI1PK, scan_index_forward=False)
    ]

    assert got == ["S3", "S2", "S1"]


def test_result_item_has_the_spec_keys_and_reads_back(ddb: Target) -> None:
    make_result(copy_time_ms=8.0).save()

    got = BenchmarkResultItem.get(keys.result_pk(SESSION_ID), keys.result_sk(RESULT_ID))

    assert got.attribute_values == {
        "PK": f"BENCHMARK_RESULT#{SESSION_ID}",
        "SK": f"RESULT#{RESULT_ID}",
        "GSI1PK": "BENCHMARK_RESULT",
        "GSI1SK": "2026-01-02T03:04:05.678901Z",
        "entity": "benchmark_result",
        "session_id": SESSION_ID,
        "result_id": RESULT_ID,
        "endpoint": "sqlite-tmp",
        "query_shape": "all",
        "iteration": 3,
        "response_time_ms": 12.5,
        "copy_time_ms": 8.0,
        "read_time_ms": 2.25,
        "rows": 1000,
        "fingerprint": "abc123",
        "cold_start": False,
        "ok": True,
        "measured_at": MOMENT,
    }
    assert got.error is None


def test_result_item_leaves_out_absent_optional_timings() -> None:
    serialized = make_result(copy_time_ms=None).serialize()

    assert "copy_time_ms" not in serialized
    assert serialized["query"] == {"S": "all"}


def test_config_item_has_the_spec_keys_and_keeps_the_snapshot_map(ddb: Target) -> None:
    config = ConfigItem.build(sqlite_file_path="/mnt/efs/data.db")
    config.snapshot = SnapshotInfo(  # type: ignore[no-untyped-call]
        version="01J00000000000000000000VER",
        rows=1000,
        fingerprint="f" * 64,
        built_at=MOMENT,
        build_ms=321.5,
    )

    config.save()
    got = ConfigItem.get(keys.CONFIG_PK, keys.CONFIG_SK)

    snapshot = got.attribute_values.pop("snapshot")
    assert got.attribute_values == {
        "PK": "CONFIG",
        "SK": "APP_SETTINGS",
        "GSI1PK": "CONFIG",
        "GSI1SK": "APP_SETTINGS",
        "entity": "config",
        "sqlite_file_path": "/mnt/efs/data.db",
        "benchmark_enabled": True,
        "data_generation_count": 0,
    }
    assert snapshot.attribute_values == {
        "version": "01J00000000000000000000VER",
        "rows": 1000,
        "fingerprint": "f" * 64,
        "built_at": MOMENT,
        "build_ms": 321.5,
    }


def test_iso_datetime_attribute_stores_utc_text() -> None:
    attribute = IsoDateTimeAttribute()
    in_paris = datetime(2026, 1, 2, 4, 4, 5, 678901, tzinfo=timezone(timedelta(hours=1)))

    assert attribute.serialize(in_paris) == "2026-01-02T03:04:05.678901Z"
    assert attribute.deserialize("2026-01-02T03:04:05.678901Z") == MOMENT


def test_every_model_shares_the_configured_table(ddb: Target) -> None:
    assert {model.Meta.table_name for model in ALL_MODELS} == {ddb.table_name}
    assert len(ALL_MODELS) == 4


def test_utc_now_is_aware_and_in_utc() -> None:
    now = utc_now()

    assert now.tzinfo is UTC
    assert abs(now - datetime.now(UTC)) < timedelta(minutes=1)
