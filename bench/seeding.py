"""Bulk writes of random items: what ``manage.py seed`` does (SPEC.md, Management commands).

Items are generated in one thread, in order: ULIDs are monotonic and ``created_at`` strictly
increases within a run, so the GSI1 sort key (created_at) and the item id sort the same way.
They are written 25 per ``BatchWriteItem`` by worker threads through the low-level client
(``table.client()``); items DynamoDB leaves unprocessed are retried with exponential backoff a
bounded number of times. A put inside ``BatchWriteItem`` is atomic per item, so an
interrupted run leaves only whole items behind.
"""

import random
import secrets
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, cast

from botocore.exceptions import BotoCoreError, ClientError
from ulid import base32

from bench.dynamo import keys, table
from bench.dynamo.models import RandomItem

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_dynamodb.type_defs import (
        AttributeValueTypeDef,
        QueryInputTypeDef,
        WriteRequestTypeDef,
    )

MIN_COUNT = 1
MAX_COUNT = 1_000_000
MIN_WORKERS = 1
MAX_WORKERS = 64
DEFAULT_WORKERS = 8
BATCH_SIZE = 25  # the BatchWriteItem maximum
MAX_TRIES = 8  # per batch, for items DynamoDB leaves unprocessed
BACKOFF_BASE_SECONDS = 0.05
BACKOFF_CAP_SECONDS = 1.0

Progress = Callable[[int], None]
"""Called in the calling thread with the number of items written so far."""


class SeedArgumentError(ValueError):
    """A bad ``--count`` / ``--workers``; the message names the value and the allowed range."""


class SeedError(Exception):
    """Writing stopped early; ``written`` items are in the table, each one whole."""

    def __init__(self, message: str, *, written: int) -> None:
        super().__init__(message)
        self.written = written


class SeedInterruptedError(SeedError):
    """Ctrl-C: submission stopped; ``written`` items are in the table, each one whole."""


@dataclass(frozen=True)
class SeedReport:
    written: int
    seconds: float

    @property
    def items_per_second(self) -> float:
        return self.written / self.seconds if self.seconds > 0 else 0.0


def parse_count(raw: object) -> int:
    """``--count`` as an int in 1..1,000,000, else SeedArgumentError naming the value."""
    return _parse_int("--count", raw, MIN_COUNT, MAX_COUNT)


def parse_workers(raw: object) -> int:
    """``--workers`` as an int in 1..64, else SeedArgumentError naming the value."""
    return _parse_int("--workers", raw, MIN_WORKERS, MAX_WORKERS)


def _parse_int(option: str, raw: object, minimum: int, maximum: int) -> int:
    allowed = f"give a whole number from {minimum:,} to {maximum:,}"
    if raw is None:
        raise SeedArgumentError(f"{option} is required: {allowed}.")
    if isinstance(raw, bool) or not isinstance(raw, int | str):
        raise SeedArgumentError(f"{option} {raw!r} is not a whole number: {allowed}.")
    try:
        value = int(raw)
    except ValueError:
        raise SeedArgumentError(f"{option} {raw!r} is not a whole number: {allowed}.") from None
    if not minimum <= value <= maximum:
        raise SeedArgumentError(f"{option} {value} is out of range: {allowed}.")
    return value


class RandomItemFactory:
    """Random items in the exact attribute shape ``RandomItem.build(...).serialize()`` gives.

    Generation is on the hot path of ``seed`` (the client's CPU is shared with the local server),
    so the parts that change slowly are built once: the date key and the ISO text up to the
    second once a second, the time half of the ULID once a millisecond. Not thread-safe: one
    factory per run, used by the thread that submits the batches.
    """

    # The tail of a ULID is random; starting below this leaves room for every id one
    # millisecond can hold (created_at steps at least 1 µs), so incrementing never overflows.
    _RANDOMNESS_LIMIT = (1 << 80) - 1000

    def __init__(
        self,
        *,
        rng: random.Random | None = None,
        clock_us: Callable[[], int] | None = None,
    ) -> None:
        self._rng = rng or random.Random()
        self._clock_us = clock_us or _epoch_microseconds
        self._last_us = -1
        self._second = -1
        self._iso_prefix = ""
        self._pk: AttributeValueTypeDef = {"S": ""}
        self._ms = -1
        self._id_time = ""
        self._randomness = 0
        self._entity: AttributeValueTypeDef = {"S": RandomItem.ENTITY}
        self._gsi1pk: AttributeValueTypeDef = {"S": keys.RANDOM_GSI1PK}

    def next_microseconds(self) -> int:
        """Now in µs since the epoch, strictly greater than the previous call's value."""
        now = self._clock_us()
        if now <= self._last_us:
            now = self._last_us + 1
        self._last_us = now
        return now

    def item(self) -> dict[str, "AttributeValueTypeDef"]:
        now = self.next_microseconds()
        second, fraction = divmod(now, 1_000_000)
        if second != self._second:
            moment = datetime.fromtimestamp(second, UTC)
            self._second = second
            self._iso_prefix = keys.iso_utc(moment)[: -len("000000Z")]
            self._pk = {"S": keys.random_pk(moment)}
        ms = now // 1000
        if ms == self._ms:
            self._randomness += 1
        else:
            self._ms = ms
            self._id_time = base32.encode_timestamp(ms.to_bytes(6, "big"))
            self._randomness = secrets.randbelow(self._RANDOMNESS_LIMIT)
        item_id = self._id_time + base32.encode_randomness(self._randomness.to_bytes(10, "big"))
        created: AttributeValueTypeDef = {"S": f"{self._iso_prefix}{fraction:06d}Z"}
        return {
            "PK": self._pk,
            "SK": {"S": keys.random_sk(item_id)},
            "GSI1PK": self._gsi1pk,
            "GSI1SK": created,
            "entity": self._entity,
            "id": {"S": item_id},
            # PynamoDB's NumberAttribute stores json.dumps(value), which is repr() for a float.
            "random_value": {"N": repr(self._rng.random())},
            "created_at": created,
        }

    def put_batches(self, count: int) -> Iterator[list["WriteRequestTypeDef"]]:
        """``count`` new items as PutRequests, ``BATCH_SIZE`` per list, generated lazily."""
        remaining = count
        while remaining > 0:
            size = min(BATCH_SIZE, remaining)
            yield [{"PutRequest": {"Item": self.item()}} for _ in range(size)]
            remaining -= size


def _epoch_microseconds() -> int:
    return time.time_ns() // 1000


class BatchWriter:
    """Sends write batches from worker threads, retrying unprocessed items with backoff.

    Each worker takes the next batch from the shared source itself (under a lock, so the source
    is advanced in order by one thread at a time) and sends it: the calling thread is not in the
    loop, it only reports progress and handles Ctrl-C. ``applied`` counts the requests DynamoDB
    has applied, batch by batch as the answers come in, so it stays exact whatever stops a run.
    """

    PROGRESS_INTERVAL_SECONDS = 0.1

    def __init__(
        self,
        *,
        workers: int,
        client: "DynamoDBClient | None" = None,
        table_name: str | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.workers = workers
        self.client = client or table.client()
        self.table_name = table_name or table.target().table_name
        self.applied = 0
        self._sleep = sleep
        self._stop = threading.Event()
        self._finished = threading.Event()
        self._lock = threading.Lock()
        self._idle = threading.Condition(self._lock)
        self._sending = 0  # batches between their first request and their last answer
        self._working = 0  # workers not yet finished
        self._failure: BaseException | None = None

    def write_batch(self, requests: list["WriteRequestTypeDef"]) -> None:
        """One batch (at most 25 requests); nothing once the run is stopping."""
        with self._lock:
            if self._stop.is_set():
                return
            self._sending += 1
        try:
            self._send(requests)
        finally:
            with self._lock:
                self._sending -= 1
                self._idle.notify_all()

    def _send(self, requests: list["WriteRequestTypeDef"]) -> None:
        """Sends one batch, retrying what DynamoDB leaves unprocessed with backoff."""
        pending = requests
        for attempt in range(MAX_TRIES):
            if attempt:
                if self._stop.is_set():
                    break
                self._sleep(_backoff_seconds(attempt))
            try:
                response = self.client.batch_write_item(RequestItems={self.table_name: pending})
            except (BotoCoreError, ClientError) as exc:
                raise table.DynamoUnavailableError(table.describe_failure(exc)) from exc
            unprocessed = response.get("UnprocessedItems", {}).get(self.table_name, [])
            with self._lock:
                self.applied += len(pending) - len(unprocessed)
            if not unprocessed:
                return
            # The output shape is the input shape; boto3's stubs type them apart.
            pending = cast("list[WriteRequestTypeDef]", unprocessed)
        raise _UnprocessedError(left=len(pending))

    def run(self, batches: Iterable[list["WriteRequestTypeDef"]], on_progress: Progress) -> int:
        """Write every batch; returns the number of requests applied.

        On a failure or Ctrl-C no new batch is started, batches being sent finish (without
        further retries), and SeedError / SeedInterruptedError carries how many items were
        written. A second Ctrl-C abandons the batches being sent.
        """
        self._stop.clear()
        self._finished.clear()
        self.applied = 0
        self._failure = None
        self._working = self.workers
        source = iter(batches)
        try:
            for number in range(self.workers):
                threading.Thread(
                    target=self._work, args=(source,), name=f"seed-{number}", daemon=True
                ).start()
            while not self._finished.wait(self.PROGRESS_INTERVAL_SECONDS):
                on_progress(self.applied)
            on_progress(self.applied)
        except KeyboardInterrupt:
            self._stop_and_wait()
            raise SeedInterruptedError(
                f"Interrupted: {self.applied:,} items written, each one whole.",
                written=self.applied,
            ) from None
        failure = self._failure
        if isinstance(failure, _UnprocessedError):
            raise SeedError(
                f"DynamoDB left {failure.left} items unprocessed after {MAX_TRIES} tries "
                f"(throttled?); {self.applied:,} items written.",
                written=self.applied,
            ) from failure
        if failure is not None:
            raise SeedError(
                f"{failure} ({self.applied:,} items written)", written=self.applied
            ) from failure
        return self.applied

    def _work(self, source: Iterator[list["WriteRequestTypeDef"]]) -> None:
        try:
            while True:
                with self._lock:
                    if self._stop.is_set():
                        return
                    batch = next(source, None)
                if batch is None:
                    return
                self.write_batch(batch)
        except Exception as exc:  # a batch, or the source (e.g. the query of --reset), failed
            with self._lock:
                self._failure = self._failure or exc
                self._stop.set()
        finally:
            with self._lock:
                self._working -= 1
                if not self._working:
                    self._finished.set()

    def _stop_and_wait(self) -> None:
        """No new batch starts; wait for the ones being sent. Ctrl-C again abandons them."""
        try:
            with self._lock:
                self._stop.set()
                while self._sending:
                    self._idle.wait()
        except KeyboardInterrupt:
            raise SeedInterruptedError(
                f"Interrupted twice: {self.applied:,} items written, plus perhaps some of "
                f"{_batches(self._sending)} abandoned in flight; every item is whole.",
                written=self.applied,
            ) from None


class _UnprocessedError(Exception):
    def __init__(self, *, left: int) -> None:
        super().__init__(f"{left} items unprocessed")
        self.left = left


def _batches(count: int) -> str:
    return f"{count} batch" if count == 1 else f"{count} batches"


def _backoff_seconds(attempt: int) -> float:
    # Full jitter keeps workers that were throttled together from retrying together.
    return random.uniform(0, min(BACKOFF_CAP_SECONDS, BACKOFF_BASE_SECONDS * 2**attempt))


def seed(
    *,
    count: int,
    workers: int = DEFAULT_WORKERS,
    on_progress: Progress = lambda written: None,
    factory: RandomItemFactory | None = None,
) -> SeedReport:
    """Write ``count`` new random items to the configured table (which must exist)."""
    factory = factory or RandomItemFactory()
    # No more threads than batches: POST /insert often writes only a few items.
    workers = max(1, min(workers, -(-count // BATCH_SIZE)))
    start = time.perf_counter()
    written = BatchWriter(workers=workers).run(factory.put_batches(count), on_progress)
    return SeedReport(written=written, seconds=time.perf_counter() - start)


def random_item_keys(
    client: "DynamoDBClient | None" = None, table_name: str | None = None
) -> Iterator[dict[str, "AttributeValueTypeDef"]]:
    """The keys (PK, SK) of every random item, read from GSI1 page by page."""
    client = client or table.client()
    request: QueryInputTypeDef = {
        "TableName": table_name or table.target().table_name,
        "IndexName": keys.GSI1_NAME,
        "KeyConditionExpression": "GSI1PK = :pk",
        "ExpressionAttributeValues": {":pk": {"S": keys.RANDOM_GSI1PK}},
        "ProjectionExpression": "PK, SK",
    }
    while True:
        try:
            page = client.query(**request)
        except (BotoCoreError, ClientError) as exc:
            raise table.DynamoUnavailableError(table.describe_failure(exc)) from exc
        yield from page.get("Items", [])
        last = page.get("LastEvaluatedKey")
        if not last:
            return
        request["ExclusiveStartKey"] = last


def delete_batches(
    item_keys: Iterable[dict[str, "AttributeValueTypeDef"]],
) -> Iterator[list["WriteRequestTypeDef"]]:
    batch: list[WriteRequestTypeDef] = []
    for key in item_keys:
        batch.append({"DeleteRequest": {"Key": {"PK": key["PK"], "SK": key["SK"]}}})
        if len(batch) == BATCH_SIZE:
            yield batch
            batch = []
    if batch:
        yield batch


def reset(
    *, workers: int = DEFAULT_WORKERS, on_progress: Progress = lambda deleted: None
) -> SeedReport:
    """Delete every random item (and nothing else) from the configured table."""
    start = time.perf_counter()
    deleted = BatchWriter(workers=workers).run(delete_batches(random_item_keys()), on_progress)
    return SeedReport(written=deleted, seconds=time.perf_counter() - start)
