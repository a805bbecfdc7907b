"""In-function benchmark sessions (SPEC.md ``/benchmark*``): run, store, read back.

A session runs each selected strategy ``iterations`` times inside the function, interleaved
(a, b, c, a, b, c, ...) so drift (a noisy neighbour, a warming cache) hits every strategy alike.
A failed read becomes a failed result, not a failed session. Before each read the runner checks
the Lambda's remaining time; when too little is left to read once more and still store what was
measured, it stops and the session is ``partial``. Results are written after the reads, in
batches, so writes never sit between timed reads; the session then gets its summary
(``bench.stats``) and its final status.
"""

import base64
import binascii
import json
import math
import os
import platform
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from botocore.exceptions import BotoCoreError
from django.conf import settings
from pynamodb.exceptions import PynamoDBException
from ulid import ULID

from bench.dynamo import keys
from bench.dynamo.models import (
    BenchmarkResultItem,
    BenchmarkSessionItem,
    ConfigItem,
    utc_now,
)
from bench.dynamo.table import describe_failure
from bench.errors import (
    BadParameterError,
    BenchError,
    NoSnapshotError,
    NotFoundError,
    StorageUnavailableError,
)
from bench.limits import (
    DEFAULT_ITERATIONS,
    MAX_ITERATIONS,
    MAX_PAGE,
    MAX_TREND_SESSIONS,
    MIN_ITERATIONS,
    MIN_PAGE,
)
from bench.reports.analysis import order_endpoints
from bench.reports.info import RunInfo
from bench.results import ResultRecord
from bench.stats import Summary, percentile, summarize_records
from bench.strategies import STRATEGY_NAMES
from bench.strategies.base import DEFAULT_LIMIT, QUERY_SHAPES, QueryShape, ReadRequest, Strategy

# Kept free before the time limit: the batched writes of every result plus the response.
SAFETY_MARGIN_MS = 3000.0
WRITE_MS_PER_RESULT = 4.0  # a 25-item batch write takes well under 100 ms inside the region
FAILED_STATUS = 500  # the HTTP status a failed in-function read would have had


def remaining_ms_of(context: object) -> Callable[[], float] | None:
    """A clock of the time left, from a Lambda context (apig-wsgi's ``apig_wsgi.context``)."""
    method = getattr(context, "get_remaining_time_in_millis", None)
    if not callable(method):
        return None
    return lambda: float(method())


@dataclass(frozen=True)
class SessionPlan:
    iterations: int = DEFAULT_ITERATIONS
    endpoints: tuple[str, ...] = STRATEGY_NAMES
    query: QueryShape = "all"
    limit: int = DEFAULT_LIMIT


def parse_endpoints(raw: str | None) -> tuple[str, ...]:
    """``endpoints=a,b`` -> the names in the order given; all five when empty or missing."""
    names = [part.strip() for part in (raw or "").split(",") if part.strip()]
    if not names:  # missing, empty, or only commas and spaces
        return STRATEGY_NAMES
    unknown = [name for name in names if name not in STRATEGY_NAMES]
    if unknown:
        raise BadParameterError(
            "endpoints",
            f"endpoints: {', '.join(repr(n) for n in unknown)} "
            f"{'is not a strategy' if len(unknown) == 1 else 'are not strategies'}: "
            f"use a comma-separated list of {', '.join(STRATEGY_NAMES)}.",
        )
    return tuple(dict.fromkeys(names))


def plan_from(
    *, iterations: int, endpoints: str | None, query: str, limit: int = DEFAULT_LIMIT
) -> SessionPlan:
    """A validated plan; BadParameterError naming the parameter on a bad value."""
    if not MIN_ITERATIONS <= iterations <= MAX_ITERATIONS:
        raise BadParameterError(
            "iterations",
            f"iterations={iterations} is out of range: use {MIN_ITERATIONS}..{MAX_ITERATIONS}.",
        )
    if query not in QUERY_SHAPES:
        raise BadParameterError(
            "query", f"query={query!r} is not a query shape: use one of {', '.join(QUERY_SHAPES)}."
        )
    shape: QueryShape = query
    return SessionPlan(
        iterations=iterations, endpoints=parse_endpoints(endpoints), query=shape, limit=limit
    )


@dataclass
class Measured:
    """What one timed read left behind, before it is stored."""

    endpoint: str
    iteration: int
    measured_at: datetime
    response_time_ms: float
    copy_time_ms: float | None = None
    read_time_ms: float | None = None
    rows: int | None = None
    fingerprint: str | None = None
    cold_start: bool = False
    error: str | None = None
    item_id: str | None = field(default=None, repr=False)

    @property
    def ok(self) -> bool:
        return self.error is None


def describe_error(exc: BaseException) -> str:
    if isinstance(exc, BenchError):
        return f"{type(exc).__name__}: {exc.detail}"
    return f"{type(exc).__name__}: {exc}"


def time_read(
    strategy: Strategy,
    request: ReadRequest,
    *,
    iteration: int,
    cold_start: bool,
    now: Callable[[], datetime] = utc_now,
) -> Measured:
    """One read of ``strategy``; any exception becomes a failed ``Measured``, never a crash."""
    measured_at = now()
    start = time.perf_counter_ns()
    try:
        result = strategy.read(request)
    except Exception as exc:  # a failed read is a result, whatever failed
        return Measured(
            endpoint=strategy.name,
            iteration=iteration,
            measured_at=measured_at,
            response_time_ms=(time.perf_counter_ns() - start) / 1e6,
            cold_start=cold_start,
            error=describe_error(exc),
        )
    return Measured(
        endpoint=strategy.name,
        iteration=iteration,
        measured_at=measured_at,
        response_time_ms=result.timings.total_ms,
        copy_time_ms=result.timings.copy_ms,
        read_time_ms=result.timings.read_ms,
        rows=result.rows,
        fingerprint=result.fingerprint,
        cold_start=cold_start,
        item_id=result.items[0].id if result.items else None,
    )


@dataclass(frozen=True)
class RunOutcome:
    measured: list[Measured]
    stopped_early: bool


def run_reads(
    plan: SessionPlan,
    strategies: Mapping[str, Strategy],
    *,
    remaining_ms: Callable[[], float] | None = None,
    cold_container: bool = False,
    now: Callable[[], datetime] = utc_now,
) -> RunOutcome:
    """Every read of the plan, interleaved; stops early when the time left runs short.

    For ``point`` each round reads one id: the first strategy of the round picks a random one
    and the others read the same, so their answers can be compared.
    """
    measured: list[Measured] = []
    longest_ms = 0.0
    for iteration in range(plan.iterations):
        item_id: str | None = None
        for name in plan.endpoints:
            if remaining_ms is not None:
                needed = SAFETY_MARGIN_MS + longest_ms + WRITE_MS_PER_RESULT * (len(measured) + 1)
                if remaining_ms() < needed:
                    return RunOutcome(measured=measured, stopped_early=True)
            request = ReadRequest(query=plan.query, limit=plan.limit, item_id=item_id)
            start = time.perf_counter_ns()
            result = time_read(
                strategies[name],
                request,
                iteration=iteration,
                cold_start=cold_container and iteration == 0,
                now=now,
            )
            longest_ms = max(longest_ms, (time.perf_counter_ns() - start) / 1e6)
            if plan.query == "point" and item_id is None:
                item_id = result.item_id
            measured.append(result)
    return RunOutcome(measured=measured, stopped_early=False)


def to_record(item: BenchmarkResultItem) -> ResultRecord:
    """A stored result as the shared record of the report and CSV modules."""
    ok = bool(item.ok)
    return ResultRecord(
        endpoint=item.endpoint,
        query=item.query_shape,
        iteration=int(item.iteration),
        status=200 if ok else FAILED_STATUS,
        client_ms=None,
        server_total_ms=float(item.response_time_ms),
        copy_ms=None if item.copy_time_ms is None else float(item.copy_time_ms),
        read_ms=None if item.read_time_ms is None else float(item.read_time_ms),
        rows=None if item.rows is None else int(item.rows),
        fingerprint=item.fingerprint,
        cold_start=bool(item.cold_start),
        measured_at=item.measured_at,
        error=item.error if not ok else None,
    )


def measured_record(m: Measured, *, query: str) -> ResultRecord:
    return ResultRecord(
        endpoint=m.endpoint,
        query=query,
        iteration=m.iteration,
        status=200 if m.ok else FAILED_STATUS,
        client_ms=None,
        server_total_ms=m.response_time_ms,
        copy_ms=m.copy_time_ms,
        read_ms=m.read_time_ms,
        rows=m.rows,
        fingerprint=m.fingerprint,
        cold_start=m.cold_start,
        measured_at=m.measured_at,
        error=m.error,
    )


def summary_of(records: Sequence[ResultRecord], endpoints: Sequence[str]) -> dict[str, Summary]:
    """Per selected endpoint (also those without any result), the stored summary.

    On warm requests, like every report's statistics table: a container's first read of each
    strategy also pays for loading and first connections, and stays visible in the results.
    """
    summaries = summarize_records(record for record in records if not record.cold_start)
    return {name: summaries.get(name, Summary.from_dict({})) for name in endpoints}


def lambda_environment(context: object | None) -> dict[str, Any]:
    """Where the session runs, stored on it for its report."""
    memory = getattr(context, "memory_limit_in_mb", None) or os.environ.get(
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE"
    )
    machine = platform.machine().lower()
    architecture = {"aarch64": "arm64", "arm64": "arm64", "x86_64": "x86_64", "amd64": "x86_64"}
    function_name = os.environ.get("AWS_LAMBDA_FUNCTION_NAME")
    local = not settings.ON_LAMBDA
    return {
        "local": local,
        "where": "local"
        if local
        else f"AWS Lambda {function_name or '(unnamed function)'} in {settings.AWS_REGION}",
        "lambda_memory_mb": None if local or memory is None else int(memory),
        "lambda_architecture": None if local else architecture.get(machine, machine),
        "python": platform.python_version(),
    }


def snapshot_rows() -> int | None:
    """Rows of the current snapshot (the data count), None before the first build."""
    try:
        config = ConfigItem.get(keys.CONFIG_PK, keys.CONFIG_SK)
    except ConfigItem.DoesNotExist:
        return None
    return None if config.snapshot is None else int(config.snapshot.rows)


@dataclass(frozen=True)
class SessionResult:
    session: BenchmarkSessionItem
    records: list[ResultRecord]


def new_ulid(moment: datetime) -> str:
    return str(ULID.from_datetime(moment))


def run_session(
    plan: SessionPlan,
    *,
    strategies: Mapping[str, Strategy] | None = None,
    context: object | None = None,
    cold_container: bool = False,
    now: Callable[[], datetime] = utc_now,
) -> SessionResult:
    """Create the session, run its reads, store results and summary; returns the session."""
    if strategies is None:
        from bench import strategies as registry

        strategies = {name: registry.get(name) for name in plan.endpoints}
    environment = lambda_environment(context)
    data_count = _storage(snapshot_rows)
    if data_count is None and any(n.startswith("sqlite") for n in plan.endpoints):
        # Every SQLite read would fail: say so once instead of storing a session of failures.
        raise NoSnapshotError()
    environment["data_count"] = data_count
    executed_at = now()
    session = BenchmarkSessionItem.build(
        session_id=new_ulid(executed_at),
        executed_at=executed_at,
        iterations=plan.iterations,
        data_count=data_count or 0,
        endpoints=list(plan.endpoints),
        query=plan.query,
    )
    session.environment = environment
    _storage(session.save)
    outcome = run_reads(
        plan,
        strategies,
        remaining_ms=remaining_ms_of(context),
        cold_container=cold_container,
        now=now,
    )
    records = [measured_record(m, query=plan.query) for m in outcome.measured]
    try:
        store_results(session.session_id, outcome.measured, query=plan.query)
    except StorageUnavailableError:
        session.status = "failed"
        session.summary = {}
        _storage(session.save)
        raise
    session.summary = {
        name: summary.as_dict() for name, summary in summary_of(records, plan.endpoints).items()
    }
    session.status = "partial" if outcome.stopped_early else "complete"
    if outcome.stopped_early:
        session.environment = {
            **environment,
            "stopped": f"stopped near the Lambda time limit after {len(records)} of "
            f"{plan.iterations * len(plan.endpoints)} reads",
        }
    _storage(session.save)
    return SessionResult(session=session, records=records)


def store_results(session_id: str, measured: Sequence[Measured], *, query: str) -> None:
    def write() -> None:
        with BenchmarkResultItem.batch_write() as batch:
            for m in measured:
                batch.save(
                    BenchmarkResultItem.build(
                        session_id=session_id,
                        result_id=new_ulid(m.measured_at),
                        measured_at=m.measured_at,
                        endpoint=m.endpoint,
                        query_shape=query,
                        iteration=m.iteration,
                        response_time_ms=m.response_time_ms,
                        copy_time_ms=m.copy_time_ms,
                        read_time_ms=m.read_time_ms,
                        rows=m.rows,
                        fingerprint=m.fingerprint,
                        cold_start=m.cold_start,
                        ok=m.ok,
                        error=m.error,
                    )
                )

    _storage(write)


def _storage[T](call: Callable[[], T]) -> T:
    """Run a DynamoDB call; its failure becomes StorageUnavailableError with a sentence."""
    try:
        return call()
    except (PynamoDBException, BotoCoreError) as exc:
        raise StorageUnavailableError(describe_failure(exc.__cause__ or exc)) from exc


# --- reading sessions back ---


def parse_session_id(raw: str, *, parameter: str = "session") -> str:
    try:
        return str(ULID.from_str(raw))
    except ValueError:
        raise BadParameterError(
            parameter,
            f"{parameter}={raw!r} is not a session id: a session id is a 26-character ULID "
            "(as listed by /benchmark/sessions).",
        ) from None


def get_session(session_id: str) -> BenchmarkSessionItem:
    """The stored session; NotFoundError when there is none with that id."""

    def fetch() -> BenchmarkSessionItem | None:
        try:
            return BenchmarkSessionItem.get(keys.SESSION_PK, keys.session_sk(session_id))
        except BenchmarkSessionItem.DoesNotExist:
            return None

    session = _storage(fetch)
    if session is None:
        raise NotFoundError(f"No benchmark session {session_id} exists.")
    return session


def session_result_items(session_id: str) -> list[BenchmarkResultItem]:
    """The session's stored results, in the order they were measured."""
    items = _storage(lambda: list(BenchmarkResultItem.query(keys.result_pk(session_id))))
    order = {name: index for index, name in enumerate(STRATEGY_NAMES)}
    items.sort(key=lambda i: (i.measured_at, int(i.iteration), order.get(i.endpoint, len(order))))
    return items


def session_records(session_id: str) -> list[ResultRecord]:
    return [to_record(item) for item in session_result_items(session_id)]


def encode_cursor(key: Mapping[str, Mapping[str, str]]) -> str:
    raw = json.dumps({"PK": key["PK"]["S"], "SK": key["SK"]["S"]}, separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> dict[str, dict[str, str]]:
    bad = BadParameterError(
        "cursor",
        f"cursor={cursor[:40]!r} is not a cursor of /benchmark/sessions: pass the next_cursor "
        "of the previous page unchanged.",
    )
    try:
        data = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (binascii.Error, ValueError, UnicodeDecodeError):
        raise bad from None
    if (
        not isinstance(data, dict)
        or data.get("PK") != keys.SESSION_PK
        or not isinstance(data.get("SK"), str)
        or not data["SK"].startswith(keys.SESSION_SK_PREFIX)
    ):
        raise bad
    return {"PK": {"S": data["PK"]}, "SK": {"S": data["SK"]}}


@dataclass(frozen=True)
class SessionPage:
    sessions: list[BenchmarkSessionItem]
    next_cursor: str | None


def list_sessions(*, limit: int = 20, cursor: str | None = None) -> SessionPage:
    """Sessions newest first (session ids are ULIDs, so key order is time order)."""
    if not MIN_PAGE <= limit <= MAX_PAGE:
        raise BadParameterError(
            "limit", f"limit={limit} is out of range: use {MIN_PAGE}..{MAX_PAGE}."
        )
    start = decode_cursor(cursor) if cursor else None

    def fetch() -> list[BenchmarkSessionItem]:
        return list(
            BenchmarkSessionItem.query(
                keys.SESSION_PK,
                scan_index_forward=False,
                limit=limit + 1,
                last_evaluated_key=start,
            )
        )

    items = _storage(fetch)
    page, more = items[:limit], len(items) > limit
    next_cursor = (
        encode_cursor({"PK": {"S": page[-1].PK}, "SK": {"S": page[-1].SK}}) if more else None
    )
    return SessionPage(sessions=page, next_cursor=next_cursor)


def iter_sessions(*, newest_first: bool = True) -> Iterator[BenchmarkSessionItem]:
    """Every stored session (paginated under the hood)."""
    pages = _storage(
        lambda: BenchmarkSessionItem.query(keys.SESSION_PK, scan_index_forward=not newest_first)
    )
    while True:
        item = _storage(lambda: next(pages, None))
        if item is None:
            return
        yield item


def latest_session() -> BenchmarkSessionItem | None:
    page = list_sessions(limit=1)
    return page.sessions[0] if page.sessions else None


def run_info(session: BenchmarkSessionItem) -> RunInfo:
    """The environment section of a session's report."""
    env: dict[str, Any] = dict(session.environment or {})
    notes = [f"Session {session.session_id}, status {session.status}."]
    if env.get("stopped"):
        stopped = str(env["stopped"])
        notes.append(stopped[:1].upper() + stopped[1:] + ".")
    data_count = env.get("data_count", session.data_count)
    return RunInfo(
        started_at=session.executed_at,
        source="function",
        where=str(env.get("where", "unknown")),
        local=bool(env.get("local", False)),
        data_count=None if data_count is None else int(data_count),
        iterations=int(session.iterations),
        concurrency=1,
        query=session.query_shape,
        lambda_memory_mb=env.get("lambda_memory_mb"),
        lambda_architecture=env.get("lambda_architecture"),
        interrupted=session.status in ("partial", "failed"),
        notes=tuple(notes),
    )


def session_summary(session: BenchmarkSessionItem) -> dict[str, Summary]:
    return {name: Summary.from_dict(data) for name, data in (session.summary or {}).items()}


# --- trends across sessions ---


@dataclass(frozen=True)
class TrendPoint:
    session_id: str
    executed_at: datetime
    status: str
    query: str
    iterations: int
    summary: Summary


@dataclass(frozen=True)
class Overall:
    """One strategy across the sessions of a trend.

    ``n``/``errors`` add up, ``mean`` is the n-weighted mean of the session means (the exact
    mean of every request), ``min``/``max`` are exact, ``median_p50`` is the median of the
    session p50s, and ``p50_change_pct`` compares the last session's p50 with the first's.
    """

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


@dataclass(frozen=True)
class Trend:
    endpoint: str
    points: list[TrendPoint]
    overall: Overall


def overall_of(points: Sequence[TrendPoint]) -> Overall:
    measured = [p.summary for p in points if p.summary.n > 0]
    n = sum(s.n for s in measured)
    p50s = sorted(s.p50 for s in measured if s.p50 is not None)
    first = measured[0].p50 if measured else None
    last = measured[-1].p50 if measured else None
    change = None
    if first is not None and last is not None and first > 0:
        change = (last - first) / first * 100
    return Overall(
        sessions=len(points),
        n=n,
        errors=sum(p.summary.errors for p in points),
        mean=math.fsum(s.n * (s.mean or 0.0) for s in measured) / n if n else None,
        min=min(s.min for s in measured if s.min is not None) if measured else None,
        max=max(s.max for s in measured if s.max is not None) if measured else None,
        median_p50=percentile(p50s, 50) if p50s else None,
        first_p50=first,
        last_p50=last,
        p50_change_pct=change,
    )


def trends(*, limit: int = 100, query: str | None = None) -> list[Trend]:
    """Per strategy, the summaries of the newest ``limit`` sessions, oldest first."""
    if not MIN_PAGE <= limit <= MAX_TREND_SESSIONS:
        raise BadParameterError(
            "limit", f"limit={limit} is out of range: use {MIN_PAGE}..{MAX_TREND_SESSIONS}."
        )
    chosen: list[BenchmarkSessionItem] = []
    for session in iter_sessions(newest_first=True):
        if query is None or session.query_shape == query:
            chosen.append(session)
        if len(chosen) == limit:
            break
    chosen.reverse()
    series: dict[str, list[TrendPoint]] = {}
    for session in chosen:
        for endpoint, summary in session_summary(session).items():
            series.setdefault(endpoint, []).append(
                TrendPoint(
                    session_id=session.session_id,
                    executed_at=session.executed_at,
                    status=session.status,
                    query=session.query_shape,
                    iterations=int(session.iterations),
                    summary=summary,
                )
            )
    return [
        Trend(endpoint=name, points=series[name], overall=overall_of(series[name]))
        for name in order_endpoints(series)
    ]
