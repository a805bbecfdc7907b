"""The whole experiment on this machine, for ``runbenchmark --local``.

``local_environment`` stands everything up in order and stops what it started in reverse order,
also on an error or Ctrl-C (an ``ExitStack``): the local DynamoDB (dynalite on a free loopback
port, data in a temporary directory under ``var/``) unless ``DYNAMODB_ENDPOINT_URL`` points at
one already, the table, the seed items, the snapshot in the local "EFS" directory, and the app
behind the Lambda handler on a free loopback port (``bench.functionurl``).
"""

import contextlib
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from botocore.exceptions import BotoCoreError, ClientError
from django.conf import settings

from bench.dynamo import keys, table
from bench.functionurl import FunctionUrlServer, Handler
from bench.localdynamo import LocalDynamo
from bench.snapshot import BuildReport, build_snapshot

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.type_defs import QueryInputTypeDef


@dataclass(frozen=True)
class LocalEnvironment:
    url: str  # the local Function URL (base, trailing slash)
    dynamodb_url: str
    started_dynamodb: bool  # False when DYNAMODB_ENDPOINT_URL pointed at a running one
    efs_dir: Path
    tmp_dir: Path
    items: int  # random items in the table after seeding
    seeded: int  # of which written by this run
    build: BuildReport

    def where(self) -> str:
        dynamodb = (
            "dynalite started for this run"
            if self.started_dynamodb
            else f"DYNAMODB_ENDPOINT_URL {self.dynamodb_url}"
        )
        return f"{self.url} through the Lambda handler; DynamoDB: {dynamodb}"

    def notes(self) -> tuple[str, ...]:
        return (
            f'"EFS" was the local directory {display_path(self.efs_dir)} and /tmp was '
            f"{display_path(self.tmp_dir)}, on this machine's disk.",
            f"Snapshot {self.build.snapshot.version}: {self.build.snapshot.rows} rows, built in "
            f"{self.build.snapshot.build_ms:.0f} ms ({self.seeded} items seeded by this run).",
        )


def display_path(path: Path) -> str:
    """``path`` relative to the project when inside it (reports carry no machine paths)."""
    try:
        return str(path.resolve().relative_to(Path(settings.BASE_DIR).resolve()))
    except ValueError:
        return str(path)


def count_random_items() -> int:
    """Random items in the configured table (a paginated COUNT query on GSI1)."""
    client = table.client()
    request: QueryInputTypeDef = {
        "TableName": table.target().table_name,
        "IndexName": keys.GSI1_NAME,
        "KeyConditionExpression": "GSI1PK = :pk",
        "ExpressionAttributeValues": {":pk": {"S": keys.RANDOM_GSI1PK}},
        "Select": "COUNT",
    }
    total = 0
    while True:
        try:
            page = client.query(**request)
        except (BotoCoreError, ClientError) as exc:
            raise table.DynamoUnavailableError(table.describe_failure(exc)) from exc
        total += page.get("Count", 0)
        last = page.get("LastEvaluatedKey")
        if not last:
            return total
        request["ExclusiveStartKey"] = last


@contextlib.contextmanager
def pointed_at(endpoint_url: str) -> Iterator[table.Target]:
    """Every model and client pointed at ``endpoint_url`` for the block, then back."""
    previous = table.target()
    try:
        yield table.configure(
            table_name=settings.BENCH_TABLE_NAME, endpoint_url=endpoint_url, region=previous.region
        )
    finally:
        table.configure(
            table_name=previous.table_name,
            endpoint_url=previous.endpoint_url,
            region=previous.region,
        )


@contextlib.contextmanager
def local_environment(
    *,
    count: int,
    handler: Handler,
    say: Callable[[str], None] = lambda line: None,
    seed: Callable[[int], int],
    var_dir: Path | None = None,
) -> Iterator[LocalEnvironment]:
    """Everything ``--local`` needs, running for the ``with`` block; always stopped after.

    ``seed(n)`` writes ``n`` new random items and returns how many it wrote (the command passes
    ``bench.seeding.seed``, with the seed command's progress bar on a terminal).
    """
    var = Path(var_dir or Path(settings.BASE_DIR) / "var")
    efs_dir = Path(settings.BENCH_EFS_DIR)
    tmp_dir = Path(settings.BENCH_TMP_DIR)
    with contextlib.ExitStack() as stack:
        endpoint = settings.DYNAMODB_ENDPOINT_URL
        started = endpoint is None
        if endpoint is None:
            var.mkdir(parents=True, exist_ok=True)
            data_dir = stack.enter_context(
                tempfile.TemporaryDirectory(prefix="runbenchmark-dynamodb-", dir=var)
            )
            say("Starting the local DynamoDB (dynalite)...")
            endpoint = stack.enter_context(LocalDynamo(port=0, path=Path(data_dir))).endpoint_url
        stack.enter_context(pointed_at(endpoint))
        table.ensure_table()
        existing = count_random_items()
        seeded = 0
        if existing < count:
            say(f"Seeding {count - existing} items (the table holds {existing})...")
            seeded = seed(count - existing)
        say("Building the snapshot...")
        efs_dir.mkdir(parents=True, exist_ok=True)
        tmp_dir.mkdir(parents=True, exist_ok=True)
        build = build_snapshot(efs_dir=efs_dir)
        server = stack.enter_context(FunctionUrlServer(handler, port=0).running())
        say(f"Serving the app through the Lambda handler at {server.url}")
        yield LocalEnvironment(
            url=server.url,
            dynamodb_url=endpoint,
            started_dynamodb=started,
            efs_dir=efs_dir,
            tmp_dir=tmp_dir,
            items=existing + seeded,
            seeded=seeded,
            build=build,
        )
