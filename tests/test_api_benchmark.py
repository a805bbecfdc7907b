"""``/benchmark*`` through the Lambda handler, with Function URL events (moto DynamoDB)."""

import csv
import io
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pandas as pd
import pytest
from pytest_django.fixtures import Settings as SettingsWrapper

from bench import coldstart, sessions
from bench.api import benchmark as benchmark_api
from bench.dynamo import table
from bench.dynamo.models import BenchmarkSessionItem, ConfigItem, SnapshotInfo
from bench.results import CSV_COLUMNS
from bench.stats import summarize_records
from bench.strategies import STRATEGY_NAMES
from bench.strategies.base import ReadRequest, ReadResult, Timings
from tests.events import ALLOWED_HOST, FakeLambdaContext, make_function_url_event, response_json

T0 = datetime(2026, 12, 4, 20, 0, tzinfo=UTC)


class FixedStrategy:
    def __init__(self, name: str, total_ms: float) -> None:
        self.name = name
        self.total_ms = total_ms

    def read(self, request: ReadRequest) -> ReadResult:
        return ReadResult(
            endpoint=self.name,
            query=request.query,
            rows=10,
            fingerprint="fp-10",
            snapshot="01J0000000000000000000SNAP",
            timings=Timings(total_ms=self.total_ms, read_ms=self.total_ms),
        )


@pytest.fixture
def fake_strategies(ddb: table.Target, monkeypatch: pytest.MonkeyPatch) -> dict[str, FixedStrategy]:
    """Strategies with fixed times behind the registry, and a snapshot recorded in the table."""
    config = ConfigItem.build(sqlite_file_path="data.db")
    config.snapshot = SnapshotInfo(  # type: ignore[no-untyped-call]
        version="01J0000000000000000000SNAP",
        rows=10,
        fingerprint="fp-10",
        built_at=T0,
        build_ms=1.0,
    )
    config.save()
    fakes = {name: FixedStrategy(name, float(i + 1)) for i, name in enumerate(STRATEGY_NAMES)}
    monkeypatch.setattr("bench.strategies.get", lambda name: fakes[name])
    return fakes


@pytest.fixture
def api_settings(settings: SettingsWrapper) -> Iterator[SettingsWrapper]:
    settings.ALLOWED_HOSTS = [ALLOWED_HOST]
    settings.ON_LAMBDA = False
    coldstart.reset()
    yield settings
    coldstart.reset()


def invoke(
    path: str,
    *,
    query: str = "",
    method: str = "GET",
    context: object | None = None,
) -> dict[str, Any]:
    from benchsite.wsgi import lambda_handler

    event = make_function_url_event(method=method, path=path, query=query)
    response: dict[str, Any] = lambda_handler(event, context or FakeLambdaContext())
    return response


def body_text(response: dict[str, Any]) -> str:
    body = response["body"]
    if response.get("isBase64Encoded"):
        import base64

        return base64.b64decode(body).decode()
    return str(body)


def make_session(*, executed_at: datetime) -> BenchmarkSessionItem:
    session = BenchmarkSessionItem.build(
        session_id=sessions.new_ulid(executed_at),
        executed_at=executed_at,
        iterations=1,
        data_count=10,
        endpoints=["ddb"],
        status="complete",
    )
    session.environment = {"local": True, "where": "local", "data_count": 10}
    session.save()
    return session


def test_benchmark_runs_a_session_and_returns_its_summary(
    ddb: table.Target, api_settings: SettingsWrapper, fake_strategies: dict[str, FixedStrategy]
) -> None:
    response = invoke("/benchmark", query="iterations=3&endpoints=ddb,sqlite-efs")

    body = response_json(response)
    assert response["statusCode"] == 200
    assert body["status"] == "complete"
    assert body["iterations"] == 3 and body["endpoints"] == ["ddb", "sqlite-efs"]
    assert body["query"] == "all"
    # The container's first read of each strategy is a cold start: left out of the summary.
    assert body["summary"]["ddb"] == {
        "n": 2,
        "errors": 0,
        "mean": 3.0,
        "min": 3.0,
        "p50": 3.0,
        "p90": 3.0,
        "p95": 3.0,
        "p99": 3.0,
        "max": 3.0,
        "std": 0.0,
    }
    assert body["data_count"] == 10
    assert body["environment"] == {
        "local": True,
        "where": "local",
        "data_count": 10,
        "lambda_memory_mb": None,
        "lambda_architecture": None,
        "stopped": None,
    }
    assert "results" not in body
    records = sessions.session_records(body["session_id"])
    assert [r.cold_start for r in records] == [True, True, False, False, False, False]


def test_benchmark_accepts_post_and_defaults_to_all_five(
    ddb: table.Target, api_settings: SettingsWrapper, fake_strategies: dict[str, FixedStrategy]
) -> None:
    response = invoke("/benchmark", query="iterations=1", method="POST")

    body = response_json(response)
    assert response["statusCode"] == 200
    assert body["endpoints"] == list(STRATEGY_NAMES)
    assert sorted(body["summary"]) == sorted(STRATEGY_NAMES)


def test_benchmark_uses_the_lambda_context_for_the_time_limit(
    ddb: table.Target, api_settings: SettingsWrapper, fake_strategies: dict[str, FixedStrategy]
) -> None:
    class AlmostOutOfTime(FakeLambdaContext):
        def get_remaining_time_in_millis(self) -> int:
            return 1000

    response = invoke("/benchmark", query="iterations=5", context=AlmostOutOfTime())

    body = response_json(response)
    assert body["status"] == "partial"
    assert body["environment"]["stopped"] == (
        "stopped near the Lambda time limit after 0 of 25 reads"
    )
    assert all(summary["n"] == 0 for summary in body["summary"].values())


@pytest.mark.parametrize(
    ("query", "detail"),
    [
        ("iterations=0", "iterations: must be a whole number from 1 to 1000, got 0."),
        ("iterations=1001", "iterations: must be a whole number from 1 to 1000, got 1001."),
        ("iterations=abc", "iterations: must be a whole number from 1 to 1000, got 'abc'."),
        (
            "endpoints=ddb,mysql",
            "endpoints: 'mysql' is not a strategy: use a comma-separated list of sqlite-efs, "
            "sqlite-tmp, ddb, sqlite-tmp-cached, sqlite-efs-immutable.",
        ),
        (
            "query=everything",
            "query: must be one of all, latest, point, aggregate, got 'everything'.",
        ),
    ],
)
def test_benchmark_rejects_bad_parameters_with_json_naming_them(
    ddb: table.Target, api_settings: SettingsWrapper, query: str, detail: str
) -> None:
    response = invoke("/benchmark", query=query)

    assert response["statusCode"] == 422
    assert response_json(response) == {"error": "bad_parameter", "detail": detail}
    assert BenchmarkSessionItem.count(hash_key="BENCHMARK_SESSION") == 0


def test_sessions_are_paginated_newest_first_with_an_opaque_cursor(
    ddb: table.Target, api_settings: SettingsWrapper
) -> None:
    made = [make_session(executed_at=T0 + timedelta(minutes=i)) for i in range(3)]

    first = response_json(invoke("/benchmark/sessions", query="limit=2"))
    second = response_json(
        invoke("/benchmark/sessions", query=f"limit=2&cursor={first['next_cursor']}")
    )

    assert [s["session_id"] for s in first["sessions"]] == [
        made[2].session_id,
        made[1].session_id,
    ]
    assert [s["session_id"] for s in second["sessions"]] == [made[0].session_id]
    assert second["next_cursor"] is None
    assert first["sessions"][0]["executed_at"] == "2026-12-04T20:02:00Z"


@pytest.mark.parametrize(
    ("query", "detail"),
    [
        (
            "cursor=garbage!",
            "cursor='garbage!' is not a cursor of /benchmark/sessions: pass the next_cursor "
            "of the previous page unchanged.",
        ),
        ("limit=0", "limit: must be a whole number from 1 to 100, got 0."),
        ("limit=101", "limit: must be a whole number from 1 to 100, got 101."),
    ],
)
def test_sessions_reject_bad_paging(
    ddb: table.Target, api_settings: SettingsWrapper, query: str, detail: str
) -> None:
    response = invoke("/benchmark/sessions", query=query)

    assert response["statusCode"] == 422
    assert response_json(response) == {"error": "bad_parameter", "detail": detail}


def test_one_session_comes_with_its_results(
    ddb: table.Target, api_settings: SettingsWrapper, fake_strategies: dict[str, FixedStrategy]
) -> None:
    created = response_json(invoke("/benchmark", query="iterations=2&endpoints=sqlite-tmp"))

    response = invoke(f"/benchmark/sessions/{created['session_id']}")

    body = response_json(response)
    assert response["statusCode"] == 200
    assert body["session_id"] == created["session_id"]
    assert [(r["endpoint"], r["iteration"], r["ok"]) for r in body["results"]] == [
        ("sqlite-tmp", 0, True),
        ("sqlite-tmp", 1, True),
    ]
    assert body["results"][0]["response_time_ms"] == 2.0
    assert body["results"][0]["rows"] == 10


def test_unknown_session_is_404_and_malformed_is_422(
    ddb: table.Target, api_settings: SettingsWrapper
) -> None:
    unknown = invoke("/benchmark/sessions/01J0000000000000000000ABCD")
    malformed = invoke("/benchmark/sessions/not-a-ulid")

    assert unknown["statusCode"] == 404
    assert response_json(unknown) == {
        "error": "not_found",
        "detail": "No benchmark session 01J0000000000000000000ABCD exists.",
    }
    assert malformed["statusCode"] == 422
    assert response_json(malformed)["detail"].startswith(
        "session_id='not-a-ulid' is not a session id"
    )


def test_trends_give_each_strategy_its_series(
    ddb: table.Target, api_settings: SettingsWrapper, fake_strategies: dict[str, FixedStrategy]
) -> None:
    for _ in range(2):
        invoke("/benchmark", query="iterations=2&endpoints=ddb")

    body = response_json(invoke("/benchmark/trends"))

    assert [t["endpoint"] for t in body["trends"]] == ["ddb"]
    trend = body["trends"][0]
    assert [p["summary"]["p50"] for p in trend["points"]] == [3.0, 3.0]
    assert trend["overall"] == {
        "sessions": 2,
        "n": 3,  # 2 + 2 reads, less the first session's cold start
        "errors": 0,
        "mean": 3.0,
        "min": 3.0,
        "max": 3.0,
        "median_p50": 3.0,
        "first_p50": 3.0,
        "last_p50": 3.0,
        "p50_change_pct": 0.0,
    }


def test_trends_reject_a_bad_query_shape(ddb: table.Target, api_settings: SettingsWrapper) -> None:
    response = invoke("/benchmark/trends", query="query=sideways")

    assert response["statusCode"] == 422


def test_report_is_markdown_of_the_latest_session_by_default(
    ddb: table.Target, api_settings: SettingsWrapper, fake_strategies: dict[str, FixedStrategy]
) -> None:
    invoke("/benchmark", query="iterations=2&endpoints=ddb")
    latest = response_json(invoke("/benchmark", query="iterations=3&endpoints=sqlite-efs"))

    response = invoke("/benchmark/report")

    text = body_text(response)
    assert response["statusCode"] == 200
    assert response["headers"]["content-type"] == "text/markdown; charset=utf-8"
    assert text.startswith("# Benchmark report: in-function session, ")
    assert f"Session {latest['session_id']}, status complete." in text
    assert "| `sqlite-efs` | 3 | 0 | 1.00 |" in text


def test_report_of_a_chosen_session(
    ddb: table.Target, api_settings: SettingsWrapper, fake_strategies: dict[str, FixedStrategy]
) -> None:
    first = response_json(invoke("/benchmark", query="iterations=2&endpoints=ddb"))
    invoke("/benchmark", query="iterations=2&endpoints=sqlite-efs")

    text = body_text(invoke("/benchmark/report", query=f"session={first['session_id']}"))

    # the container's first request: its first round is a cold start, shown apart
    assert "| `ddb` | 1 | 0 | 3.00 |" in text
    assert "| `ddb` | 1 | 0 | 3.00 | 3.00 |" in text.split("## Cold starts")[1]
    assert "`sqlite-efs` |" not in text


def test_report_without_sessions_says_how_to_make_one(
    ddb: table.Target, api_settings: SettingsWrapper
) -> None:
    response = invoke("/benchmark/report")

    assert response["statusCode"] == 404
    assert response_json(response) == {
        "error": "not_found",
        "detail": "No benchmark session has been run yet: GET /benchmark first.",
    }


def test_report_of_a_malformed_session_is_422(
    ddb: table.Target, api_settings: SettingsWrapper
) -> None:
    response = invoke("/benchmark/report", query="session=123")

    assert response["statusCode"] == 422
    assert response_json(response)["detail"].startswith("session='123' is not a session id")


def test_csv_export_of_all_sessions_parses_in_csv_and_pandas(
    ddb: table.Target, api_settings: SettingsWrapper, fake_strategies: dict[str, FixedStrategy]
) -> None:
    invoke("/benchmark", query="iterations=2&endpoints=ddb")
    invoke("/benchmark", query="iterations=3&endpoints=sqlite-efs,sqlite-tmp")

    response = invoke("/benchmark/export/csv")

    text = body_text(response)
    assert response["headers"]["content-type"] == "text/csv; charset=utf-8"
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == list(CSV_COLUMNS)
    assert len(rows) == 1 + 2 + 6
    frame = pd.read_csv(io.StringIO(text))
    assert frame["endpoint"].value_counts().to_dict() == {
        "sqlite-efs": 3,
        "sqlite-tmp": 3,
        "ddb": 2,
    }


def test_csv_export_of_one_session(
    ddb: table.Target, api_settings: SettingsWrapper, fake_strategies: dict[str, FixedStrategy]
) -> None:
    chosen = response_json(invoke("/benchmark", query="iterations=2&endpoints=ddb"))
    invoke("/benchmark", query="iterations=3&endpoints=sqlite-efs")

    text = body_text(invoke("/benchmark/export/csv", query=f"session={chosen['session_id']}"))

    frame = pd.read_csv(io.StringIO(text))
    assert frame["endpoint"].tolist() == ["ddb", "ddb"]
    assert frame["server_total_ms"].tolist() == [3.0, 3.0]


def test_csv_export_refuses_more_than_a_function_url_can_return(
    ddb: table.Target,
    api_settings: SettingsWrapper,
    fake_strategies: dict[str, FixedStrategy],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    invoke("/benchmark", query="iterations=5&endpoints=ddb")
    invoke("/benchmark", query="iterations=5&endpoints=ddb")
    monkeypatch.setattr(benchmark_api, "MAX_RESPONSE_BYTES", 300)

    response = invoke("/benchmark/export/csv")

    assert response["statusCode"] == 413
    assert response_json(response)["detail"].startswith(
        "The CSV of all sessions would exceed the 6 MB response limit of a Function URL"
    )


def test_unknown_session_csv_is_404(ddb: table.Target, api_settings: SettingsWrapper) -> None:
    response = invoke("/benchmark/export/csv", query="session=01J0000000000000000000ABCD")

    assert response["statusCode"] == 404


def test_unreachable_table_is_503(ddb: table.Target, api_settings: SettingsWrapper) -> None:
    table.configure(table_name="missing-table", endpoint_url=None, region="us-east-1")

    response = invoke("/benchmark/sessions")

    assert response["statusCode"] == 503
    assert response_json(response)["error"] == "storage_unavailable"


def test_openapi_documents_typed_benchmark_responses(api_settings: SettingsWrapper) -> None:
    schema = response_json(invoke("/openapi.json"))

    paths = schema["paths"]
    assert set(paths) >= {
        "/benchmark",
        "/benchmark/sessions",
        "/benchmark/sessions/{session_id}",
        "/benchmark/trends",
        "/benchmark/report",
        "/benchmark/export/csv",
    }
    run = paths["/benchmark"]["get"]["responses"]["200"]["content"]["application/json"]
    assert run["schema"]["$ref"].endswith("/SessionOut")
    assert "text/markdown" in paths["/benchmark/report"]["get"]["responses"]["200"]["content"]
    assert "text/csv" in paths["/benchmark/export/csv"]["get"]["responses"]["200"]["content"]
    iterations = next(
        p for p in paths["/benchmark"]["post"]["parameters"] if p["name"] == "iterations"
    )
    assert (iterations["schema"]["minimum"], iterations["schema"]["maximum"]) == (1, 1000)


def test_summary_stored_by_the_api_matches_the_stored_results(
    ddb: table.Target, api_settings: SettingsWrapper, fake_strategies: dict[str, FixedStrategy]
) -> None:
    body = response_json(invoke("/benchmark", query="iterations=4"))

    records = sessions.session_records(body["session_id"])
    warm = [record for record in records if not record.cold_start]

    assert len(warm) < len(records)
    assert {k: v.as_dict() for k, v in summarize_records(warm).items()} == body["summary"]


def test_benchmark_without_a_snapshot_is_503(
    ddb: table.Target, api_settings: SettingsWrapper
) -> None:
    response = invoke("/benchmark", query="iterations=2&endpoints=sqlite-efs")

    assert response["statusCode"] == 503
    assert response_json(response) == {
        "error": "no_snapshot",
        "detail": "No SQLite snapshot exists yet: POST /insert first.",
    }
