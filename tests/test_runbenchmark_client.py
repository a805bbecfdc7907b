"""The benchmark client: one timed request, its record, and the interleaved run over workers."""

import re
import threading
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime

import pytest
from botocore.credentials import Credentials

from bench.client.http import (
    FunctionUrlClient,
    Reply,
    describe_error,
    item_ids,
    record_from_reply,
)
from bench.client.runner import WARMUP_ITERATION, Job, Plan, Runner
from bench.client.signing import Signer
from bench.localdynamo import free_port
from bench.results import ResultRecord
from tests.stub_function_url import StubFunctionUrl, running_stub

AT = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)
READ_BODY = (
    b'{"endpoint": "sqlite-tmp", "query": "all", "rows": 1000, "fingerprint": "abc", '
    b'"snapshot": "01J", "timings_ms": {"total": 3.5, "copy": 2.0, "read": 1.5}, '
    b'"cold_start": true, "items": []}'
)


def make_record(
    *,
    endpoint: str = "sqlite-efs",
    iteration: int = 0,
    status: int = 200,
    cold_start: bool = False,
    error: str | None = None,
) -> ResultRecord:
    return ResultRecord(
        endpoint=endpoint,
        query="all",
        iteration=iteration,
        status=status,
        client_ms=2.0,
        server_total_ms=1.0,
        copy_ms=None,
        read_ms=1.0,
        rows=10,
        fingerprint="abc",
        cold_start=cold_start,
        measured_at=AT,
        error=error,
    )


def record_for(reply: Reply) -> ResultRecord:
    return record_from_reply(reply, endpoint="sqlite-tmp", query="all", iteration=3, measured_at=AT)


def test_a_read_answer_becomes_a_full_record() -> None:
    record = record_for(Reply(200, READ_BODY, 4.25))

    assert record == ResultRecord(
        endpoint="sqlite-tmp",
        query="all",
        iteration=3,
        status=200,
        client_ms=4.25,
        server_total_ms=3.5,
        copy_ms=2.0,
        read_ms=1.5,
        rows=1000,
        fingerprint="abc",
        cold_start=True,
        measured_at=AT,
    )
    assert record.ok


def test_a_strategy_without_copy_has_no_copy_time() -> None:
    body = b'{"rows": 5, "fingerprint": null, "timings_ms": {"total": 1, "read": 1}}'

    record = record_for(Reply(200, body, 2.0))

    assert (record.copy_ms, record.read_ms, record.fingerprint, record.cold_start) == (
        None,
        1.0,
        None,
        False,
    )


@pytest.mark.parametrize(
    ("status", "body", "error"),
    [
        (
            503,
            b'{"error": "no_snapshot", "detail": "No SQLite snapshot exists yet: POST /insert '
            b'first."}',
            "503 no_snapshot: No SQLite snapshot exists yet: POST /insert first.",
        ),
        (403, b'{"Message": "Forbidden"}', "403: Forbidden"),
        (403, b'{"message": "Signature expired."}', "403: Signature expired."),
        (502, b"Internal  Server\nError", "502: Internal Server Error"),
        (
            404,
            b"<!DOCTYPE html><html><head><title>Page not found at /x</title></head></html>",
            "404: Page not found at /x",
        ),
        (500, b"", "500 Internal Server Error"),
        (520, b"", "520"),
        (400, b"[1, 2]", "400: [1, 2]"),
        (400, b'{"errors": ["x"]}', '400: {"errors": ["x"]}'),
    ],
)
def test_error_answers_are_described_in_one_line(status: int, body: bytes, error: str) -> None:
    assert describe_error(status, body) == error


def test_an_error_answer_is_a_failed_record_with_its_reason() -> None:
    record = record_for(Reply(503, b'{"error": "storage_unavailable", "detail": "down"}', 7.0))

    assert record == ResultRecord(
        endpoint="sqlite-tmp",
        query="all",
        iteration=3,
        status=503,
        client_ms=7.0,
        server_total_ms=None,
        copy_ms=None,
        read_ms=None,
        rows=None,
        fingerprint=None,
        cold_start=False,
        measured_at=AT,
        error="503 storage_unavailable: down",
    )
    assert not record.ok


def test_no_answer_at_all_is_a_599_record() -> None:
    record = record_for(Reply(599, b"", None, "NewConnectionError: refused"))

    assert (record.status, record.client_ms, record.error) == (
        599,
        None,
        "NewConnectionError: refused",
    )


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        (b"<html>", "Expecting value: line 1 column 1 (char 0)"),
        (b'{"rows": 1}', "no 'timings_ms' field"),
        (b'{"rows": true, "timings_ms": {"total": 1}}', "timings_ms.total and rows are required"),
        (b'{"rows": 1, "timings_ms": {"total": null}}', "timings_ms.total and rows are required"),
        (b'{"rows": 1, "timings_ms": {"total": "1"}}', "'1' is not a number"),
        (b'{"rows": 1, "timings_ms": {"total": true}}', "True is not a number"),
        (
            b'{"rows": 1, "timings_ms": {"total": 1}, "cold_start": "yes"}',
            "cold_start 'yes' is not a boolean",
        ),
        (b"[]", "list indices must be integers or slices, not str"),
    ],
)
def test_a_200_that_is_not_a_read_result_is_a_failure(body: bytes, problem: str) -> None:
    record = record_for(Reply(200, body, 1.0))

    assert record.error == f"200: the response is not a read result ({problem})."
    assert not record.ok


@pytest.fixture
def stub() -> Iterator[StubFunctionUrl]:
    with running_stub(StubFunctionUrl()) as running:
        yield running


def test_client_reads_over_one_keep_alive_connection(stub: StubFunctionUrl) -> None:
    client = FunctionUrlClient(stub.url, signer=None)

    records = [client.read("ddb", query="latest", iteration=i) for i in range(3)]
    client.close()

    assert [(r.endpoint, r.query, r.iteration, r.ok) for r in records] == [
        ("ddb", "latest", 0, True),
        ("ddb", "latest", 1, True),
        ("ddb", "latest", 2, True),
    ]
    assert all(r.client_ms is not None and r.client_ms > 0 for r in records)
    assert [(r.path, r.query) for r in stub.received] == [("/ddb", {"query": ["latest"]})] * 3
    assert len({r.client_port for r in stub.received}) == 1


def test_client_signs_every_request() -> None:
    credentials = Credentials("AKIDSTUB", "stub-secret", "token")
    with running_stub(StubFunctionUrl(credentials=credentials, region="eu-west-1")) as stub:
        client = FunctionUrlClient(stub.url, signer=Signer(credentials, "eu-west-1"))

        record = client.read("sqlite-efs", query="all", iteration=0)
        reply = client.request(
            "POST", "insert", body=b'{"count": 1}', content_type="application/json"
        )
        client.close()

    assert (record.ok, reply.status) == (True, 200)
    assert [r.rejected for r in stub.received] == [None, None]
    assert stub.received[1].body == b'{"count": 1}'


def test_client_records_an_unreachable_url() -> None:
    client = FunctionUrlClient(f"http://127.0.0.1:{free_port()}/", signer=None)

    record = client.read("ddb", query="all", iteration=0)

    assert record.status == 599
    assert re.match(r"NewConnectionError: .*(refused|Connection)", str(record.error))


# --- the runner ---


class FakeReader:
    """Answers from a script; records the jobs it was given."""

    def __init__(
        self,
        *,
        fail: set[str] | None = None,
        cold_first: bool = True,
        raise_on: str | None = None,
    ) -> None:
        self.jobs: list[Job] = []
        self.fail = fail or set()
        self.cold_first = cold_first
        self.raise_on = raise_on
        self.closed = False

    def read(
        self, endpoint: str, *, query: str, iteration: int, item_id: str | None = None
    ) -> ResultRecord:
        if endpoint == self.raise_on:
            raise RuntimeError(f"bug reading {endpoint}")
        cold = self.cold_first and not self.jobs
        self.jobs.append(Job(endpoint, iteration, item_id))
        if endpoint in self.fail:
            return make_record(endpoint=endpoint, iteration=iteration, status=503, error="down")
        return make_record(endpoint=endpoint, iteration=iteration, cold_start=cold)

    def close(self) -> None:
        self.closed = True


def make_plan(
    *,
    endpoints: tuple[str, ...] = ("a", "b", "c"),
    iterations: int = 3,
    warmup: int = 1,
    concurrency: int = 1,
) -> Plan:
    return Plan(
        endpoints=endpoints,
        query="all",
        iterations=iterations,
        warmup=warmup,
        concurrency=concurrency,
    )


def test_plan_interleaves_strategies_and_rotates_the_first() -> None:
    plan = make_plan()

    assert [(j.endpoint, j.iteration) for j in plan.timed_jobs()] == [
        ("a", 0), ("b", 0), ("c", 0),
        ("b", 1), ("c", 1), ("a", 1),
        ("c", 2), ("a", 2), ("b", 2),
    ]  # fmt: skip
    assert plan.warmup_jobs() == [Job("a", -1), Job("b", -1), Job("c", -1)]
    assert plan.planned == 9


def test_run_warms_up_then_times_and_keeps_the_cold_start() -> None:
    reader = FakeReader()
    seen: list[ResultRecord] = []

    outcome = Runner(make_plan(), lambda: reader, on_record=seen.append).run()

    assert [(j.endpoint, j.iteration) for j in reader.jobs[:3]] == [("a", -1), ("b", -1), ("c", -1)]
    assert len(reader.jobs) == 12
    assert outcome.records[0] == make_record(
        endpoint="a", iteration=WARMUP_ITERATION, cold_start=True
    )
    assert [(r.endpoint, r.iteration) for r in outcome.timed] == [
        (j.endpoint, j.iteration) for j in make_plan().timed_jobs()
    ]
    assert seen == outcome.timed  # progress sees timed requests only
    assert (outcome.planned, outcome.interrupted, outcome.warmup_sent) == (9, False, 3)
    assert outcome.started_at <= outcome.finished_at
    assert reader.closed


def test_without_warmup_the_first_timed_request_is_the_cold_one() -> None:
    outcome = Runner(make_plan(warmup=0), FakeReader).run()

    assert [r.cold_start for r in outcome.records] == [True] + [False] * 8
    assert outcome.warmup_sent == 0


def test_failures_are_recorded_not_fatal() -> None:
    outcome = Runner(make_plan(), lambda: FakeReader(fail={"b"})).run()

    assert [r.status for r in outcome.timed if r.endpoint == "b"] == [503, 503, 503]
    assert len(outcome.timed) == 9
    assert [r.endpoint for r in outcome.warmup_failed] == ["b"]


def test_when_every_warmup_fails_the_timed_requests_are_not_sent() -> None:
    reader = FakeReader(fail={"a", "b", "c"})

    outcome = Runner(make_plan(), lambda: reader).run()

    assert (len(reader.jobs), outcome.records, len(outcome.warmup_failed)) == (3, [], 3)


def test_workers_each_get_their_own_reader_and_share_the_plan() -> None:
    readers: list[FakeReader] = []

    def make() -> FakeReader:
        readers.append(FakeReader(cold_first=False))
        return readers[-1]

    outcome = Runner(make_plan(iterations=20, concurrency=4), make).run()

    assert len(readers) == 4
    assert sorted((r.endpoint, r.iteration) for r in outcome.timed) == sorted(
        (j.endpoint, j.iteration) for j in make_plan(iterations=20).timed_jobs()
    )
    assert sum(len(r.jobs) for r in readers) == 63
    assert all(r.closed for r in readers)


def test_ctrl_c_stops_the_run_and_keeps_what_was_measured() -> None:
    release = threading.Event()
    seen: list[ResultRecord] = []

    class StallingReader(FakeReader):
        def read(
            self, endpoint: str, *, query: str, iteration: int, item_id: str | None = None
        ) -> ResultRecord:
            if len(self.jobs) == 3 + 6:  # after the warm-up and six timed requests
                release.wait(10)
            return super().read(endpoint, query=query, iteration=iteration)

    def on_record(record: ResultRecord) -> None:
        seen.append(record)
        if len(seen) == 4:
            raise KeyboardInterrupt

    reader = StallingReader()
    runner = Runner(
        make_plan(iterations=100), lambda: reader, on_record=on_record, stop_grace_seconds=0.2
    )

    outcome = runner.run()
    release.set()

    assert outcome.interrupted
    assert [(r.endpoint, r.iteration) for r in outcome.timed] == [
        (j.endpoint, j.iteration) for j in make_plan().timed_jobs()[:6]
    ]
    assert outcome.timed[:4] == seen
    assert outcome.records[0].cold_start  # the warm-up's cold start is kept too
    assert reader.closed


def test_a_bug_in_a_worker_is_raised_not_swallowed() -> None:
    reader = FakeReader(raise_on="b")

    with pytest.raises(RuntimeError, match="bug reading b"):
        Runner(make_plan(warmup=0), lambda: reader).run()

    assert reader.closed


def test_stop_waits_for_workers_in_flight() -> None:
    release = threading.Event()

    class SlowReader(FakeReader):
        def read(
            self, endpoint: str, *, query: str, iteration: int, item_id: str | None = None
        ) -> ResultRecord:
            if endpoint == "b":
                release.wait(5)
            return super().read(endpoint, query=query, iteration=iteration)

    def on_record(record: ResultRecord) -> None:
        release.set()
        raise KeyboardInterrupt

    outcome = Runner(
        make_plan(endpoints=("a", "b"), iterations=1, warmup=0, concurrency=2),
        lambda: SlowReader(cold_first=False),
        on_record=on_record,
    ).run()

    # The request held up in the second worker finished and was kept.
    assert sorted(r.endpoint for r in outcome.timed) == ["a", "b"]
    assert outcome.interrupted


def test_slow_requests_are_waited_for() -> None:
    class SlowReader(FakeReader):
        def read(
            self, endpoint: str, *, query: str, iteration: int, item_id: str | None = None
        ) -> ResultRecord:
            threading.Event().wait(0.3)  # longer than the runner's poll interval
            return super().read(endpoint, query=query, iteration=iteration)

    outcome = Runner(make_plan(endpoints=("a",), iterations=1, warmup=0), SlowReader).run()

    assert [(r.endpoint, r.iteration) for r in outcome.timed] == [("a", 0)]


def test_point_rounds_read_one_id_across_strategies() -> None:
    plan = replace(make_plan(endpoints=("a", "b"), iterations=3), point_ids=("x", "y"))
    reader = FakeReader()

    Runner(plan, lambda: reader).run()

    assert [(j.endpoint, j.iteration, j.item_id) for j in reader.jobs] == [
        ("a", -1, None), ("b", -1, None),
        ("a", 0, "x"), ("b", 0, "x"),
        ("b", 1, "y"), ("a", 1, "y"),
        ("a", 2, "x"), ("b", 2, "x"),
    ]  # fmt: skip


def test_client_sends_the_point_id(stub: StubFunctionUrl) -> None:
    client = FunctionUrlClient(stub.url, signer=None)

    client.read("ddb", query="point", iteration=0, item_id="01ID")
    client.close()

    assert stub.received[0].query == {"query": ["point"], "id": ["01ID"]}


def test_item_ids_of_a_read_answer() -> None:
    body = b'{"items": [{"id": "a"}, {"id": "b"}]}'

    assert item_ids(Reply(200, body, 1.0)) == ["a", "b"]


@pytest.mark.parametrize(
    ("reply", "message"),
    [
        (Reply(599, b"", None, "NewConnectionError: refused"), "NewConnectionError: refused"),
        (Reply(503, b'{"error": "no_snapshot", "detail": "d"}', 1.0), "503 no_snapshot: d"),
        (Reply(200, b'{"items": []}', 1.0), "the table holds no items"),
        (Reply(200, b'{"rows": 1}', 1.0), "the answer has no items with ids ('items')"),
        (Reply(200, b'{"items": [{"x": 1}]}', 1.0), "the answer has no items with ids ('id')"),
    ],
)
def test_item_ids_say_why_there_are_none(reply: Reply, message: str) -> None:
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        item_ids(reply)
