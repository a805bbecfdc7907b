"""``ddb``: read the same records from DynamoDB with the low-level client.

- ``all``: a paginated Query of GSI1 (only id, random_value, created_at).
- ``latest``: the same Query backwards, ``Limit=limit``.
- ``point`` by id: a GetItem; the item's partition is ``RANDOM#<date>`` of its ``created_at``, and
  an item's ULID is made from the same moment, so the ULID's millisecond timestamp gives the date.
  Should an item's ULID and created_at ever disagree, a GSI1 query around the ULID's moment finds
  it. Without an id: one Query of GSI1 from a random moment between the oldest and newest item
  (those two bounds are looked up once per container and again when the pick misses).
- ``aggregate``: DynamoDB cannot aggregate, so every random_value is read and summed here.

``snapshot`` is None: DynamoDB is the source, not a snapshot.
"""

import math
import random
import time
from datetime import datetime, timedelta
from typing import Any

from ulid import ULID

from bench.dynamo import keys, table
from bench.dynamo.randoms import (
    ROW_PROJECTION,
    Row,
    call,
    gsi_request,
    pages,
    query_rows,
    row_of,
)
from bench.errors import BadParameterError, NoSnapshotError, NotFoundError
from bench.strategies.answers import Answer, answer_aggregate, answer_all, answer_items, timings
from bench.strategies.base import ReadRequest, ReadResult

NO_ITEMS = "DynamoDB holds no random items: POST /insert with a count first."
# How far from an id's ULID moment the fallback looks for its created_at.
ULID_SKEW = timedelta(seconds=5)


def _as_is(created_at: str) -> str:
    return created_at


def _ulid_moment(item_id: str) -> datetime | None:
    """The moment a ULID encodes; None when no datetime (with the skew around it) can hold it,
    which no item's id can be, since every id is made from the moment it was written."""
    try:
        ulid = ULID.from_str(item_id)
    except ValueError:
        raise BadParameterError(
            "id", f"id={item_id!r} is not a ULID (26 characters of Crockford base32)."
        ) from None
    try:
        moment = ulid.datetime
        moment + ULID_SKEW  # noqa: B018 - checks the search window fits too
    except (ValueError, OverflowError):
        return None
    return moment


class Ddb:
    name = "ddb"

    def __init__(self) -> None:
        self._bounds: tuple[datetime, datetime] | None = None

    def read(self, request: ReadRequest) -> ReadResult:
        # _answer times the reads alone; shaping the answer after them (sorting into id order,
        # the fingerprint) is not storage work, so the total is the read time too.
        answer, read_ns = self._answer(request)
        return answer.result(
            endpoint=self.name,
            query=request.query,
            snapshot=None,
            timings=timings(start_ns=0, end_ns=read_ns, read_ns=read_ns),
        )

    def _answer(self, request: ReadRequest) -> tuple[Answer, int]:
        read_start = time.perf_counter_ns()
        if request.query == "all":
            rows = query_rows()
            read_ns = time.perf_counter_ns() - read_start
            return answer_all(rows, limit=request.limit, to_iso=_as_is), read_ns
        if request.query == "aggregate":
            values = self._values()
            read_ns = time.perf_counter_ns() - read_start
            return answer_aggregate(
                count=len(values),
                avg=math.fsum(values) / len(values) if values else None,
                minimum=min(values, default=None),
                maximum=max(values, default=None),
            ), read_ns
        if request.query == "latest":
            rows = self._latest(request.limit)
        elif request.item_id is None:
            rows = self._random_row()
        else:
            rows = self._point(request.item_id)
        read_ns = time.perf_counter_ns() - read_start
        return answer_items(rows, to_iso=_as_is), read_ns

    def _values(self) -> list[float]:
        request = gsi_request(
            ProjectionExpression="#value", ExpressionAttributeNames={"#value": "random_value"}
        )
        ddb = table.client()
        return [
            float(item["random_value"]["N"])
            for page in pages(ddb.query, request)
            for item in page["Items"]
        ]

    def _latest(self, limit: int) -> list[Row]:
        page = call(table.client().query, **gsi_request(ScanIndexForward=False, Limit=limit))
        return [row_of(item) for item in page["Items"]]

    def _point(self, item_id: str) -> list[Row]:
        moment = _ulid_moment(item_id)
        if moment is None:
            raise NotFoundError(f"id={item_id!r} is not an item in DynamoDB.")
        response = call(
            table.client().get_item,
            TableName=table.target().table_name,
            Key={"PK": {"S": keys.random_pk(moment)}, "SK": {"S": keys.random_sk(item_id)}},
            **ROW_PROJECTION,
        )
        if "Item" in response:
            return [row_of(response["Item"])]
        rows = self._near(moment, item_id)
        if not rows:
            raise NotFoundError(f"id={item_id!r} is not an item in DynamoDB.")
        return rows

    def _near(self, moment: datetime, item_id: str) -> list[Row]:
        request = gsi_request(
            KeyConditionExpression="GSI1PK = :pk AND GSI1SK BETWEEN :low AND :high",
            FilterExpression="#id = :id",
        )
        request["ExpressionAttributeValues"] = {
            ":pk": {"S": keys.RANDOM_GSI1PK},
            ":low": {"S": keys.iso_utc(moment - ULID_SKEW)},
            ":high": {"S": keys.iso_utc(moment + ULID_SKEW)},
            ":id": {"S": item_id},
        }
        ddb = table.client()
        return [row_of(item) for page in pages(ddb.query, request) for item in page["Items"]]

    def _edge(self, *, newest: bool) -> datetime | None:
        page = call(table.client().query, **gsi_request(ScanIndexForward=not newest, Limit=1))
        if not page["Items"]:
            return None
        return keys.parse_iso_utc(page["Items"][0]["created_at"]["S"])

    def _random_row(self) -> list[Row]:
        if self._bounds is None:
            oldest, newest = self._edge(newest=False), self._edge(newest=True)
            if oldest is None or newest is None:
                raise NoSnapshotError(NO_ITEMS)
            self._bounds = (oldest, newest)
        oldest, newest = self._bounds
        moment = oldest + (newest - oldest) * random.random()
        page = call(table.client().query, **_from_moment(moment))
        if page["Items"]:
            return [row_of(page["Items"][0])]
        # Items were deleted since the bounds were read: forget them, answer with the newest.
        self._bounds = None
        rows = self._latest(1)
        if not rows:
            raise NoSnapshotError(NO_ITEMS)
        return rows


def _from_moment(moment: datetime) -> dict[str, Any]:
    request = gsi_request(KeyConditionExpression="GSI1PK = :pk AND GSI1SK >= :moment", Limit=1)
    request["ExpressionAttributeValues"] = {
        ":pk": {"S": keys.RANDOM_GSI1PK},
        ":moment": {"S": keys.iso_utc(moment)},
    }
    return request
