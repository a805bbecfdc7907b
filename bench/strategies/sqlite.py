"""What the four SQLite strategies share: one ORM query per shape, and fresh connections.

Reads go through the ORM with ``.using(alias)`` and ``values_list``, never model instances.
``created_at`` is read as the text SQLite stores (``Cast`` to text): parsing 100k datetimes would
cost three times the read itself, and only the few items a response carries need converting.

A connection that outlives a request must never read a replaced file: ``use_file`` remembers
which file (device, inode, size, mtime, ctime) each connection opened and reopens it when the path
now names another file. Snapshots are only ever replaced whole (``os.replace``), so an open
connection keeps reading one complete snapshot, never a mix.
"""

import contextlib
import os
import random
import time
from abc import ABC, abstractmethod
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar
from weakref import WeakKeyDictionary

from django.db import DatabaseError, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Avg, Count, Max, Min, TextField
from django.db.models.expressions import RawSQL
from django.db.models.functions import Cast

from bench.errors import NoSnapshotError, NotFoundError, StorageUnavailableError
from bench.models import Random, SnapshotMeta
from bench.snapshotfile import iso_datetime
from bench.strategies.answers import (
    Answer,
    Row,
    answer_aggregate,
    answer_all,
    answer_items,
    timings,
)
from bench.strategies.base import ReadRequest, ReadResult

ROW_FIELDS: tuple[Any, ...] = ("id", "random_value", Cast("created_at", TextField()))

FileIdentity = tuple[int, int, int, int, int]

_opened: "WeakKeyDictionary[BaseDatabaseWrapper, FileIdentity]" = WeakKeyDictionary()


def identity_of(stat: os.stat_result) -> FileIdentity:
    return (stat.st_dev, stat.st_ino, stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns)


def file_identity(path: Path) -> FileIdentity:
    """Which file ``path`` names now; NoSnapshotError when there is none."""
    try:
        return identity_of(path.stat())
    except FileNotFoundError:
        raise NoSnapshotError() from None


def use_file(alias: str, identity: FileIdentity) -> None:
    """Make this thread's ``alias`` connection read the file ``identity`` names."""
    connection = connections[alias]
    if connection.connection is not None and _opened.get(connection) != identity:
        connection.close()
    if connection.connection is None:
        connection.ensure_connection()
        _opened[connection] = identity


def close(alias: str) -> None:
    connections[alias].close()


@dataclass(frozen=True)
class Fetched:
    """What a query read, before it is turned into an Answer (outside the read timing)."""

    version: str
    rows: list[Row] = field(default_factory=list)
    aggregate: dict[str, Any] | None = None


def _random_row(alias: str, rows: int) -> list[Row]:
    # Rows are inserted into a fresh table, so their rowids are exactly 1..rows: one b-tree
    # lookup reads a random row, where ORDER BY random() or OFFSET would read the whole table.
    by_rowid = Random.objects.using(alias).annotate(rowid=RawSQL('"randoms"."rowid"', ()))
    return list(by_rowid.filter(rowid=random.randint(1, rows)).values_list(*ROW_FIELDS))


def fetch(alias: str, request: ReadRequest) -> Fetched:
    """Run ``request`` against the snapshot ``alias`` opens; raises the domain errors."""
    version, rows = SnapshotMeta.objects.using(alias).values_list("version", "rows").get()
    randoms = Random.objects.using(alias)
    if request.query == "all":
        return Fetched(version=version, rows=list(randoms.values_list(*ROW_FIELDS)))
    if request.query == "latest":
        latest = randoms.order_by("-created_at", "-id").values_list(*ROW_FIELDS)
        return Fetched(version=version, rows=list(latest[: request.limit]))
    if request.query == "point":
        if request.item_id is None:
            found = _random_row(alias, rows) if rows else []
            if not found:
                raise NoSnapshotError(
                    f"Snapshot {version} holds no items: POST /insert with a count first."
                )
        else:
            found = list(randoms.filter(id=request.item_id).values_list(*ROW_FIELDS))
            if not found:
                raise NotFoundError(f"id={request.item_id!r} is not an item of snapshot {version}.")
        return Fetched(version=version, rows=found)
    aggregate = randoms.aggregate(
        count=Count("id"), avg=Avg("random_value"), min=Min("random_value"), max=Max("random_value")
    )
    return Fetched(version=version, aggregate=aggregate)


def answer(fetched: Fetched, request: ReadRequest) -> Answer:
    if fetched.aggregate is not None:
        return answer_aggregate(
            count=fetched.aggregate["count"],
            avg=fetched.aggregate["avg"],
            minimum=fetched.aggregate["min"],
            maximum=fetched.aggregate["max"],
        )
    if request.query == "all":
        return answer_all(fetched.rows, limit=request.limit, to_iso=iso_datetime)
    return answer_items(fetched.rows, to_iso=iso_datetime)


@contextlib.contextmanager
def storage_errors(alias: str, path: Path) -> Iterator[None]:
    """SQLite failures as domain errors: a missing file is 'no snapshot yet'."""
    try:
        yield
    except SnapshotMeta.DoesNotExist:
        close(alias)
        raise StorageUnavailableError(
            f"{path} is not a snapshot (it has no snapshot_meta row)."
        ) from None
    except DatabaseError as exc:
        close(alias)
        if not path.exists():
            raise NoSnapshotError() from exc
        raise StorageUnavailableError(f"Could not read the snapshot {path}: {exc}") from exc


class SqliteStrategy(ABC):
    """One timed read of a snapshot through the ORM; subclasses say which file and how."""

    name: ClassVar[str]
    alias: ClassVar[str]

    @abstractmethod
    def path(self) -> Path:
        """The file the alias opens."""

    def prepare(self) -> int | None:
        """Work before the query (the tmp strategies copy here); its ns, or None if none."""
        return None

    def open(self) -> None:
        """Make the alias's connection read the current file (default: open lazily)."""
        return None

    def finish(self) -> None:
        """After the query, also after a failure (default: keep the connection)."""
        return None

    def lock(self) -> contextlib.AbstractContextManager[object]:
        return contextlib.nullcontext()

    def read(self, request: ReadRequest) -> ReadResult:
        start = time.perf_counter_ns()
        with self.lock():
            copy_ns = self.prepare()
            read_start = time.perf_counter_ns()
            path = self.path()
            with storage_errors(self.alias, path):
                try:
                    self.open()
                    fetched = fetch(self.alias, request)
                finally:
                    self.finish()
            end = time.perf_counter_ns()
        # Shaping the answer (sorting, the fingerprint, items) is not storage work: untimed.
        result = answer(fetched, request)
        return result.result(
            endpoint=self.name,
            query=request.query,
            snapshot=fetched.version,
            timings=timings(start_ns=start, end_ns=end, read_ns=end - read_start, copy_ns=copy_ns),
        )
