"""Reading random items with the low-level client: the snapshot build and the ``ddb`` strategy.

The low-level client skips PynamoDB's per-item model construction, which dominates a read of
100k items. Items come back as rows ``(id, random_value, created_at)`` with ``random_value`` as a
float (DynamoDB sends numbers as text) and ``created_at`` as stored (``keys.iso_utc`` text).
Every failure to talk to DynamoDB becomes ``DynamoUnavailableError`` with a sentence.
"""

from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from bench.dynamo import keys, table

Row = tuple[str, float, str]

ROW_PROJECTION: dict[str, Any] = {
    "ProjectionExpression": "#id, #value, #created",
    "ExpressionAttributeNames": {"#id": "id", "#value": "random_value", "#created": "created_at"},
}


def call(operation: Callable[..., Any], **request: Any) -> dict[str, Any]:  # noqa: ANN401 - boto3
    """One DynamoDB request; DynamoUnavailableError instead of botocore's exceptions."""
    try:
        response: dict[str, Any] = operation(**request)
    except (BotoCoreError, ClientError) as exc:
        raise table.DynamoUnavailableError(table.describe_failure(exc)) from exc
    return response


def pages(operation: Callable[..., Any], request: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """Every page of a Query or Scan, following LastEvaluatedKey."""
    request = dict(request)
    while True:
        page = call(operation, **request)
        yield page
        if "LastEvaluatedKey" not in page:
            return
        request["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def row_of(item: dict[str, Any]) -> Row:
    return (item["id"]["S"], float(item["random_value"]["N"]), item["created_at"]["S"])


def gsi_request(**extra: Any) -> dict[str, Any]:  # noqa: ANN401 - boto3 request parameters
    """A Query of the random items' GSI1 partition (ordered by created_at)."""
    request: dict[str, Any] = {
        "TableName": table.target().table_name,
        "IndexName": keys.GSI1_NAME,
        "KeyConditionExpression": "GSI1PK = :pk",
        "ExpressionAttributeValues": {":pk": {"S": keys.RANDOM_GSI1PK}},
        **ROW_PROJECTION,
    }
    request.update(extra)
    return request


def query_rows() -> list[Row]:
    """Every random item, by a paginated Query of GSI1 (the partition ``RANDOM``)."""
    ddb = table.client()
    return [row_of(item) for page in pages(ddb.query, gsi_request()) for item in page["Items"]]


def scan_rows(*, segments: int = 4) -> list[Row]:
    """Every random item, by a parallel Scan of the table filtered on GSI1PK (any order)."""
    ddb = table.client()
    base: dict[str, Any] = {
        "TableName": table.target().table_name,
        "TotalSegments": segments,
        "FilterExpression": "GSI1PK = :pk",
        "ExpressionAttributeValues": {":pk": {"S": keys.RANDOM_GSI1PK}},
        **ROW_PROJECTION,
    }

    def scan_segment(segment: int) -> list[Row]:
        request = {**base, "Segment": segment}
        return [row_of(item) for page in pages(ddb.scan, request) for item in page["Items"]]

    with ThreadPoolExecutor(max_workers=segments) as pool:
        parts = list(pool.map(scan_segment, range(segments)))
    return [row for part in parts for row in part]


def count_items() -> int:
    """How many random items there are (a Select=COUNT query of GSI1: no items transferred)."""
    ddb = table.client()
    request = gsi_request(Select="COUNT")
    del request["ProjectionExpression"], request["ExpressionAttributeNames"]
    return sum(int(page["Count"]) for page in pages(ddb.query, request))
