"""The read-path routes: one timed read per strategy, POST /insert, GET /status, the schema."""

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.test import Client

from bench import coldstart, strategies
from bench.dynamo import keys, table
from bench.dynamo.models import RandomItem
from bench.strategies.base import QUERY_SHAPES
from tests.conftest import SeededSnapshot, SnapshotDirs

TMP_STRATEGIES = ("sqlite-tmp", "sqlite-tmp-cached")


@pytest.fixture(autouse=True)
def warm_container() -> None:
    """As if this process had served a request already (cold starts: tests/test_handler.py)."""
    coldstart.on_request_started()


def split_timings(body: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """The body without ``timings_ms``, and the timings (checked for shape, not value)."""
    rest = dict(body)
    timings = rest.pop("timings_ms")
    assert all(value is None or value >= 0 for value in timings.values())
    return rest, timings


def item_json(item: RandomItem) -> dict[str, Any]:
    return {
        "id": item.id,
        "random_value": item.random_value,
        "created_at": keys.iso_utc(item.created_at),
    }


def by_id(items: list[RandomItem]) -> list[RandomItem]:
    return sorted(items, key=lambda item: item.id)


@pytest.mark.parametrize("name", strategies.STRATEGY_NAMES)
def test_a_read_route_answers_rows_fingerprint_snapshot_and_the_first_items(
    client: Client, snapshot: SeededSnapshot, name: str
) -> None:
    response = client.get(f"/{name}", {"limit": "2"})

    body, timings = split_timings(response.json())
    assert (response.status_code, body) == (
        200,
        {
            "endpoint": name,
            "query": "all",
            "rows": 300,
            "fingerprint": snapshot.fingerprint,
            "snapshot": None if name == "ddb" else snapshot.version,
            "cold_start": False,
            "items": [item_json(item) for item in by_id(snapshot.items)[:2]],
            "aggregate": None,
        },
    )
    assert set(timings) == {"total", "copy", "read"}
    assert (timings["copy"] is not None) == (name in TMP_STRATEGIES)


def test_a_read_route_returns_ten_items_by_default_and_never_more_than_limit(
    client: Client, snapshot: SeededSnapshot
) -> None:
    counts = [
        len(client.get("/sqlite-efs", query).json()["items"])
        for query in ({}, {"limit": "1"}, {"limit": "1000"})
    ]

    assert counts == [10, 1, 300]


def test_latest_point_and_aggregate_answer_alike_on_every_route(
    client: Client, snapshot: SeededSnapshot
) -> None:
    point_id = snapshot.items[42].id
    queries: list[dict[str, str]] = [
        {"query": "latest", "limit": "3"},
        {"query": "point", "id": point_id.lower()},
        {"query": "aggregate"},
    ]

    answers = {
        (name, query["query"]): split_timings(client.get(f"/{name}", query).json())[0]
        for name in strategies.STRATEGY_NAMES
        for query in queries
    }

    for query in ("latest", "point", "aggregate"):
        shapes = {
            name: {
                k: v for k, v in answers[(name, query)].items() if k not in ("endpoint", "snapshot")
            }
            for name in strategies.STRATEGY_NAMES
        }
        assert len({repr(shape) for shape in shapes.values()}) == 1, shapes
    newest = sorted(snapshot.items, key=lambda item: item.created_at, reverse=True)[:3]
    assert answers[("ddb", "latest")]["items"] == [item_json(item) for item in newest]
    assert answers[("ddb", "point")]["items"] == [item_json(snapshot.items[42])]
    values = [item.random_value for item in snapshot.items]
    assert answers[("sqlite-efs", "aggregate")] | {"fingerprint": None} == {
        "endpoint": "sqlite-efs",
        "query": "aggregate",
        "rows": 300,
        "fingerprint": None,
        "snapshot": snapshot.version,
        "cold_start": False,
        "items": [],
        "aggregate": {
            "count": 300,
            "avg": round(sum(values) / 300, 10),
            "min": min(values),
            "max": max(values),
        },
    }


def test_insert_writes_items_and_returns_the_new_snapshot(
    client: Client, snapshot: SeededSnapshot
) -> None:
    response = client.post("/insert", {"count": 4}, content_type="application/json")

    body = response.json()
    timings = body.pop("timings_ms")
    new = body["snapshot"]
    assert (response.status_code, body) == (
        200,
        {
            "inserted": 4,
            "snapshot": {
                "version": new["version"],
                "rows": 304,
                "fingerprint": new["fingerprint"],
                "built_at": new["built_at"],
                "build_ms": new["build_ms"],
            },
        },
    )
    assert new["version"] != snapshot.version
    assert set(timings) == {"insert", "ddb_read", "sqlite_write", "total"}
    assert timings["total"] >= timings["insert"] + timings["ddb_read"] + timings["sqlite_write"]
    reread = client.get("/sqlite-efs-immutable").json()
    assert (reread["snapshot"], reread["rows"], reread["fingerprint"]) == (
        new["version"],
        304,
        new["fingerprint"],
    )


def test_insert_without_a_body_only_rebuilds(client: Client, snapshot: SeededSnapshot) -> None:
    response = client.post("/insert", "", content_type="application/json")

    body = response.json()
    assert (response.status_code, body["inserted"], body["snapshot"]["rows"]) == (200, 0, 300)
    assert body["snapshot"]["fingerprint"] == snapshot.fingerprint


def test_insert_with_an_empty_object_only_rebuilds(
    client: Client, snapshot: SeededSnapshot
) -> None:
    response = client.post("/insert", {}, content_type="application/json")

    assert (response.status_code, response.json()["inserted"]) == (200, 0)


def test_status_before_anything_exists(
    client: Client, ddb: table.Target, snapshot_dirs: SnapshotDirs
) -> None:
    response = client.get("/status")

    assert (response.status_code, response.json()) == (
        200,
        {
            "table": ddb.table_name,
            "ddb_items": 0,
            "snapshot": None,
            "efs_file": {"path": str(snapshot_dirs.efs_file), "exists": False, "bytes": None},
            "tmp_file": {"path": str(snapshot_dirs.tmp_file), "exists": False, "bytes": None},
            "tmp_cached_file": {
                "path": str(snapshot_dirs.tmp_cached_file),
                "exists": False,
                "bytes": None,
            },
        },
    )


def test_status_describes_the_snapshot_and_the_files(
    client: Client, snapshot: SeededSnapshot
) -> None:
    RandomItem.build(
        item_id="01KJNX0000000000000000000Z",
        random_value=0.5,
        created_at=datetime(2026, 3, 9, tzinfo=UTC),
    ).save()
    client.get("/sqlite-tmp")

    body = client.get("/status").json()

    built = snapshot.report.snapshot
    age = body["snapshot"].pop("age_s")
    assert body == {
        "table": table.target().table_name,
        "ddb_items": 301,
        "snapshot": {
            "version": built.version,
            "rows": 300,
            "fingerprint": built.fingerprint,
            "built_at": built.built_at.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "build_ms": built.build_ms,
        },
        "efs_file": {
            "path": str(snapshot.dirs.efs_file),
            "exists": True,
            "bytes": snapshot.dirs.efs_file.stat().st_size,
        },
        "tmp_file": {
            "path": str(snapshot.dirs.tmp_file),
            "exists": True,
            "bytes": snapshot.dirs.efs_file.stat().st_size,
        },
        "tmp_cached_file": {  # only sqlite-tmp has read: its copy is not sqlite-tmp-cached's
            "path": str(snapshot.dirs.tmp_cached_file),
            "exists": False,
            "bytes": None,
        },
    }
    assert timedelta(0) <= timedelta(seconds=age) < timedelta(hours=1)


def test_openapi_describes_every_parameter_and_response_field(client: Client) -> None:
    schema = client.get("/openapi.json").json()
    components = schema["components"]["schemas"]

    def properties(name: str) -> list[str]:
        return list(components[name]["properties"])

    for name in strategies.STRATEGY_NAMES:
        operation = schema["paths"][f"/{name}"]["get"]
        parameters = {p["name"]: p["schema"] for p in operation["parameters"]}
        assert list(parameters) == ["query", "limit", "id"]
        assert parameters["query"]["enum"] == list(QUERY_SHAPES)
        assert (parameters["limit"]["minimum"], parameters["limit"]["maximum"]) == (1, 1000)
        assert sorted(operation["responses"]) == ["200", "404", "422", "503"]
    assert properties("ReadOut") == [
        "endpoint",
        "query",
        "rows",
        "fingerprint",
        "snapshot",
        "timings_ms",
        "cold_start",
        "items",
        "aggregate",
    ]
    assert properties("TimingsOut") == ["total", "copy", "read"]
    assert properties("ItemOut") == ["id", "random_value", "created_at"]
    assert properties("AggregateOut") == ["count", "avg", "min", "max"]
    assert properties("InsertIn") == ["count"]
    assert components["InsertIn"]["properties"]["count"] | {} == {
        "default": 0,
        "description": "Random items to write first (0..10000).",
        "maximum": 10000,
        "minimum": 0,
        "title": "Count",
        "type": "integer",
    }
    assert properties("InsertOut") == ["inserted", "timings_ms", "snapshot"]
    assert properties("InsertTimingsOut") == ["insert", "ddb_read", "sqlite_write", "total"]
    assert properties("StatusOut") == [
        "table",
        "ddb_items",
        "snapshot",
        "efs_file",
        "tmp_file",
        "tmp_cached_file",
    ]
    assert sorted(schema["paths"]["/insert"]["post"]["responses"]) == [
        "200",
        "400",
        "409",
        "422",
        "503",
    ]


def test_the_docs_page_is_served(client: Client) -> None:
    response = client.get("/docs")

    assert (response.status_code, response["Content-Type"]) == (200, "text/html; charset=utf-8")
    assert b"/openapi.json" in response.content
    # Swagger UI comes from a CDN: nothing here serves /static/, on Lambda or locally.
    assert b"/static/" not in response.content
    assert b"https://cdn.jsdelivr.net/npm/swagger-ui-dist" in response.content
