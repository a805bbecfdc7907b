"""``manage.py seed`` and ``bench.seeding``: random items written whole, in order, in bulk."""

import random
import re
import signal
import threading
import time
from collections.abc import Callable, Iterator
from io import StringIO
from typing import Any

import pytest
from botocore.exceptions import ClientError
from django.core.management import call_command
from django.core.management.base import CommandError
from ulid import ULID

from bench import seeding
from bench.dynamo import keys, table
from bench.dynamo.models import ConfigItem, RandomItem
from bench.localdynamo import free_port
from bench.management.commands.seed import Command as SeedCommand
from bench.management.commands.seed import ProgressBar

RANDOM_PK = re.compile(r"^RANDOM#\d{4}-\d{2}-\d{2}$")
RANDOM_SK = re.compile(r"^ITEM#[0-9A-HJKMNP-TV-Z]{26}$")
ISO_UTC = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$")


class TtyStringIO(StringIO):
    def isatty(self) -> bool:
        return True


def run_seed(*args: str, stdout: StringIO | None = None) -> tuple[str, str]:
    out, err = stdout or StringIO(), StringIO()
    call_command("seed", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def stored_random_items() -> list[dict[str, Any]]:
    """Every random item, in GSI1 (created_at) order, as raw attribute maps."""
    client = table.client()
    request: dict[str, Any] = {
        "TableName": table.target().table_name,
        "IndexName": keys.GSI1_NAME,
        "KeyConditionExpression": "GSI1PK = :pk",
        "ExpressionAttributeValues": {":pk": {"S": keys.RANDOM_GSI1PK}},
    }
    items: list[dict[str, Any]] = []
    while True:
        page = client.query(**request)
        items.extend(page["Items"])
        if "LastEvaluatedKey" not in page:
            return items
        request["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def make_config_item() -> ConfigItem:
    return ConfigItem.build(sqlite_file_path="/mnt/efs/data.db")


def client_error(code: str, message: str = "nope") -> ClientError:
    return ClientError({"Error": {"Code": code, "Message": message}}, "BatchWriteItem")


def put_requests(*, count: int) -> list[Any]:
    return next(seeding.RandomItemFactory().put_batches(count))


class FakeClient:
    """Answers BatchWriteItem from a script: leave ``unprocessed[i]`` requests on call i."""

    def __init__(
        self,
        *,
        unprocessed: list[int] | None = None,
        error: Exception | None = None,
        error_on_call: int | None = None,
        on_call: Callable[[int], None] | None = None,
    ) -> None:
        self.unprocessed = list(unprocessed or [])
        self.error = error
        self.error_on_call = error_on_call
        self.on_call = on_call
        self.calls: list[int] = []
        self.lock = threading.Lock()

    def batch_write_item(self, *, RequestItems: dict[str, list[Any]]) -> dict[str, Any]:  # noqa: N803
        (requests,) = RequestItems.values()
        with self.lock:
            call = len(self.calls)
            self.calls.append(len(requests))
            left = self.unprocessed.pop(0) if self.unprocessed else 0
        if self.on_call:
            self.on_call(call)
        if self.error and self.error_on_call in (None, call):
            raise self.error
        if not left:
            return {"UnprocessedItems": {}}
        return {"UnprocessedItems": {"t": requests[:left]}}


def fake_writer(client: FakeClient, *, workers: int = 2) -> tuple[seeding.BatchWriter, list[float]]:
    sleeps: list[float] = []
    writer = seeding.BatchWriter(
        workers=workers,
        client=client,  # type: ignore[arg-type]
        table_name="t",
        sleep=sleeps.append,
    )
    return writer, sleeps


# --- arguments ---


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--count", "0"], "--count 0 is out of range: give a whole number from 1 to 1,000,000."),
        (["--count", "-3"], "--count -3 is out of range: give a whole number from 1 to 1,000,000."),
        (
            ["--count", "abc"],
            "--count 'abc' is not a whole number: give a whole number from 1 to 1,000,000.",
        ),
        (
            ["--count", "1000001"],
            "--count 1000001 is out of range: give a whole number from 1 to 1,000,000.",
        ),
        (["--count", "2.5"], "--count '2.5' is not a whole number: give a whole number from 1"),
        ([], "--count is required: give a whole number from 1 to 1,000,000."),
        (
            ["--count", "5", "--workers", "0"],
            "--workers 0 is out of range: give a whole number from 1 to 64.",
        ),
        (
            ["--count", "5", "--workers", "65"],
            "--workers 65 is out of range: give a whole number from 1 to 64.",
        ),
        (
            ["--count", "5", "--workers", "many"],
            "--workers 'many' is not a whole number: give a whole number from 1 to 64.",
        ),
    ],
)
def test_seed_rejects_bad_arguments_before_any_work(
    args: list[str], message: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    touched: list[str] = []
    monkeypatch.setattr(table, "ensure_table", lambda: touched.append("ensure_table"))
    monkeypatch.setattr(table, "client", lambda: touched.append("client"))

    with pytest.raises(CommandError, match=f"^{re.escape(message)}"):
        run_seed(*args)

    assert touched == []


@pytest.mark.parametrize("raw", [True, 2.0, [1]])
def test_parse_count_rejects_values_that_are_not_text_or_int(raw: object) -> None:
    with pytest.raises(seeding.SeedArgumentError, match=r"is not a whole number"):
        seeding.parse_count(raw)


def test_parse_count_and_workers_accept_the_range_ends() -> None:
    assert [seeding.parse_count("1"), seeding.parse_count(1_000_000)] == [1, 1_000_000]
    assert [seeding.parse_workers(" 1 "), seeding.parse_workers("64")] == [1, 64]


# --- the items ---


def test_items_have_exactly_the_shape_random_item_build_serializes() -> None:
    factory = seeding.RandomItemFactory(rng=random.Random(7))

    item = factory.item()

    created_at = keys.parse_iso_utc(item["created_at"]["S"])
    built = RandomItem.build(
        item_id=item["id"]["S"],
        random_value=random.Random(7).random(),
        created_at=created_at,
    )
    assert item == built.serialize()


def test_ids_and_created_at_strictly_increase_even_when_the_clock_stands_still() -> None:
    moment_us = 1_767_225_599_999_998  # 2025-12-31T23:59:59.999998Z
    factory = seeding.RandomItemFactory(clock_us=lambda: moment_us)

    items = [factory.item() for _ in range(5)]

    created = [item["created_at"]["S"] for item in items]
    assert created == [
        "2025-12-31T23:59:59.999998Z",
        "2025-12-31T23:59:59.999999Z",
        "2026-01-01T00:00:00.000000Z",
        "2026-01-01T00:00:00.000001Z",
        "2026-01-01T00:00:00.000002Z",
    ]
    assert [item["PK"]["S"] for item in items] == ["RANDOM#2025-12-31"] * 2 + [
        "RANDOM#2026-01-01"
    ] * 3
    ids = [item["id"]["S"] for item in items]
    assert ids == sorted(ids) and len(set(ids)) == 5
    assert [ULID.from_str(i).datetime for i in ids] == [
        keys.parse_iso_utc(c).replace(microsecond=keys.parse_iso_utc(c).microsecond // 1000 * 1000)
        for c in created
    ]


def test_created_at_follows_the_clock_when_it_moves_forward() -> None:
    ticks = iter([1_000_000, 1_000_000, 5_000_123])
    factory = seeding.RandomItemFactory(clock_us=lambda: next(ticks))

    created = [factory.item()["created_at"]["S"] for _ in range(3)]

    assert created == [
        "1970-01-01T00:00:01.000000Z",
        "1970-01-01T00:00:01.000001Z",
        "1970-01-01T00:00:05.000123Z",
    ]


def test_random_values_are_in_the_unit_interval_and_vary() -> None:
    factory = seeding.RandomItemFactory()

    values = [float(factory.item()["random_value"]["N"]) for _ in range(200)]

    assert all(0 <= value < 1 for value in values)
    assert len(set(values)) == 200


def test_put_batches_are_at_most_25_requests_and_add_up_to_the_count() -> None:
    batches = list(seeding.RandomItemFactory().put_batches(60))

    assert [len(batch) for batch in batches] == [25, 25, 10]
    assert set(batches[0][0]) == {"PutRequest"}


# --- writing (moto) ---


def test_seed_writes_items_pynamodb_reads_back_in_created_at_order(ddb: table.Target) -> None:
    out, err = run_seed("--count", "60", "--workers", "3")

    items = list(RandomItem.gsi1.query(keys.RANDOM_GSI1PK))
    assert len(items) == 60
    created = [item.created_at for item in items]
    assert created == sorted(created) and len(set(created)) == 60
    assert [item.id for item in items] == sorted(item.id for item in items)
    assert all(
        (item.PK, item.SK, item.GSI1SK, item.entity)
        == (
            keys.random_pk(item.created_at),
            keys.random_sk(item.id),
            keys.iso_utc(item.created_at),
            "random",
        )
        and 0 <= item.random_value < 1
        for item in items
    )
    assert re.fullmatch(
        r"Wrote 60 random items to table 'bench-test-main' at AWS DynamoDB in us-east-1 in "
        r"\d+\.\d\d s \([\d,]+ items/s\)\.\n",
        out,
    )
    assert err == ""


def test_seed_starts_no_more_workers_than_batches(
    ddb: table.Target, monkeypatch: pytest.MonkeyPatch
) -> None:
    started: list[int] = []
    real_init = seeding.BatchWriter.__init__

    def record(self: seeding.BatchWriter, **kwargs: Any) -> None:
        started.append(kwargs["workers"])
        real_init(self, **kwargs)

    monkeypatch.setattr(seeding.BatchWriter, "__init__", record)

    reports = [seeding.seed(count=count, workers=8) for count in (0, 3, 60, 1000)]

    assert started == [1, 1, 3, 8]
    assert [report.written for report in reports] == [0, 3, 60, 1000]
    assert len(stored_random_items()) == 1063


def test_seed_adds_to_existing_items_without_reset(ddb: table.Target) -> None:
    run_seed("--count", "30")

    run_seed("--count", "20")

    assert len(stored_random_items()) == 50


def test_reset_deletes_only_random_items_before_writing(ddb: table.Target) -> None:
    run_seed("--count", "40")
    make_config_item().save()
    before = {item["SK"]["S"] for item in stored_random_items()}

    out, _ = run_seed("--count", "7", "--reset", "--workers", "2")

    after = stored_random_items()
    assert len(after) == 7
    assert before.isdisjoint(item["SK"]["S"] for item in after)
    assert ConfigItem.get(keys.CONFIG_PK, keys.CONFIG_SK).sqlite_file_path == "/mnt/efs/data.db"
    assert out.startswith("Deleted 40 existing random items.\nWrote 7 random items")


def test_reset_and_seed_say_nothing_at_verbosity_zero(ddb: table.Target) -> None:
    run_seed("--count", "5")

    out, _ = run_seed("--count", "3", "--reset", "--verbosity", "0")

    assert (out, len(stored_random_items())) == ("", 3)


def test_reset_pages_through_more_keys_than_one_query_returns(
    ddb: table.Target, monkeypatch: pytest.MonkeyPatch
) -> None:
    seeding.seed(count=30, workers=2)
    real_query = table.client().query
    pages: list[int] = []

    def small_pages(**request: Any) -> Any:
        page = real_query(**request, Limit=7)
        pages.append(len(page["Items"]))
        return page

    monkeypatch.setattr(table.client(), "query", small_pages)

    report = seeding.reset(workers=2)

    assert report.written == 30
    assert sum(pages) == 30 and len(pages) >= 5
    assert stored_random_items() == []


def test_missing_table_on_aws_says_to_deploy(ddb: table.Target) -> None:
    table.configure(table_name="not-deployed", endpoint_url=None, region="us-east-1")

    with pytest.raises(
        CommandError,
        match=r"^Table 'not-deployed' does not exist in us-east-1: deploy the stack first",
    ):
        run_seed("--count", "5")


@pytest.mark.timeout(60)  # a hang guard, not a timing assertion
def test_unreachable_endpoint_fails_with_one_sentence_naming_it() -> None:
    port = free_port()
    previous = table.target()
    table.configure(
        table_name="t-unreachable", endpoint_url=f"http://127.0.0.1:{port}", region="us-east-1"
    )
    try:
        with pytest.raises(CommandError) as failed:
            run_seed("--count", "5")
    finally:
        table.configure(
            table_name=previous.table_name,
            endpoint_url=previous.endpoint_url,
            region=previous.region,
        )

    assert str(failed.value) == (
        f"Could not reach DynamoDB (table 't-unreachable' at http://127.0.0.1:{port}): "
        "is it running?"
    )


# --- progress ---


def test_no_progress_bar_when_not_a_terminal(ddb: table.Target) -> None:
    out, _ = run_seed("--count", "30")

    assert "\r" not in out


def test_progress_bar_on_a_terminal_ends_at_100_percent(ddb: table.Target) -> None:
    out, _ = run_seed("--count", "30", "--workers", "1", stdout=TtyStringIO())

    lines = out.split("\r")
    assert lines[0] == ""
    assert lines[-1].startswith("[##############################] 100% 30/30 items, "), lines[-1]
    assert "\nWrote 30 random items" in lines[-1]


def test_no_progress_bar_at_verbosity_zero_even_on_a_terminal(ddb: table.Target) -> None:
    out, _ = run_seed("--count", "30", "--verbosity", "0", stdout=TtyStringIO())

    assert (out, len(stored_random_items())) == ("", 30)


def test_progress_bar_redraws_at_most_ten_times_a_second() -> None:
    now = [100.0]
    out = TtyStringIO()
    bar = ProgressBar(SeedCommand(stdout=out), total=100, clock=lambda: now[0])

    bar.update(10)
    now[0] += 0.05
    bar.update(20)
    now[0] += 0.06
    bar.update(30)
    bar.update(100)
    bar.finish()

    assert out.getvalue().split("\r") == [
        "",
        "[###...........................]  10% 10/100 items, 0 items/s",
        "[#########.....................]  30% 30/100 items, 273 items/s",
        "[##############################] 100% 100/100 items, 909 items/s\n",
    ]


# --- failures while writing ---


def test_unprocessed_items_are_retried_with_growing_backoff() -> None:
    client = FakeClient(unprocessed=[25, 10, 3])
    writer, sleeps = fake_writer(client)

    writer.write_batch(put_requests(count=25))

    assert writer.applied == 25
    assert client.calls == [25, 25, 10, 3]
    assert len(sleeps) == 3
    caps = [
        min(seeding.BACKOFF_CAP_SECONDS, seeding.BACKOFF_BASE_SECONDS * 2**n) for n in (1, 2, 3)
    ]
    assert all(0 <= slept <= cap for slept, cap in zip(sleeps, caps, strict=True))


def test_items_left_unprocessed_after_every_try_fail_the_run_with_the_count_written() -> None:
    client = FakeClient(unprocessed=[0] + [4] * seeding.MAX_TRIES)
    writer, _ = fake_writer(client, workers=1)

    with pytest.raises(seeding.SeedError) as failed:
        writer.run(seeding.RandomItemFactory().put_batches(50), lambda written: None)

    assert str(failed.value) == (
        f"DynamoDB left 4 items unprocessed after {seeding.MAX_TRIES} tries (throttled?); "
        "46 items written."
    )
    assert failed.value.written == 46


def test_a_dynamodb_error_stops_the_run_with_one_sentence(ddb: table.Target) -> None:
    client = FakeClient(error=client_error("AccessDeniedException", "not allowed"))
    writer, _ = fake_writer(client, workers=1)

    with pytest.raises(seeding.SeedError) as failed:
        writer.run(seeding.RandomItemFactory().put_batches(25), lambda written: None)

    assert str(failed.value) == (
        "DynamoDB refused the request on table 'bench-test-main' at AWS DynamoDB in us-east-1: "
        "AccessDeniedException: not allowed (0 items written)"
    )


def test_the_command_reports_a_failed_run_as_a_command_error(
    ddb: table.Target, monkeypatch: pytest.MonkeyPatch
) -> None:
    def fail(**kwargs: Any) -> seeding.SeedReport:
        raise seeding.SeedError("DynamoDB failed (75 items written)", written=75)

    monkeypatch.setattr(seeding, "seed", fail)

    with pytest.raises(CommandError) as failed:
        run_seed("--count", "100", stdout=TtyStringIO())

    assert str(failed.value) == "DynamoDB failed (75 items written) Re-run seed to write more."


def test_a_failing_reset_query_is_a_command_error(
    ddb: table.Target, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(**request: Any) -> Any:
        raise client_error("ValidationException", "bad query")

    monkeypatch.setattr(table.client(), "query", refuse)

    with pytest.raises(CommandError) as failed:
        run_seed("--count", "5", "--reset")

    assert str(failed.value) == (
        "Reset stopped: DynamoDB refused the request on table 'bench-test-main' at AWS DynamoDB "
        "in us-east-1: ValidationException: bad query (0 items written) Random items left in "
        "the table stay whole; run seed --reset again."
    )


def test_a_failed_batch_stops_the_run_and_counts_what_other_batches_wrote() -> None:
    client = FakeClient(error_on_call=1, error=client_error("InternalServerError", "oops"))
    writer, _ = fake_writer(client, workers=1)

    with pytest.raises(seeding.SeedError) as failed:
        writer.run(seeding.RandomItemFactory().put_batches(1000), lambda written: None)

    assert str(failed.value) == (
        "DynamoDB refused the request on table 'bench-test-main' at AWS DynamoDB in "
        "us-east-1: InternalServerError: oops (25 items written)"
    )
    assert (failed.value.written, client.calls) == (25, [25, 25])


def test_a_failing_batch_source_stops_the_run() -> None:
    def batches() -> Iterator[list[Any]]:
        yield put_requests(count=25)
        raise table.DynamoUnavailableError("Could not reach DynamoDB (somewhere): is it running?")

    writer, _ = fake_writer(FakeClient(), workers=1)

    with pytest.raises(seeding.SeedError) as failed:
        writer.run(batches(), lambda written: None)

    assert str(failed.value) == (
        "Could not reach DynamoDB (somewhere): is it running? (25 items written)"
    )


def test_progress_is_reported_while_writing_and_at_the_end() -> None:
    client = FakeClient(on_call=lambda call: time.sleep(0.05))
    writer, _ = fake_writer(client, workers=1)
    progress: list[int] = []

    written = writer.run(seeding.RandomItemFactory().put_batches(200), progress.append)

    assert written == 200
    assert progress[-1] == 200
    assert len(progress) >= 2 and progress == sorted(progress)


# --- Ctrl-C ---


def test_ctrl_c_stops_submitting_and_reports_whole_items_written(
    ddb: table.Target, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_batch_write = table.client().batch_write_item

    def slow_batch_write(**request: Any) -> Any:
        # 20 batches at >= 20 ms each over 2 workers outlast the first progress report.
        answer = real_batch_write(**request)
        time.sleep(0.02)
        return answer

    monkeypatch.setattr(table.client(), "batch_write_item", slow_batch_write)

    def ctrl_c(written: int) -> None:
        raise KeyboardInterrupt

    with pytest.raises(seeding.SeedInterruptedError) as interrupted:
        seeding.seed(count=500, workers=2, on_progress=ctrl_c)

    stored = stored_random_items()
    assert interrupted.value.written == len(stored)
    assert 0 < interrupted.value.written < 500
    assert str(interrupted.value) == (
        f"Interrupted: {interrupted.value.written:,} items written, each one whole."
    )
    assert all(len(item) == 8 for item in stored)


def test_seeding_works_again_after_an_interruption(ddb: table.Target) -> None:
    def interrupt(written: int) -> None:
        raise KeyboardInterrupt

    with pytest.raises(seeding.SeedInterruptedError) as interrupted:
        seeding.seed(count=200, workers=2, on_progress=interrupt)

    report = seeding.seed(count=30, workers=2)

    assert len(stored_random_items()) == interrupted.value.written + 30
    assert report.written == 30


def test_the_command_turns_ctrl_c_into_a_command_error(
    ddb: table.Target, monkeypatch: pytest.MonkeyPatch
) -> None:
    def interrupt(self: ProgressBar, written: int) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(ProgressBar, "update", interrupt)

    with pytest.raises(CommandError) as failed:
        run_seed("--count", "300", "--workers", "2", stdout=TtyStringIO())

    written = len(stored_random_items())
    assert str(failed.value) == (
        f"Interrupted: {written:,} items written, each one whole. Re-run seed to write more."
    )


@pytest.fixture
def ctrl_c_reaches_python() -> Iterator[None]:
    """SIGINT raises KeyboardInterrupt here even if the test run was started with it ignored."""
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    yield
    signal.signal(signal.SIGINT, previous)


def press_ctrl_c() -> None:
    main = threading.main_thread().ident
    assert main is not None
    signal.pthread_kill(main, signal.SIGINT)


@pytest.mark.usefixtures("ctrl_c_reaches_python")
def test_ctrl_c_while_a_batch_is_sent_lets_it_finish_and_drops_the_queued_ones() -> None:
    writer: seeding.BatchWriter

    def first_batch_outlives_the_ctrl_c(call: int) -> None:
        if call == 0:
            press_ctrl_c()
            assert wait_for(writer._stop.is_set)

    client = FakeClient(on_call=first_batch_outlives_the_ctrl_c)
    writer, _ = fake_writer(client, workers=1)

    with pytest.raises(seeding.SeedInterruptedError) as interrupted:
        writer.run(seeding.RandomItemFactory().put_batches(500), lambda written: None)

    assert str(interrupted.value) == "Interrupted: 25 items written, each one whole."
    assert client.calls == [25]


@pytest.mark.usefixtures("ctrl_c_reaches_python")
def test_a_second_ctrl_c_abandons_the_batch_in_flight() -> None:
    release = threading.Event()
    writer: seeding.BatchWriter

    def first_batch_hangs(call: int) -> None:
        if call == 0:
            press_ctrl_c()
            assert wait_for(writer._stop.is_set)
            press_ctrl_c()
            assert release.wait(timeout=10)

    client = FakeClient(on_call=first_batch_hangs)
    writer, _ = fake_writer(client, workers=1)

    with pytest.raises(seeding.SeedInterruptedError) as interrupted:
        writer.run(seeding.RandomItemFactory().put_batches(500), lambda written: None)
    release.set()

    assert str(interrupted.value) == (
        "Interrupted twice: 0 items written, plus perhaps some of 1 batch abandoned in flight; "
        "every item is whole."
    )
    assert interrupted.value.written == 0


def wait_for(condition: Callable[[], bool], *, seconds: float = 10.0) -> bool:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)
    return True


def test_batches_is_singular_for_one() -> None:
    assert [seeding._batches(1), seeding._batches(3)] == ["1 batch", "3 batches"]


def test_a_stopped_writer_does_not_retry_unprocessed_items() -> None:
    client = FakeClient(unprocessed=[5, 5])
    writer, sleeps = fake_writer(client)
    writer._stop.set()

    with pytest.raises(seeding._UnprocessedError) as unprocessed:
        writer._send(put_requests(count=25))

    assert (writer.applied, unprocessed.value.left, sleeps, client.calls) == (20, 5, [], [25])


def test_a_batch_that_starts_after_the_stop_sends_nothing() -> None:
    client = FakeClient()
    writer, _ = fake_writer(client)
    writer._stop.set()

    writer.write_batch(put_requests(count=25))

    assert (writer.applied, client.calls) == (0, [])


def test_seed_report_rate_is_zero_for_zero_time() -> None:
    assert seeding.SeedReport(written=5, seconds=0.0).items_per_second == 0.0
    assert seeding.SeedReport(written=50, seconds=2.0).items_per_second == 25.0


# --- against dynalite ---


@pytest.mark.integration
def test_seed_ten_thousand_items_on_dynalite(local_ddb: table.Target) -> None:
    out, _ = run_seed("--count", "10000")

    items = stored_random_items()
    assert len(items) == 10000
    assert all(
        RANDOM_PK.match(item["PK"]["S"])
        and RANDOM_SK.match(item["SK"]["S"])
        and item["SK"]["S"] == keys.random_sk(item["id"]["S"])
        and item["GSI1PK"]["S"] == "RANDOM"
        and ISO_UTC.match(item["GSI1SK"]["S"])
        and item["GSI1SK"] == item["created_at"]
        and item["PK"]["S"] == keys.random_pk(keys.parse_iso_utc(item["created_at"]["S"]))
        and item["entity"]["S"] == "random"
        and 0 <= float(item["random_value"]["N"]) < 1
        for item in items
    )
    created = [item["created_at"]["S"] for item in items]
    assert created == sorted(created) and len(set(created)) == 10000
    ids = [item["id"]["S"] for item in items]
    assert ids == sorted(ids) and len(set(ids)) == 10000
    assert out.startswith(f"Wrote 10,000 random items to table '{local_ddb.table_name}'")


@pytest.mark.integration
def test_seed_creates_the_table_on_a_local_endpoint(dynalite_endpoint: str) -> None:
    previous = table.target()
    table.configure(
        table_name="bench-it-created-by-seed", endpoint_url=dynalite_endpoint, region="us-east-1"
    )
    try:
        run_seed("--count", "5")
        stored = len(stored_random_items())
        table.client().delete_table(TableName="bench-it-created-by-seed")
    finally:
        table.configure(
            table_name=previous.table_name,
            endpoint_url=previous.endpoint_url,
            region=previous.region,
        )

    assert stored == 5


@pytest.mark.integration
def test_reset_on_dynalite_keeps_other_entities(local_ddb: table.Target) -> None:
    run_seed("--count", "300")
    make_config_item().save()

    run_seed("--count", "20", "--reset")

    assert len(stored_random_items()) == 20
    assert ConfigItem.get(keys.CONFIG_PK, keys.CONFIG_SK).entity == "config"


@pytest.mark.integration
def test_interrupted_seed_on_dynalite_leaves_whole_items_and_can_continue(
    local_ddb: table.Target,
) -> None:
    def interrupt(written: int) -> None:
        if written >= 100:
            raise KeyboardInterrupt

    with pytest.raises(seeding.SeedInterruptedError) as interrupted:
        seeding.seed(count=2000, workers=4, on_progress=interrupt)
    seeding.seed(count=50)

    items = stored_random_items()
    assert len(items) == interrupted.value.written + 50
    assert all(len(item) == 8 for item in items)
    assert [item["id"]["S"] for item in items] == sorted(item["id"]["S"] for item in items)
