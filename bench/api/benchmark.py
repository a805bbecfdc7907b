"""``/benchmark*``: in-function benchmark sessions, their results, trends, report and CSV."""

from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.http import HttpRequest, HttpResponse
from ninja import Field, P, Query, QueryEx, Router, Schema

from bench import coldstart
from bench.api.params import Iterations, Limit, PageSize, Shape, TrendSessions
from bench.errors import NotFoundError, ResponseTooLargeError
from bench.limits import DEFAULT_ITERATIONS
from bench.stats import Summary
from bench.strategies import STRATEGY_NAMES
from bench.strategies.base import DEFAULT_LIMIT

if TYPE_CHECKING:
    from bench.dynamo.models import BenchmarkResultItem, BenchmarkSessionItem

# bench.sessions (and with it PynamoDB and boto3) is imported inside each view: a container
# that only serves reads never loads it, which keeps the cold start the benchmark measures lean.

router = Router(tags=["benchmark"])

# A Function URL answer is capped at 6 MB; leave room for headers.
MAX_RESPONSE_BYTES = 5_500_000
NO_SESSIONS = "No benchmark session has been run yet: GET /benchmark first."


class ErrorOut(Schema):
    error: str
    detail: str


class SummaryOut(Schema):
    n: int
    errors: int
    mean: float | None
    min: float | None
    p50: float | None
    p90: float | None
    p95: float | None
    p99: float | None
    max: float | None
    std: float | None


class EnvironmentOut(Schema):
    local: bool | None = None
    where: str | None = None
    data_count: int | None = None
    lambda_memory_mb: int | None = None
    lambda_architecture: str | None = None
    stopped: str | None = None


class SessionOut(Schema):
    session_id: str
    executed_at: datetime
    status: str
    iterations: int
    data_count: int
    query: str
    endpoints: list[str]
    summary: dict[str, SummaryOut]
    environment: EnvironmentOut


class ResultOut(Schema):
    result_id: str
    endpoint: str
    query: str
    iteration: int
    response_time_ms: float
    copy_time_ms: float | None
    read_time_ms: float | None
    rows: int | None
    fingerprint: str | None
    cold_start: bool
    ok: bool
    error: str | None
    measured_at: datetime


class SessionDetailOut(SessionOut):
    results: list[ResultOut]


class SessionPageOut(Schema):
    sessions: list[SessionOut]
    next_cursor: str | None


class TrendPointOut(Schema):
    session_id: str
    executed_at: datetime
    status: str
    query: str
    iterations: int
    summary: SummaryOut


class OverallOut(Schema):
    sessions: int
    n: int
    errors: int
    mean: float | None
    min: float | None
    max: float | None
    median_p50: float | None
    first_p50: float | None
    last_p50: float | None
    p50_change_pct: float | None


class TrendOut(Schema):
    endpoint: str
    points: list[TrendPointOut]
    overall: OverallOut


class TrendsOut(Schema):
    trends: list[TrendOut]


def summary_out(summary: Summary) -> dict[str, float | int | None]:
    return summary.as_dict()


def session_out(session: "BenchmarkSessionItem") -> dict[str, Any]:
    from bench import sessions

    environment = session.environment or {}
    return {
        "session_id": session.session_id,
        "executed_at": session.executed_at,
        "status": session.status,
        "iterations": int(session.iterations),
        "data_count": int(session.data_count),
        "query": session.query_shape,
        "endpoints": list(session.endpoints or []),
        "summary": {
            name: summary_out(summary)
            for name, summary in sessions.session_summary(session).items()
        },
        "environment": {
            key: environment.get(key) for key in EnvironmentOut.model_fields if key in environment
        },
    }


def result_out(item: "BenchmarkResultItem") -> dict[str, Any]:
    return {
        "result_id": item.result_id,
        "endpoint": item.endpoint,
        "query": item.query_shape,
        "iteration": int(item.iteration),
        "response_time_ms": float(item.response_time_ms),
        "copy_time_ms": item.copy_time_ms,
        "read_time_ms": item.read_time_ms,
        "rows": None if item.rows is None else int(item.rows),
        "fingerprint": item.fingerprint,
        "cold_start": bool(item.cold_start),
        "ok": bool(item.ok),
        "error": item.error,
        "measured_at": item.measured_at,
    }


ENDPOINTS_HELP = (
    f"Comma-separated strategies to run, in this order each round; default all: "
    f"{','.join(STRATEGY_NAMES)}."
)


class BenchmarkParams(Schema):
    iterations: Iterations = DEFAULT_ITERATIONS
    endpoints: str | None = Field(None, description=ENDPOINTS_HELP)
    query: Shape = Field("all", description="Query shape: all, latest, point or aggregate.")
    limit: Limit = DEFAULT_LIMIT


class SessionPageParams(Schema):
    limit: PageSize = 20
    cursor: str | None = Field(None, description="The next_cursor of the previous page.")


class TrendParams(Schema):
    limit: TrendSessions = 100
    query: Shape | None = Field(None, description="Only sessions of this query shape.")


@router.api_operation(
    ["GET", "POST"],
    "/benchmark",
    response={200: SessionOut, 422: ErrorOut, 503: ErrorOut},
    summary="Run a benchmark session inside the function",
    description="Runs each selected strategy `iterations` times, interleaved, stores every "
    "result and the summary, and returns the session (not its results: see "
    "/benchmark/sessions/{id}). Stops early with status `partial` near the Lambda time limit.",
)
def run_benchmark(request: HttpRequest, params: Query[BenchmarkParams]) -> dict[str, Any]:
    from bench import sessions

    plan = sessions.plan_from(
        iterations=params.iterations,
        endpoints=params.endpoints,
        query=params.query,
        limit=params.limit,
    )
    outcome = sessions.run_session(
        plan,
        context=request.META.get("apig_wsgi.context"),
        cold_container=coldstart.is_cold_start(),
    )
    return session_out(outcome.session)


@router.get(
    "/benchmark/sessions",
    response={200: SessionPageOut, 422: ErrorOut, 503: ErrorOut},
    summary="Benchmark sessions, newest first",
)
def list_sessions(request: HttpRequest, params: Query[SessionPageParams]) -> dict[str, Any]:
    from bench import sessions

    page = sessions.list_sessions(limit=params.limit, cursor=params.cursor)
    return {"sessions": [session_out(s) for s in page.sessions], "next_cursor": page.next_cursor}


@router.get(
    "/benchmark/sessions/{session_id}",
    response={200: SessionDetailOut, 404: ErrorOut, 422: ErrorOut, 503: ErrorOut},
    summary="One benchmark session with its results",
)
def get_session(request: HttpRequest, session_id: str) -> dict[str, Any]:
    from bench import sessions

    session = sessions.get_session(sessions.parse_session_id(session_id, parameter="session_id"))
    items = sessions.session_result_items(session.session_id)
    return {**session_out(session), "results": [result_out(item) for item in items]}


@router.get(
    "/benchmark/trends",
    response={200: TrendsOut, 422: ErrorOut, 503: ErrorOut},
    summary="How each strategy's statistics moved across sessions",
    description="Per strategy, the session summaries oldest first and the overall figures: "
    "n and errors add up, mean is n-weighted, min/max exact, median_p50 is the median of the "
    "session p50s, p50_change_pct compares the last session's p50 with the first's.",
)
def get_trends(request: HttpRequest, params: Query[TrendParams]) -> dict[str, Any]:
    from bench import sessions

    return {
        "trends": [
            {
                "endpoint": trend.endpoint,
                "points": [
                    {
                        "session_id": p.session_id,
                        "executed_at": p.executed_at,
                        "status": p.status,
                        "query": p.query,
                        "iterations": p.iterations,
                        "summary": summary_out(p.summary),
                    }
                    for p in trend.points
                ],
                "overall": trend.overall.__dict__,
            }
            for trend in sessions.trends(limit=params.limit, query=params.query)
        ]
    }


def _chosen_session(session: str | None) -> "BenchmarkSessionItem":
    from bench import sessions

    if session is not None:
        return sessions.get_session(sessions.parse_session_id(session))
    latest = sessions.latest_session()
    if latest is None:
        raise NotFoundError(NO_SESSIONS)
    return latest


TEXT_RESPONSE = {"schema": {"type": "string"}}


@router.get(
    "/benchmark/report",
    response={404: ErrorOut, 422: ErrorOut, 503: ErrorOut},
    summary="Markdown report of a session (latest by default)",
    openapi_extra={
        "responses": {
            "200": {"description": "The report", "content": {"text/markdown": TEXT_RESPONSE}}
        }
    },
)
def get_report(
    request: HttpRequest,
    session: QueryEx[str | None, P(description="Session id; default the latest.")] = None,
) -> HttpResponse:
    from bench import sessions
    from bench.reports import render_markdown

    chosen = _chosen_session(session)
    markdown = render_markdown(
        sessions.run_info(chosen), sessions.session_records(chosen.session_id)
    )
    return HttpResponse(markdown, content_type="text/markdown; charset=utf-8")


@router.get(
    "/benchmark/export/csv",
    response={404: ErrorOut, 413: ErrorOut, 422: ErrorOut, 503: ErrorOut},
    summary="CSV of the results of one session or of all sessions",
    openapi_extra={
        "responses": {
            "200": {"description": "One row per result", "content": {"text/csv": TEXT_RESPONSE}}
        }
    },
)
def export_csv(
    request: HttpRequest,
    session: QueryEx[str | None, P(description="Session id; default all sessions.")] = None,
) -> HttpResponse:
    from bench import sessions
    from bench.reports import csv_text

    if session is not None:
        records = sessions.session_records(
            sessions.get_session(sessions.parse_session_id(session)).session_id
        )
    else:
        records = []
        for item in sessions.iter_sessions(newest_first=False):
            records.extend(sessions.session_records(item.session_id))
            # ~110 bytes a row: stop reading as soon as the answer cannot fit any more.
            if len(records) * 110 > MAX_RESPONSE_BYTES:
                break
    text = csv_text(records)
    if len(text.encode()) > MAX_RESPONSE_BYTES:
        raise ResponseTooLargeError(
            "The CSV of all sessions would exceed the 6 MB response limit of a Function URL: "
            "export one session with ?session=ID, or all of them with "
            "`python manage.py exportreport --format csv`."
        )
    return HttpResponse(text, content_type="text/csv; charset=utf-8")
