"""In-function benchmark sessions: the runner, storage and reading sessions back (moto)."""

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import pytest
from django.conf import settings
from pytest_django.fixtures import Settings as SettingsWrapper

from bench import sessions
from bench.dynamo import keys, table
from bench.dynamo.models import (
    BenchmarkResultItem,
    BenchmarkSessionItem,
    ConfigItem,
    SnapshotInfo,
)
from bench.errors import (
    BadParameterError,
    NoSnapshotError,
    NotFoundError,
    StorageUnavailableError,
)
from bench.reports import RunInfo, render_markdown
from bench.reports.analysis import equivalence
from bench.stats import Summary, summarize, summarize_records
from bench.strategies import STRATEGY_NAMES
from bench.strategies.base import Item, ReadRequest, ReadResult, Timings
from tests.conftest import SeededSnapshot

T0 = datetime(2026, 12, 4, 20, 0, tzinfo=UTC)


@dataclass
class FakeStrategy:
    """Answers with fixed timings; fails on the listed call numbers (0-based)."""

    name: str
    total_ms: float = 1.0
    copy_ms: float | None = None
    fail_on: frozenset[int] = frozenset()
    log: list[str] = field(default_factory=list)
    requests: list[ReadRequest] = field(default_factory=list)
    calls: int = 0

    def read(self, request: ReadRequest) -> ReadResult:
        self.log.append(self.name)
        self.requests.append(request)
        call, self.calls = self.calls, self.calls + 1
        if call in self.fail_on:
            raise NoSnapshotError()
        if call == 99:  # a plain bug inside a strategy is a failed read too
            raise RuntimeError("disk on fire")
        item_id = request.item_id or f"ID-{self.name}-{call}"
        total = self.total_ms + call * 0.5  # varied, so the statistics are not trivial
        return ReadResult(
            endpoint=self.name,
            query=request.query,
            rows=1 if request.query == "point" else 100,
            fingerprint=f"fp-{item_id}" if request.query == "point" else "fp-all",
            snapshot="01J0000000000000000000SNAP",
            timings=Timings(
                total_ms=total,
                read_ms=total - (self.copy_ms or 0.0),
                copy_ms=self.copy_ms,
            ),
            items=[Item(id=item_id, random_value=0.5, created_at="2026-01-01T00:00:00.000000Z")],
        )


def make_strategies(
    *, log: list[str] | None = None, fail_on: dict[str, frozenset[int]] | None = None
) -> dict[str, FakeStrategy]:
    shared = log if log is not None else []
    fails = fail_on or {}
    return {
        name: FakeStrategy(
            name=name,
            total_ms=float(index + 1),
            copy_ms=0.5 if name.startswith("sqlite-tmp") else None,
            fail_on=fails.get(name, frozenset()),
            log=shared,
        )
        for index, name in enumerate(STRATEGY_NAMES)
    }


def clock(start: datetime = T0) -> Iterator[datetime]:
    moment = start
    while True:
        yield moment
        moment += timedelta(milliseconds=7)


def make_now(start: datetime = T0) -> Callable[[], datetime]:
    ticks = clock(start)
    return lambda: next(ticks)


class FakeContext:
    """A Lambda context whose remaining time drops by ``step_ms`` at every look."""

    def __init__(self, *, remaining_ms: int, step_ms: int) -> None:
        self.remaining = remaining_ms
        self.step = step_ms
        self.memory_limit_in_mb = "1769"

    def get_remaining_time_in_millis(self) -> int:
        value, self.remaining = self.remaining, self.remaining - self.step
        return value


def write_snapshot_config(*, rows: int) -> None:
    config = ConfigItem.build(sqlite_file_path="/mnt/efs/data.db")
    config.snapshot = SnapshotInfo(  # type: ignore[no-untyped-call]
        version="01J0000000000000000000SNAP",
        rows=rows,
        fingerprint="fp-all",
        built_at=T0,
        build_ms=12.5,
    )
    config.save()


def test_session_of_20_iterations_over_five_strategies_stores_100_results(
    ddb: table.Target,
) -> None:
    write_snapshot_config(rows=100)
    plan = sessions.plan_from(iterations=20, endpoints=None, query="all")

    outcome = sessions.run_session(plan, strategies=make_strategies(), now=make_now())

    stored = sessions.get_session(outcome.session.session_id)
    records = sessions.session_records(stored.session_id)
    assert len(records) == 100
    assert stored.status == "complete"
    assert stored.data_count == 100
    assert list(stored.endpoints) == list(STRATEGY_NAMES)
    assert sessions.session_summary(stored) == summarize_records(records)
    assert sessions.session_summary(stored)["sqlite-efs"] == summarize(
        [1.0 + call * 0.5 for call in range(20)]
    )


def test_reads_are_interleaved_round_by_round() -> None:
    log: list[str] = []
    plan = sessions.plan_from(iterations=3, endpoints="ddb,sqlite-efs,sqlite-tmp", query="all")

    outcome = sessions.run_reads(plan, make_strategies(log=log), now=make_now())

    assert log == ["ddb", "sqlite-efs", "sqlite-tmp"] * 3
    assert [(m.endpoint, m.iteration) for m in outcome.measured[:4]] == [
        ("ddb", 0),
        ("sqlite-efs", 0),
        ("sqlite-tmp", 0),
        ("ddb", 1),
    ]
    assert outcome.stopped_early is False


def test_a_failed_read_is_a_failed_result_not_a_crashed_session(ddb: table.Target) -> None:
    write_snapshot_config(rows=100)
    strategies = make_strategies(fail_on={"sqlite-tmp": frozenset({1, 2})})
    plan = sessions.plan_from(iterations=4, endpoints="sqlite-tmp,ddb", query="all")

    outcome = sessions.run_session(plan, strategies=strategies, now=make_now())

    failed = [r for r in outcome.records if not r.ok]
    assert outcome.session.status == "complete"
    assert [(r.endpoint, r.iteration, r.status, r.error) for r in failed] == [
        (
            "sqlite-tmp",
            1,
            500,
            "NoSnapshotError: No SQLite snapshot exists yet: POST /insert first.",
        ),
        (
            "sqlite-tmp",
            2,
            500,
            "NoSnapshotError: No SQLite snapshot exists yet: POST /insert first.",
        ),
    ]
    summary = sessions.session_summary(sessions.get_session(outcome.session.session_id))
    assert summary["sqlite-tmp"].n == 2 and summary["sqlite-tmp"].errors == 2
    stored = sessions.session_result_items(outcome.session.session_id)
    assert [(i.ok, i.rows, i.fingerprint) for i in stored if i.iteration == 1] == [
        (False, None, None),
        (True, 100, "fp-all"),
    ]


def test_an_unexpected_exception_in_a_strategy_is_recorded_with_its_type() -> None:
    strategy = FakeStrategy(name="ddb", calls=99)

    measured = sessions.time_read(strategy, ReadRequest(), iteration=0, cold_start=False)

    assert measured.ok is False
    assert measured.error == "RuntimeError: disk on fire"
    assert measured.response_time_ms >= 0


def test_session_stops_near_the_time_limit_and_is_partial(ddb: table.Target) -> None:
    write_snapshot_config(rows=100)
    plan = sessions.plan_from(iterations=100, endpoints=None, query="all")
    context = FakeContext(remaining_ms=10_000, step_ms=1000)

    outcome = sessions.run_session(
        plan, strategies=make_strategies(), context=context, now=make_now()
    )

    # looks at 10000, 9000, ..., 4000 leave room; 3000 is inside the safety margin
    stored = sessions.get_session(outcome.session.session_id)
    assert len(sessions.session_records(stored.session_id)) == 7
    assert stored.status == "partial"
    assert stored.environment["stopped"] == (
        "stopped near the Lambda time limit after 7 of 500 reads"
    )
    info = sessions.run_info(stored)
    assert info.interrupted is True
    assert info.notes == (
        f"Session {stored.session_id}, status partial.",
        "Stopped near the Lambda time limit after 7 of 500 reads.",
    )


def test_the_margin_grows_with_the_slowest_read_and_the_results_to_write() -> None:
    plan = sessions.plan_from(iterations=2, endpoints="ddb", query="all")
    slow = {"ddb": FakeStrategy(name="ddb")}
    left = [sessions.SAFETY_MARGIN_MS + sessions.WRITE_MS_PER_RESULT * 1 + 0.0, 0.0]

    first = sessions.run_reads(plan, slow, remaining_ms=lambda: left.pop(0))

    assert len(first.measured) == 1 and first.stopped_early is True


def test_point_rounds_read_one_shared_id() -> None:
    strategies = make_strategies()
    plan = sessions.plan_from(iterations=2, endpoints="ddb,sqlite-efs,sqlite-tmp", query="point")

    outcome = sessions.run_reads(plan, strategies, now=make_now())

    assert [r.item_id for r in strategies["ddb"].requests] == [None, None]
    assert [r.item_id for r in strategies["sqlite-efs"].requests] == ["ID-ddb-0", "ID-ddb-1"]
    assert [r.item_id for r in strategies["sqlite-tmp"].requests] == ["ID-ddb-0", "ID-ddb-1"]
    assert {m.fingerprint for m in outcome.measured if m.iteration == 0} == {"fp-ID-ddb-0"}


def test_point_round_whose_first_read_failed_lets_the_next_pick_the_id() -> None:
    strategies = make_strategies(fail_on={"ddb": frozenset({0})})
    plan = sessions.plan_from(iterations=1, endpoints="ddb,sqlite-efs,sqlite-tmp", query="point")

    sessions.run_reads(plan, strategies, now=make_now())

    assert strategies["sqlite-efs"].requests[0].item_id is None
    assert strategies["sqlite-tmp"].requests[0].item_id == "ID-sqlite-efs-0"


def test_first_round_of_a_cold_container_is_marked_cold() -> None:
    plan = sessions.plan_from(iterations=2, endpoints="ddb,sqlite-efs", query="all")

    outcome = sessions.run_reads(plan, make_strategies(), cold_container=True, now=make_now())

    assert [m.cold_start for m in outcome.measured] == [True, True, False, False]


@pytest.mark.parametrize(
    ("iterations", "endpoints", "query", "parameter", "message"),
    [
        (0, None, "all", "iterations", "iterations=0 is out of range: use 1..1000."),
        (1001, None, "all", "iterations", "iterations=1001 is out of range: use 1..1000."),
        (
            5,
            "ddb,nope",
            "all",
            "endpoints",
            "endpoints: 'nope' is not a strategy: use a comma-separated list of sqlite-efs, "
            "sqlite-tmp, ddb, sqlite-tmp-cached, sqlite-efs-immutable.",
        ),
        (
            5,
            "a,b",
            "all",
            "endpoints",
            "endpoints: 'a', 'b' are not strategies: use a comma-separated list of sqlite-efs, "
            "sqlite-tmp, ddb, sqlite-tmp-cached, sqlite-efs-immutable.",
        ),
        (
            5,
            None,
            "everything",
            "query",
            "query='everything' is not a query shape: use one of all, latest, point, aggregate.",
        ),
    ],
)
def test_plan_rejects_bad_parameters_naming_them(
    iterations: int, endpoints: str | None, query: str, parameter: str, message: str
) -> None:
    with pytest.raises(BadParameterError) as caught:
        sessions.plan_from(iterations=iterations, endpoints=endpoints, query=query)

    assert (caught.value.parameter, caught.value.detail) == (parameter, message)


def test_plan_defaults_to_all_five_and_keeps_the_given_order_once() -> None:
    assert sessions.plan_from(iterations=1, endpoints="", query="all").endpoints == STRATEGY_NAMES
    assert sessions.plan_from(iterations=1, endpoints=" ddb , sqlite-efs,ddb", query="all") == (
        sessions.SessionPlan(iterations=1, endpoints=("ddb", "sqlite-efs"), query="all")
    )


def test_run_session_uses_the_registry_when_not_given_strategies(
    ddb: table.Target, monkeypatch: pytest.MonkeyPatch
) -> None:
    fakes = make_strategies()
    monkeypatch.setattr("bench.strategies.get", lambda name: fakes[name])
    plan = sessions.plan_from(iterations=2, endpoints="ddb", query="all")

    outcome = sessions.run_session(plan, now=make_now())

    assert [r.endpoint for r in outcome.records] == ["ddb", "ddb"]
    assert fakes["ddb"].calls == 2


def make_session(
    *,
    executed_at: datetime,
    status: str = "complete",
    query: str = "all",
    summary: dict[str, Summary] | None = None,
) -> BenchmarkSessionItem:
    session = BenchmarkSessionItem.build(
        session_id=sessions.new_ulid(executed_at),
        executed_at=executed_at,
        iterations=3,
        data_count=10,
        endpoints=["ddb", "sqlite-efs"],
        query=query,
        status=status,
    )
    session.summary = {k: v.as_dict() for k, v in (summary or {}).items()}
    session.environment = {"local": True, "where": "local", "data_count": 10}
    session.save()
    return session


def test_sessions_are_listed_newest_first_across_pages(ddb: table.Target) -> None:
    made = [make_session(executed_at=T0 + timedelta(minutes=i)) for i in range(5)]
    newest_first = [s.session_id for s in reversed(made)]

    first = sessions.list_sessions(limit=2)
    second = sessions.list_sessions(limit=2, cursor=first.next_cursor)
    third = sessions.list_sessions(limit=2, cursor=second.next_cursor)

    assert [s.session_id for s in first.sessions] == newest_first[:2]
    assert [s.session_id for s in second.sessions] == newest_first[2:4]
    assert [s.session_id for s in third.sessions] == newest_first[4:]
    assert third.next_cursor is None
    assert sessions.latest_session().session_id == newest_first[0]  # type: ignore[union-attr]


def test_no_sessions_means_an_empty_page_and_no_latest(ddb: table.Target) -> None:
    assert sessions.list_sessions() == sessions.SessionPage(sessions=[], next_cursor=None)
    assert sessions.latest_session() is None


@pytest.mark.parametrize(
    "cursor",
    [
        "!!!not-base64",
        "bm90IGpzb24",  # "not json"
        "WzEsMl0",  # [1,2]
        "eyJQSyI6IlJBTkRPTSIsIlNLIjoiSVRFTSMxIn0",  # {"PK":"RANDOM","SK":"ITEM#1"}
        "eyJQSyI6IkJFTkNITUFSS19TRVNTSU9OIn0",  # {"PK":"BENCHMARK_SESSION"} (no SK)
    ],
)
def test_malformed_cursor_is_a_bad_parameter(cursor: str) -> None:
    with pytest.raises(BadParameterError) as caught:
        sessions.decode_cursor(cursor)

    assert caught.value.parameter == "cursor"
    assert "is not a cursor of /benchmark/sessions" in caught.value.detail


def test_cursor_round_trips() -> None:
    key = {"PK": {"S": keys.SESSION_PK}, "SK": {"S": "SESSION#01J0000000000000000000ABCD"}}

    assert sessions.decode_cursor(sessions.encode_cursor(key)) == key


@pytest.mark.parametrize("limit", [0, 101])
def test_page_size_is_bounded(limit: int) -> None:
    with pytest.raises(BadParameterError, match=rf"limit={limit} is out of range: use 1..100."):
        sessions.list_sessions(limit=limit)


def test_unknown_session_is_not_found(ddb: table.Target) -> None:
    with pytest.raises(NotFoundError, match="No benchmark session 01J0000000000000000000ABCD"):
        sessions.get_session("01J0000000000000000000ABCD")


def test_malformed_session_id_names_the_parameter() -> None:
    with pytest.raises(BadParameterError) as caught:
        sessions.parse_session_id("nope", parameter="session_id")

    assert caught.value.parameter == "session_id"
    assert caught.value.detail == (
        "session_id='nope' is not a session id: a session id is a 26-character ULID (as listed "
        "by /benchmark/sessions)."
    )
    assert sessions.parse_session_id("01j0000000000000000000abcd") == "01J0000000000000000000ABCD"


def test_trends_are_chronological_per_strategy_with_overall_figures(ddb: table.Target) -> None:
    fast, slow = summarize([1.0, 2.0, 3.0]), summarize([4.0, 6.0, 8.0], errors=1)
    make_session(executed_at=T0, summary={"ddb": slow, "sqlite-efs": fast})
    make_session(executed_at=T0 + timedelta(hours=1), summary={"ddb": fast})
    make_session(executed_at=T0 + timedelta(hours=2), query="point", summary={"ddb": fast})

    trends = sessions.trends(query="all")

    assert [t.endpoint for t in trends] == ["sqlite-efs", "ddb"]
    ddb_trend = trends[1]
    assert [p.executed_at for p in ddb_trend.points] == [T0, T0 + timedelta(hours=1)]
    assert [p.summary for p in ddb_trend.points] == [slow, fast]
    assert ddb_trend.overall == sessions.Overall(
        sessions=2,
        n=6,
        errors=1,
        mean=4.0,
        min=1.0,
        max=8.0,
        median_p50=4.0,
        first_p50=6.0,
        last_p50=2.0,
        p50_change_pct=pytest.approx(-66.6666667),  # type: ignore[arg-type]
    )
    assert len(sessions.trends()[1].points) == 3
    assert len(sessions.trends(limit=1)[0].points) == 1


def test_trend_of_sessions_without_successes_has_no_figures() -> None:
    point = sessions.TrendPoint("x", T0, "complete", "all", 3, summarize([], errors=3))

    assert sessions.overall_of([point]) == sessions.Overall(
        sessions=1,
        n=0,
        errors=3,
        mean=None,
        min=None,
        max=None,
        median_p50=None,
        first_p50=None,
        last_p50=None,
        p50_change_pct=None,
    )


@pytest.mark.parametrize("limit", [0, 1001])
def test_trend_size_is_bounded(limit: int) -> None:
    with pytest.raises(BadParameterError, match=rf"limit={limit} is out of range: use 1..1000."):
        sessions.trends(limit=limit)


def test_environment_on_lambda_names_the_function_memory_and_architecture(
    settings: SettingsWrapper, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.ON_LAMBDA = True
    settings.AWS_REGION = "eu-west-1"
    monkeypatch.setenv("AWS_LAMBDA_FUNCTION_NAME", "bench-fn")
    monkeypatch.setattr("platform.machine", lambda: "aarch64")

    environment = sessions.lambda_environment(FakeContext(remaining_ms=1, step_ms=0))

    assert {k: v for k, v in environment.items() if k != "python"} == {
        "local": False,
        "where": "AWS Lambda bench-fn in eu-west-1",
        "lambda_memory_mb": 1769,
        "lambda_architecture": "arm64",
    }


def test_environment_locally_says_local(settings: SettingsWrapper) -> None:
    settings.ON_LAMBDA = False

    environment = sessions.lambda_environment(None)

    assert environment["local"] is True and environment["where"] == "local"
    assert environment["lambda_memory_mb"] is None
    assert environment["lambda_architecture"] is None


def test_remaining_time_needs_a_context_with_the_method() -> None:
    assert sessions.remaining_ms_of(None) is None
    assert sessions.remaining_ms_of(object()) is None
    clock_of = sessions.remaining_ms_of(FakeContext(remaining_ms=500, step_ms=100))
    assert clock_of is not None and (clock_of(), clock_of()) == (500.0, 400.0)


def test_run_info_of_a_stored_session(ddb: table.Target) -> None:
    session = make_session(executed_at=T0)

    info = sessions.run_info(session)

    assert info == RunInfo(
        started_at=T0,
        source="function",
        where="local",
        local=True,
        data_count=10,
        iterations=3,
        concurrency=1,
        query="all",
        lambda_memory_mb=None,
        lambda_architecture=None,
        interrupted=False,
        notes=(f"Session {session.session_id}, status complete.",),
    )


def test_snapshot_rows_without_a_config_or_a_snapshot(ddb: table.Target) -> None:
    assert sessions.snapshot_rows() is None
    ConfigItem.build(sqlite_file_path="x").save()
    assert sessions.snapshot_rows() is None
    write_snapshot_config(rows=42)
    assert sessions.snapshot_rows() == 42


def test_unreachable_dynamodb_is_storage_unavailable(ddb: table.Target) -> None:
    table.configure(table_name="no-such-table", endpoint_url=None, region="us-east-1")

    with pytest.raises(StorageUnavailableError, match="no-such-table"):
        sessions.list_sessions()
    with pytest.raises(StorageUnavailableError):
        list(sessions.iter_sessions())


def test_failed_result_writes_mark_the_session_failed(
    ddb: table.Target, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken_store(*args: object, **kwargs: object) -> None:
        raise StorageUnavailableError("DynamoDB refused the batch.")

    monkeypatch.setattr(sessions, "store_results", broken_store)
    plan = sessions.plan_from(iterations=1, endpoints="ddb", query="all")

    with pytest.raises(StorageUnavailableError, match="refused the batch"):
        sessions.run_session(plan, strategies=make_strategies(), now=make_now())

    stored = sessions.latest_session()
    assert stored is not None and stored.status == "failed" and stored.summary == {}


def test_results_are_read_back_in_measurement_order(ddb: table.Target) -> None:
    write_snapshot_config(rows=100)
    plan = sessions.plan_from(iterations=3, endpoints="sqlite-efs,ddb", query="all")
    outcome = sessions.run_session(plan, strategies=make_strategies(), now=make_now())

    records = sessions.session_records(outcome.session.session_id)

    assert [(r.endpoint, r.iteration) for r in records] == [
        (r.endpoint, r.iteration) for r in outcome.records
    ]
    assert records == outcome.records
    assert BenchmarkResultItem.count(keys.result_pk(outcome.session.session_id)) == 6
    assert settings.BENCH_TABLE_NAME  # the real table name is untouched by the mock


@pytest.mark.slow
@pytest.mark.parametrize("query", ["all", "point"])
def test_real_strategies_on_local_data_store_100_results_that_agree(
    snapshot: SeededSnapshot, query: str
) -> None:
    plan = sessions.plan_from(iterations=20, endpoints=None, query=query)

    outcome = sessions.run_session(plan)

    stored = sessions.get_session(outcome.session.session_id)
    records = sessions.session_records(stored.session_id)
    assert len(records) == 100
    assert all(r.ok for r in records), [r.error for r in records if not r.ok]
    assert stored.status == "complete"
    assert stored.data_count == len(snapshot.items)
    assert sessions.session_summary(stored) == summarize_records(records)
    agreement = equivalence(records, query=query)
    assert agreement.checked and agreement.differing == ()
    assert agreement.agreeing == STRATEGY_NAMES
    if query == "all":
        assert {r.fingerprint for r in records} == {snapshot.fingerprint}
        assert {r.rows for r in records} == {len(snapshot.items)}
    tmp = [r for r in records if r.endpoint == "sqlite-tmp"]
    assert all(r.copy_ms is not None and r.copy_ms > 0 for r in tmp)
    report = render_markdown(sessions.run_info(stored), records)
    assert "returned the same rows and fingerprint" in report


@pytest.mark.integration
def test_sessions_against_dynalite_store_every_result_and_page_through(
    local_ddb: table.Target,
) -> None:
    write_snapshot_config(rows=100)
    plan = sessions.plan_from(iterations=100, endpoints=None, query="all")
    runs = [
        sessions.run_session(
            plan, strategies=make_strategies(), now=make_now(T0 + timedelta(hours=i))
        )
        for i in range(3)
    ]

    records = sessions.session_records(runs[1].session.session_id)
    first = sessions.list_sessions(limit=2)
    second = sessions.list_sessions(limit=2, cursor=first.next_cursor)

    assert len(records) == 500
    assert records == runs[1].records
    stored = sessions.get_session(runs[1].session.session_id)
    assert sessions.session_summary(stored) == summarize_records(records)
    assert [s.session_id for s in first.sessions + second.sessions] == [
        r.session.session_id for r in reversed(runs)
    ]
    assert second.next_cursor is None


def test_sqlite_strategies_without_a_snapshot_are_refused_up_front(ddb: table.Target) -> None:
    plan = sessions.plan_from(iterations=5, endpoints="ddb,sqlite-efs", query="all")

    with pytest.raises(NoSnapshotError, match="No SQLite snapshot exists yet: POST /insert first"):
        sessions.run_session(plan, strategies=make_strategies(), now=make_now())

    assert sessions.latest_session() is None


def test_ddb_alone_needs_no_snapshot(ddb: table.Target) -> None:
    plan = sessions.plan_from(iterations=2, endpoints="ddb", query="all")

    outcome = sessions.run_session(plan, strategies=make_strategies(), now=make_now())

    assert outcome.session.status == "complete"
    assert outcome.session.data_count == 0
    assert sessions.run_info(outcome.session).data_count is None


@pytest.mark.parametrize("raw", [None, "", "  ", ",,,", " , ,"])
def test_endpoints_without_a_name_mean_every_strategy(raw: str | None) -> None:
    plan = sessions.plan_from(iterations=1, endpoints=raw, query="all")

    assert plan.endpoints == STRATEGY_NAMES
