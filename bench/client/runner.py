"""The timed run: warm-up, then every strategy ``iterations`` times, interleaved, over workers.

The plan is a fixed list of jobs. Warm-up jobs come first (``warmup`` per strategy); their
answers are discarded except a container's first one (``cold_start`` true), which is kept with
iteration ``WARMUP_ITERATION`` so the report can show cold starts apart. Then the timed jobs:
iteration ``i`` visits every strategy once, starting at a different strategy each iteration, so
no strategy always runs right after the same neighbour. ``concurrency`` workers, each with its
own keep-alive client, take jobs in order from one queue.

Ctrl-C (``KeyboardInterrupt`` in the main thread) stops the workers after their current request
and returns what was measured, marked interrupted.
"""

import contextlib
import queue
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Protocol

from bench.results import ResultRecord

WARMUP_ITERATION = -1
_POLL_SECONDS = 0.1


class Reader(Protocol):
    def read(
        self, endpoint: str, *, query: str, iteration: int, item_id: str | None = None
    ) -> ResultRecord: ...

    def close(self) -> None: ...


@dataclass(frozen=True)
class Job:
    endpoint: str
    iteration: int  # WARMUP_ITERATION for a warm-up request
    item_id: str | None = None  # query=point: the id every strategy reads in this round


@dataclass(frozen=True)
class Plan:
    endpoints: tuple[str, ...]
    query: str
    iterations: int
    warmup: int
    concurrency: int
    # query=point: ids to read, one per iteration (cycled), so every strategy reads the same id
    # in a round and their answers can be compared; empty lets the server pick at random.
    point_ids: tuple[str, ...] = ()

    def warmup_jobs(self) -> list[Job]:
        return [
            Job(endpoint, WARMUP_ITERATION)
            for _ in range(self.warmup)
            for endpoint in self.endpoints
        ]

    def timed_jobs(self) -> list[Job]:
        count = len(self.endpoints)
        jobs = []
        for iteration in range(self.iterations):
            start = iteration % count
            item_id = self.point_ids[iteration % len(self.point_ids)] if self.point_ids else None
            for endpoint in self.endpoints[start:] + self.endpoints[:start]:
                jobs.append(Job(endpoint, iteration, item_id))
        return jobs

    @property
    def planned(self) -> int:
        """Timed requests in the plan (warm-ups not counted)."""
        return self.iterations * len(self.endpoints)


@dataclass
class Outcome:
    records: list[ResultRecord]
    planned: int
    interrupted: bool
    started_at: datetime
    finished_at: datetime
    warmup_sent: int = 0
    warmup_failed: list[ResultRecord] = field(default_factory=list)

    @property
    def timed(self) -> list[ResultRecord]:
        return [record for record in self.records if record.iteration != WARMUP_ITERATION]


class _WorkerFailure:
    def __init__(self, exc: BaseException) -> None:
        self.exc = exc


class Runner:
    """Runs a plan with one ``Reader`` per worker (made by ``make_reader``)."""

    def __init__(
        self,
        plan: Plan,
        make_reader: Callable[[], Reader],
        *,
        on_record: Callable[[ResultRecord], None] | None = None,
        stop_grace_seconds: float = 5.0,
    ) -> None:
        self.plan = plan
        self.make_reader = make_reader
        self.on_record = on_record
        self.stop_grace_seconds = stop_grace_seconds
        self.stop = threading.Event()

    def run(self) -> Outcome:
        started_at = datetime.now(UTC)
        warmup_jobs = self.plan.warmup_jobs()
        readers = [self.make_reader() for _ in range(self.plan.concurrency)]
        warmups: list[ResultRecord] = []
        timed: list[ResultRecord] = []
        interrupted = False
        try:
            self._phase(warmup_jobs, readers, into=warmups, report=False)
            # When every warm-up failed the timed requests would too: stop and say why.
            if not warmups or any(record.ok for record in warmups):
                self._phase(self.plan.timed_jobs(), readers, into=timed, report=True)
        except KeyboardInterrupt:
            interrupted = True
        finally:
            for reader in readers:
                reader.close()
        return Outcome(
            records=[record for record in warmups if record.cold_start] + timed,
            planned=self.plan.planned,
            interrupted=interrupted,
            started_at=started_at,
            finished_at=datetime.now(UTC),
            warmup_sent=len(warmups),
            warmup_failed=[record for record in warmups if not record.ok],
        )

    def _phase(
        self,
        jobs: Sequence[Job],
        readers: Sequence[Reader],
        *,
        into: list[ResultRecord],
        report: bool,
    ) -> None:
        todo: queue.SimpleQueue[Job] = queue.SimpleQueue()
        for job in jobs:
            todo.put(job)
        done: queue.SimpleQueue[ResultRecord | _WorkerFailure] = queue.SimpleQueue()
        threads = [
            threading.Thread(target=self._work, args=(reader, todo, done), daemon=True)
            for reader in readers
        ]
        received = 0
        try:
            for thread in threads:
                thread.start()
            while received < len(jobs):
                try:
                    item = done.get(timeout=_POLL_SECONDS)
                except queue.Empty:
                    continue
                received += 1
                if isinstance(item, _WorkerFailure):
                    raise item.exc
                into.append(item)
                if report and self.on_record is not None:
                    self.on_record(item)
        except BaseException:
            # Ctrl-C or a failed worker: let the others finish their current request, keep what
            # they measured, and leave the rest of the plan undone.
            self.stop.set()
            for thread in threads:
                with contextlib.suppress(RuntimeError):  # a thread not started yet
                    thread.join(timeout=self.stop_grace_seconds)
            drained = []
            while not done.empty():
                drained.append(done.get())
            into.extend(item for item in drained if isinstance(item, ResultRecord))
            raise
        for thread in threads:
            thread.join()

    def _work(
        self,
        reader: Reader,
        todo: "queue.SimpleQueue[Job]",
        done: "queue.SimpleQueue[ResultRecord | _WorkerFailure]",
    ) -> None:
        while not self.stop.is_set():
            try:
                job = todo.get_nowait()
            except queue.Empty:
                return
            try:
                done.put(
                    reader.read(
                        job.endpoint,
                        query=self.plan.query,
                        iteration=job.iteration,
                        item_id=job.item_id,
                    )
                )
            except Exception as exc:  # noqa: BLE001 - handed to the main thread, which re-raises
                done.put(_WorkerFailure(exc))
                return
