"""The read path: ``POST /insert``, one ``GET`` route per strategy, and ``GET /status``.

Every strategy route takes the same query parameters and answers the same ``ReadOut``; the
strategy does the timed work (``bench.strategies``), the route only shapes its result. Errors are
domain exceptions, turned into ``{"error", "detail"}`` responses in ``bench.api``.
"""

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

from django.conf import settings
from django.http import HttpRequest
from ninja import Body, Field, Query, Router, Schema
from pydantic import BaseModel, BeforeValidator, model_validator

from bench import coldstart, strategies
from bench.api.params import ULID_PATTERN, Limit, Shape, ulid_text, whole_number
from bench.dynamo import table
from bench.limits import MAX_INSERT
from bench.snapshotfile import snapshot_path
from bench.strategies.base import (
    DEFAULT_LIMIT,
    QueryShape,
    ReadRequest,
)

router = Router(tags=["read path"])

Count = Annotated[
    int,
    Field(ge=0, le=MAX_INSERT, description="Random items to write first (0..10000)."),
    whole_number(0, MAX_INSERT),
]
ItemId = Annotated[
    str | None,
    Field(
        pattern=ULID_PATTERN,
        description="For query=point: the item's id (a ULID); a random existing item if omitted.",
    ),
    BeforeValidator(ulid_text),
]


class ReadParams(Schema):
    query: Shape = Field(
        "all",
        description="all: every row; latest: the newest `limit` rows by created_at; "
        "point: one row by `id`; aggregate: count, avg, min and max of random_value.",
    )
    limit: Limit = DEFAULT_LIMIT
    id: ItemId = None


class ErrorOut(Schema):
    error: str = Field(description="A stable code, e.g. bad_parameter or no_snapshot.")
    detail: str = Field(description="A sentence saying what was wrong and what to do.")


class TimingsOut(Schema):
    total: float = Field(description="The strategy's own time for the request, ms.")
    copy_ms: float | None = Field(
        None, alias="copy", description="Copying EFS -> /tmp (tmp strategies only), ms."
    )
    read: float = Field(description="The storage query itself, ms.")


class ItemOut(Schema):
    id: str
    random_value: float
    created_at: str = Field(description="ISO-8601 UTC with microseconds.")


class AggregateOut(Schema):
    count: int
    avg: float | None = Field(description="Rounded to 10 decimals (sum order differs).")
    min: float | None
    max: float | None


class ReadOut(Schema):
    endpoint: str = Field(description="The strategy that served the read.")
    query: QueryShape
    rows: int = Field(description="Rows the query read (all: every row; aggregate: the count).")
    fingerprint: str = Field(description="Digest of (id, random_value) read, in id order.")
    snapshot: str | None = Field(description="Snapshot version read (None for ddb).")
    timings_ms: TimingsOut
    cold_start: bool = Field(description="True for the first request this container serves.")
    items: list[ItemOut] = Field(description="At most `limit` rows.")
    aggregate: AggregateOut | None = None


class InsertIn(BaseModel):
    # A plain pydantic model: a ninja Schema reads its input attribute by attribute, so a JSON
    # list would "have" a count (list.count) and fail with a confusing message.
    count: Count = 0

    @model_validator(mode="before")
    @classmethod
    def must_be_an_object(cls, data: object) -> object:
        if not isinstance(data, dict):
            raise ValueError(f'must be a JSON object such as {{"count": 100}}, got {data!r}.')
        return data


class InsertTimingsOut(Schema):
    insert: float = Field(description="Writing the new items to DynamoDB, ms.")
    ddb_read: float = Field(description="Reading every random item back, ms.")
    sqlite_write: float = Field(description="Writing and publishing the SQLite file, ms.")
    total: float = Field(description="The whole request's work, lock included, ms.")


class SnapshotOut(Schema):
    version: str = Field(description="The snapshot's ULID.")
    rows: int
    fingerprint: str
    built_at: datetime
    build_ms: float


class InsertOut(Schema):
    inserted: int
    timings_ms: InsertTimingsOut
    snapshot: SnapshotOut


class FileOut(Schema):
    path: str
    exists: bool
    bytes: int | None


class StatusSnapshotOut(SnapshotOut):
    age_s: float = Field(description="Seconds since the snapshot was built.")


class StatusOut(Schema):
    table: str
    ddb_items: int = Field(description="Random items in DynamoDB.")
    snapshot: StatusSnapshotOut | None = Field(description="The last snapshot built, if any.")
    efs_file: FileOut
    tmp_file: FileOut = Field(description="sqlite-tmp's copy.")
    tmp_cached_file: FileOut = Field(description="sqlite-tmp-cached's copy.")


READ_ERRORS: dict[int, type[Schema]] = {404: ErrorOut, 422: ErrorOut, 503: ErrorOut}
ReadView = Callable[[HttpRequest, ReadParams], dict[str, Any]]


def read_view(name: str) -> ReadView:
    def read(request: HttpRequest, params: Query[ReadParams]) -> dict[str, Any]:
        # Looked up per request (a cached dict lookup), so a container imports only the
        # strategies it serves.
        result = strategies.get(name).read(
            ReadRequest(query=params.query, limit=params.limit, item_id=params.id)
        )
        timings = result.timings
        return {
            "endpoint": result.endpoint,
            "query": result.query,
            "rows": result.rows,
            "fingerprint": result.fingerprint,
            "snapshot": result.snapshot,
            "timings_ms": {
                "total": timings.total_ms,
                "copy": timings.copy_ms,
                "read": timings.read_ms,
            },
            "cold_start": coldstart.is_cold_start(),
            "items": result.items,
            "aggregate": result.aggregate,
        }

    read.__name__ = f"read_{name.replace('-', '_')}"
    return read


for _name in strategies.STRATEGY_NAMES:
    router.get(
        f"/{_name}",
        response={200: ReadOut, **READ_ERRORS},
        by_alias=True,
        summary=f"One timed read through {_name}",
        operation_id=f"read_{_name.replace('-', '_')}",
    )(read_view(_name))


@router.post(
    "/insert",
    response={200: InsertOut, 409: ErrorOut, 422: ErrorOut, 400: ErrorOut, 503: ErrorOut},
    summary="Write `count` random items, then rebuild the snapshot",
)
def insert(request: HttpRequest, payload: Body[InsertIn | None] = None) -> dict[str, Any]:
    count = 0 if payload is None else payload.count
    from bench.snapshot import insert_and_build  # DynamoDB machinery: loaded on first use

    report = insert_and_build(count=count)
    return {
        "inserted": report.inserted,
        "timings_ms": {
            "insert": report.insert_ms,
            "ddb_read": report.build.ddb_read_ms,
            "sqlite_write": report.build.sqlite_write_ms,
            "total": report.total_ms,
        },
        "snapshot": report.build.snapshot,
    }


def _file(path: Path) -> dict[str, Any]:
    try:
        size: int | None = path.stat().st_size
    except FileNotFoundError:
        size = None
    return {"path": str(path), "exists": size is not None, "bytes": size}


@router.get(
    "/status",
    response={200: StatusOut, 503: ErrorOut},
    summary="Item count, the current snapshot, and whether the snapshot files exist",
)
def status(request: HttpRequest) -> dict[str, Any]:
    from bench.dynamo.randoms import count_items  # DynamoDB machinery: loaded on first use
    from bench.snapshot import current_snapshot

    snapshot = current_snapshot()
    described: dict[str, Any] | None = None
    if snapshot is not None:
        described = {
            "version": snapshot.version,
            "rows": snapshot.rows,
            "fingerprint": snapshot.fingerprint,
            "built_at": snapshot.built_at,
            "build_ms": snapshot.build_ms,
            "age_s": (datetime.now(UTC) - snapshot.built_at).total_seconds(),
        }
    return {
        "table": table.target().table_name,
        "ddb_items": count_items(),
        "snapshot": described,
        "efs_file": _file(snapshot_path()),
        "tmp_file": _file(Path(settings.BENCH_TMP_DIR) / settings.SNAPSHOT_FILE_NAME),
        "tmp_cached_file": _file(Path(settings.BENCH_TMP_DIR) / settings.TMP_CACHED_FILE_NAME),
    }
