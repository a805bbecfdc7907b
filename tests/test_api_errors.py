"""Everything a caller can get wrong on the read path: a JSON error naming it, never a 500."""

from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client, RequestFactory
from ninja.errors import HttpError

from bench import strategies
from bench.api import on_http_error, parameter_name
from bench.dynamo import table
from bench.dynamo.randoms import count_items
from bench.localdynamo import free_port
from bench.snapshot import acquire_build_lock
from tests.conftest import SeededSnapshot, SnapshotDirs

SQLITE_STRATEGIES = tuple(name for name in strategies.STRATEGY_NAMES if name != "ddb")
UNKNOWN_ID = "01KJNWY4200000000000000000"


def error(code: str, detail: str) -> dict[str, str]:
    return {"error": code, "detail": detail}


@pytest.fixture
def unreachable_dynamodb(snapshot_dirs: SnapshotDirs) -> Iterator[str]:
    """Every model and client pointed at a loopback port nobody listens on; yields its URL."""
    previous = table.target()
    endpoint = f"http://127.0.0.1:{free_port()}"
    table.configure(table_name="bench-test-main", endpoint_url=endpoint, region="us-east-1")
    yield endpoint
    table.configure(
        table_name=previous.table_name,
        endpoint_url=previous.endpoint_url,
        region=previous.region,
    )


@pytest.mark.parametrize(
    ("query", "detail"),
    [
        (
            {"query": "everything"},
            "query: must be one of all, latest, point, aggregate, got 'everything'.",
        ),
        ({"limit": "0"}, "limit: must be a whole number from 1 to 1000, got 0."),
        ({"limit": "1001"}, "limit: must be a whole number from 1 to 1000, got 1001."),
        ({"limit": "abc"}, "limit: must be a whole number from 1 to 1000, got 'abc'."),
        ({"limit": "1.5"}, "limit: must be a whole number from 1 to 1000, got '1.5'."),
        ({"limit": "+5"}, "limit: must be a whole number from 1 to 1000, got '+5'."),
        ({"limit": "1_000"}, "limit: must be a whole number from 1 to 1000, got '1_000'."),
        ({"limit": "\u0663"}, "limit: must be a whole number from 1 to 1000, got '\u0663'."),
        (
            {"limit": "9" * 200},
            f"limit: must be a whole number from 1 to 1000, got {'9' * 40}... (200 chars).",
        ),
        (
            {"query": "point", "id": "not-a-ulid"},
            "id: must be a ULID (26 characters of Crockford base32), got 'not-a-ulid'.",
        ),
        (
            {"query": "point", "id": "81KJNWY4200000000000000000"},
            "id: must be a ULID (26 characters of Crockford base32), got "
            "'81KJNWY4200000000000000000'.",
        ),
        (
            {"query": "bogus", "limit": "0"},
            "query: must be one of all, latest, point, aggregate, got 'bogus'.; "
            "limit: must be a whole number from 1 to 1000, got 0.",
        ),
    ],
)
@pytest.mark.parametrize("name", strategies.STRATEGY_NAMES)
def test_a_bad_read_parameter_is_a_422_naming_it_and_its_range(
    client: Client, snapshot_dirs: SnapshotDirs, name: str, query: dict[str, str], detail: str
) -> None:
    response = client.get(f"/{name}", query)

    assert (response.status_code, response.json()) == (422, error("bad_parameter", detail))


@pytest.mark.parametrize(
    ("body", "detail"),
    [
        ({"count": -1}, "count: must be a whole number from 0 to 10000, got -1."),
        ({"count": 10001}, "count: must be a whole number from 0 to 10000, got 10001."),
        ({"count": "many"}, "count: must be a whole number from 0 to 10000, got 'many'."),
        ({"count": True}, "count: must be a whole number from 0 to 10000, got True."),
        ({"count": 2.5}, "count: must be a whole number from 0 to 10000, got 2.5."),
        ([1, 2], 'body: must be a JSON object such as {"count": 100}, got [1, 2].'),
        ("5", 'body: must be a JSON object such as {"count": 100}, got 5.'),
    ],
)
def test_a_bad_insert_count_is_a_422_that_writes_nothing(
    client: Client, ddb: table.Target, snapshot_dirs: SnapshotDirs, body: Any, detail: str
) -> None:
    response = client.post("/insert", body, content_type="application/json")

    assert (response.status_code, response.json()) == (422, error("bad_parameter", detail))
    assert (count_items(), snapshot_dirs.efs_file.exists()) == (0, False)


@pytest.mark.parametrize("body", ["count=5", "{not json", '{"count": 5'])
def test_a_body_that_is_not_json_is_a_400_naming_the_body(
    client: Client, ddb: table.Target, snapshot_dirs: SnapshotDirs, body: str
) -> None:
    response = client.post("/insert", body, content_type="application/json")

    assert (response.status_code, response.json()) == (
        400,
        error(
            "bad_parameter",
            'body: the request body is not JSON; send a JSON object such as {"count": 100}.',
        ),
    )


@pytest.mark.parametrize("name", strategies.STRATEGY_NAMES)
def test_an_unknown_id_is_a_404_naming_the_id(
    client: Client, snapshot: SeededSnapshot, name: str
) -> None:
    response = client.get(f"/{name}", {"query": "point", "id": UNKNOWN_ID})

    where = "in DynamoDB" if name == "ddb" else f"of snapshot {snapshot.version}"
    assert (response.status_code, response.json()) == (
        404,
        error("not_found", f"id='{UNKNOWN_ID}' is not an item {where}."),
    )


@pytest.mark.parametrize("name", SQLITE_STRATEGIES)
@pytest.mark.parametrize("query", ["all", "latest", "point", "aggregate"])
def test_reading_before_any_snapshot_is_a_503_saying_insert_first(
    client: Client, ddb: table.Target, snapshot_dirs: SnapshotDirs, name: str, query: str
) -> None:
    response = client.get(f"/{name}", {"query": query})

    assert (response.status_code, response.json()) == (
        503,
        error("no_snapshot", "No SQLite snapshot exists yet: POST /insert first."),
    )


def test_a_broken_snapshot_is_a_503_not_a_500(client: Client, snapshot_dirs: SnapshotDirs) -> None:
    snapshot_dirs.efs_file.write_bytes(b"\0" * 4096)

    responses = [client.get(f"/{name}") for name in SQLITE_STRATEGIES]

    assert {response.status_code for response in responses} == {503}
    assert {response.json()["error"] for response in responses} == {"storage_unavailable"}


@pytest.mark.parametrize(
    ("method", "path"),
    [("get", "/ddb"), ("get", "/status"), ("post", "/insert")],
)
def test_an_unreachable_dynamodb_is_a_503_with_a_sentence(
    client: Client, unreachable_dynamodb: str, method: str, path: str
) -> None:
    response = getattr(client, method)(path, content_type="application/json")

    assert (response.status_code, response.json()) == (
        503,
        error(
            "storage_unavailable",
            f"Could not reach DynamoDB (table 'bench-test-main' at {unreachable_dynamodb}): "
            "is it running?",
        ),
    )


def test_an_insert_while_a_build_runs_is_a_409_that_writes_nothing(
    client: Client, ddb: table.Target, snapshot_dirs: SnapshotDirs
) -> None:
    acquire_build_lock("another-container", seconds=60)

    response = client.post("/insert", {"count": 5}, content_type="application/json")

    assert (response.status_code, response.json()) == (
        409,
        error(
            "snapshot_build_running",
            "A snapshot build is already running; retry when it has finished.",
        ),
    )
    assert count_items() == 0


@pytest.mark.parametrize(
    ("location", "name"),
    [
        (("query", "query"), "query"),
        (("query", "limit"), "limit"),
        (("body", "payload", "count"), "count"),
        (("body", "payload"), "body"),
        (("path", "session_id"), "session_id"),
        (("limit",), "limit"),
        ((), "body"),
    ],
)
def test_parameter_name_drops_only_where_the_parameter_came_from(
    location: tuple[str, ...], name: str
) -> None:
    assert parameter_name(location) == name


def test_other_http_errors_keep_their_status_and_message() -> None:
    request = RequestFactory().get("/anything")

    response = on_http_error(request, HttpError(405, "Method not allowed"))

    assert (response.status_code, response.content) == (
        405,
        b'{"error": "http_error", "detail": "Method not allowed"}',
    )
