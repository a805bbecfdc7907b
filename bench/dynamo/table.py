"""The one place that points every model and client at the table (SPEC.md, Configuration).

``configure`` is called once by ``BenchConfig.ready`` with the settings; tests call it again to
point everything at a mock or a local server. ``client()`` gives a low-level boto3 client for the
hot paths (seed, snapshot reads) with the same endpoint and short timeouts, so an unreachable
endpoint fails in seconds instead of hanging.

Neither boto3 nor PynamoDB is imported here until a client or a model is first used (the models
apply the target when they are imported): a container whose requests never touch DynamoDB does
not pay for loading them at start-up, which is part of what the benchmark measures.
"""

import os
import sys
import time
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

from botocore.exceptions import BotoCoreError, ClientError, EndpointConnectionError

from bench.dynamo import keys

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient


class DynamoUnavailableError(Exception):
    """DynamoDB (or the local stand-in) could not be reached or answered with an error."""


class TableMissingError(Exception):
    """The configured table does not exist."""


@dataclass(frozen=True)
class Target:
    table_name: str
    endpoint_url: str | None
    region: str

    @property
    def is_local(self) -> bool:
        return self.endpoint_url is not None

    def describe(self) -> str:
        where = self.endpoint_url or f"AWS DynamoDB in {self.region}"
        return f"table {self.table_name!r} at {where}"


_target = Target(table_name="aws-lambda-sqlite-dev-main", endpoint_url=None, region="us-east-1")

# dynalite accepts any credentials, but botocore will not send a request without some: a fresh
# clone with no AWS credentials must still run against the local endpoint.
LOCAL_CREDENTIALS = ("local", "local")


def credentials_for(endpoint_url: str | None) -> tuple[str, str] | tuple[None, None]:
    """(access key id, secret) for a client: placeholders for a local endpoint when the
    environment has none, else (None, None) for boto3's usual credential chain."""
    if endpoint_url is None or os.environ.get("AWS_ACCESS_KEY_ID"):
        return (None, None)
    return LOCAL_CREDENTIALS


def configure(*, table_name: str, endpoint_url: str | None, region: str) -> Target:
    """Point every model and client at one table; returns the new target."""
    global _target
    _target = Target(table_name=table_name, endpoint_url=endpoint_url, region=region)
    if "bench.dynamo.models" in sys.modules:  # else the models apply it when imported
        point_models_at_target()
    _client.cache_clear()
    return _target


def point_models_at_target() -> None:
    """Point every PynamoDB model at the current target (and drop its cached connection)."""
    from bench.dynamo.models import ALL_MODELS

    access_key_id, secret_access_key = credentials_for(_target.endpoint_url)
    for model in ALL_MODELS:
        model.Meta.table_name = _target.table_name
        model.Meta.host = _target.endpoint_url
        model.Meta.region = _target.region
        model.Meta.aws_access_key_id = access_key_id
        model.Meta.aws_secret_access_key = secret_access_key
        model._connection = None  # PynamoDB caches it per table name only


def target() -> Target:
    return _target


def client() -> "DynamoDBClient":
    return _client(_target)


@cache
def _client(where: Target) -> "DynamoDBClient":
    import boto3
    from botocore.config import Config

    config = Config(
        connect_timeout=3,
        read_timeout=10,
        retries={"max_attempts": 3, "mode": "standard"},
        max_pool_connections=64,  # one connection per seed worker at most (seeding.MAX_WORKERS)
        # Requests are built by this project's own code and checked by its tests; validating
        # every parameter again costs a measurable share of a batch write.
        parameter_validation=False,
    )
    access_key_id, secret_access_key = credentials_for(where.endpoint_url)
    return boto3.client(
        "dynamodb",
        endpoint_url=where.endpoint_url,
        region_name=where.region,
        config=config,
        aws_access_key_id=access_key_id,
        aws_secret_access_key=secret_access_key,
    )


def describe_failure(exc: BaseException) -> str:
    """One sentence for an exception raised by boto3 or PynamoDB when talking to DynamoDB."""
    where = _target.describe()
    if isinstance(exc, EndpointConnectionError) or "Could not connect" in str(exc):
        return f"Could not reach DynamoDB ({where}): is it running?"
    if isinstance(exc, ClientError):
        error = exc.response.get("Error", {})
        return (
            f"DynamoDB refused the request on {where}: {error.get('Code')}: {error.get('Message')}"
        )
    return f"DynamoDB failed on {where}: {exc}"


def create_table(*, wait_seconds: float = 30.0) -> bool:
    """Create the table (keys, GSI1, on-demand) if it is missing; True when it was created."""
    ddb = client()
    try:
        ddb.create_table(
            TableName=_target.table_name,
            AttributeDefinitions=[
                {"AttributeName": name, "AttributeType": "S"}
                for name in ("PK", "SK", "GSI1PK", "GSI1SK")
            ],
            KeySchema=[
                {"AttributeName": "PK", "KeyType": "HASH"},
                {"AttributeName": "SK", "KeyType": "RANGE"},
            ],
            GlobalSecondaryIndexes=[
                {
                    "IndexName": keys.GSI1_NAME,
                    "KeySchema": [
                        {"AttributeName": "GSI1PK", "KeyType": "HASH"},
                        {"AttributeName": "GSI1SK", "KeyType": "RANGE"},
                    ],
                    "Projection": {"ProjectionType": "ALL"},
                }
            ],
            BillingMode="PAY_PER_REQUEST",
        )
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") == "ResourceInUseException":
            return False
        raise DynamoUnavailableError(describe_failure(exc)) from exc
    except BotoCoreError as exc:
        raise DynamoUnavailableError(describe_failure(exc)) from exc
    deadline = time.monotonic() + wait_seconds
    while ddb.describe_table(TableName=_target.table_name)["Table"]["TableStatus"] != "ACTIVE":
        if time.monotonic() > deadline:
            raise DynamoUnavailableError(
                f"Table {_target.table_name!r} did not become ACTIVE within {wait_seconds:.0f} s."
            )
        time.sleep(0.1)
    return True


def table_exists() -> bool:
    """Whether the table exists; DynamoUnavailableError when DynamoDB cannot be asked."""
    try:
        client().describe_table(TableName=_target.table_name)
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") == "ResourceNotFoundException":
            return False
        raise DynamoUnavailableError(describe_failure(exc)) from exc
    except BotoCoreError as exc:
        raise DynamoUnavailableError(describe_failure(exc)) from exc
    return True


def ensure_table() -> None:
    """Make sure the table exists: create it on a local endpoint, else say to deploy."""
    if table_exists():
        return
    if _target.is_local:
        create_table()
        return
    raise TableMissingError(
        f"Table {_target.table_name!r} does not exist in {_target.region}: deploy the stack "
        "first (cd infra && npx cdk deploy) or set BENCH_TABLE_NAME."
    )
