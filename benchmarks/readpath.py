"""Issue 7 cases 2, 3, 4, 5 and 7: the read path against raw baselines, on one data set.

One dynalite process (``bench.localdynamo``) holds ``size`` random items written by
``bench.seeding``; the snapshot is built from them by ``bench.snapshot`` into a temporary EFS
directory. Every case runs ours and its baseline alternately, round after round, on the same data,
and compares medians, so drift in the machine's load hits both alike.

2. snapshot write: ``bench.snapshotfile.publish`` (sort, fingerprint, write, fsync, atomic replace)
   vs raw ``sqlite3`` ``executemany`` of the same rows in one transaction into the same schema.
3. ORM read of every row: the ``sqlite-efs`` strategy's own ``read`` time for ``query=all``
   (open, snapshot version, ``values_list`` through the ``efs`` alias) vs raw ``sqlite3``
   connect + ``fetchall`` of the same columns.
4. copy: the ``sqlite-tmp`` strategy's own ``copy`` time (close, delete, copy) vs deleting the
   previous copy and ``shutil.copyfile`` of the same file.
5. framework overhead: wall time of ``lambda_handler`` for a Function URL event minus the
   strategy's own ``total`` from the response; p50 (absolute target).
7. ``/ddb`` read of every item through ``lambda_handler`` vs a raw boto3 client paginated GSI1
   query of the same items on the same server.

Also measured (for the snapshot build's choice, not a target): a paginated GSI1 query vs a
parallel Scan with a filter, reading every random item.

Run alone: ``python -m benchmarks.readpath --size 100000``.
"""

import argparse
import os
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from benchmarks.common import PerfResult, ratio_result

REGION = "us-east-1"
LAMBDA_HOST = f"abcdefghij.lambda-url.{REGION}.on.aws"
OVERHEAD_TARGET_MS = 1.0
OVERHEAD_REQUESTS = 300


def _ms(start_ns: int) -> float:
    return (time.perf_counter_ns() - start_ns) / 1e6


def timed(fn: Callable[[], object]) -> Callable[[], float]:
    """A callable returning the wall ms of ``fn``."""

    def run() -> float:
        start = time.perf_counter_ns()
        fn()
        return _ms(start)

    return run


def paired(
    ours: Callable[[], float], baseline: Callable[[], float], *, rounds: int, warmup: int = 1
) -> tuple[float, float]:
    """Medians of ``rounds`` alternating runs (order swapped each round) after a warm-up."""
    for _ in range(warmup):
        ours()
        baseline()
    ours_ms: list[float] = []
    base_ms: list[float] = []
    for round_number in range(rounds):
        if round_number % 2:
            base_ms.append(baseline())
            ours_ms.append(ours())
        else:
            ours_ms.append(ours())
            base_ms.append(baseline())
    return statistics.median(ours_ms), statistics.median(base_ms)


def setup_django(efs_dir: Path, tmp_dir: Path) -> None:
    """Django set up (if not yet) with the snapshot aliases pointed at the given directories."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "benchsite.settings")
    import django
    from django.conf import settings
    from django.db import connections

    from benchsite.settings import sqlite_databases

    django.setup()
    settings.BENCH_EFS_DIR = efs_dir
    settings.BENCH_TMP_DIR = tmp_dir
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, f".lambda-url.{REGION}.on.aws"]
    configured = connections.configure_settings(sqlite_databases(efs_dir, tmp_dir))
    opened = {connection.alias for connection in connections.all(initialized_only=True)}
    for alias in ("efs", "efs_immutable", "tmp", "tmp_cached"):
        if alias in opened:
            connections[alias].close()
            del connections[alias]
        connections.settings[alias] = configured[alias]


def invoke(target: str) -> dict[str, Any]:
    """One request through the real Lambda handler, as a Function URL event."""
    from bench.functionurl import IncomingRequest, build_event
    from benchsite.wsgi import lambda_handler

    event = build_event(
        IncomingRequest(method="GET", target=target, headers=[("Host", LAMBDA_HOST)]),
        server_port=443,
    )
    response: dict[str, Any] = lambda_handler(event, None)
    if response["statusCode"] != 200:
        raise RuntimeError(f"{target} answered {response['statusCode']}: {response['body']}")
    return response


# --- the cases ---


def case_snapshot_write(rows: list[Any], work: Path, *, rounds: int) -> PerfResult:
    from bench.dynamo.models import utc_now
    from bench.snapshotfile import CREATE_INDEX, CREATE_TABLE, INSERT_ROW, publish

    ours_dir = work / "write-ours"
    base_file = work / "write-base" / "data.db"
    base_file.parent.mkdir()

    def ours() -> float:
        copy = list(rows)
        start = time.perf_counter_ns()
        publish(copy, directory=ours_dir, version="01J0000000000000000000PERF", built_at=utc_now())
        return _ms(start)

    def baseline() -> float:
        base_file.unlink(missing_ok=True)
        start = time.perf_counter_ns()
        connection = sqlite3.connect(base_file)
        connection.execute(CREATE_TABLE)
        connection.execute(CREATE_INDEX)
        connection.executemany(INSERT_ROW, rows)
        connection.commit()
        connection.close()
        return _ms(start)

    ours_ms, base_ms = paired(ours, baseline, rounds=rounds)
    return ratio_result(
        "snapshot write vs sqlite3 executemany (one transaction)",
        ours_ms=ours_ms,
        baseline_ms=base_ms,
        at_most=1.5,
        note=f"{len(rows):,} rows; ours = sort + fingerprint + write + fsync + os.replace",
    )


def case_orm_read(efs_file: Path, *, rounds: int) -> PerfResult:
    from bench import strategies
    from bench.strategies.base import ReadRequest

    strategy = strategies.get("sqlite-efs")
    uri = f"file:{efs_file}?mode=ro"

    def ours() -> float:
        return strategy.read(ReadRequest(query="all")).timings.read_ms

    def baseline() -> float:
        start = time.perf_counter_ns()
        connection = sqlite3.connect(uri, uri=True)
        connection.execute("SELECT id, random_value, created_at FROM randoms").fetchall()
        connection.close()
        return _ms(start)

    ours_ms, base_ms = paired(ours, baseline, rounds=rounds)
    return ratio_result(
        "ORM read of every row (efs alias) vs sqlite3 fetchall",
        ours_ms=ours_ms,
        baseline_ms=base_ms,
        at_most=1.3,
        note="ours = the sqlite-efs strategy's read_ms (open + version + values_list)",
    )


def case_copy(efs_file: Path, work: Path, *, rounds: int) -> PerfResult:
    from bench import strategies
    from bench.strategies.base import ReadRequest

    strategy = strategies.get("sqlite-tmp")
    target = work / "copy-base" / "data.db"
    target.parent.mkdir()

    def ours() -> float:
        copy_ms = strategy.read(ReadRequest(query="point")).timings.copy_ms
        assert copy_ms is not None
        return copy_ms

    def baseline() -> float:
        # Like for like: the previous copy is deleted, then the file copied to the fresh path.
        start = time.perf_counter_ns()
        target.unlink(missing_ok=True)
        shutil.copyfile(efs_file, target)
        return _ms(start)

    ours_ms, base_ms = paired(ours, baseline, rounds=rounds)
    return ratio_result(
        "sqlite-tmp copy vs shutil.copyfile",
        ours_ms=ours_ms,
        baseline_ms=base_ms,
        at_most=1.2,
        note=f"{efs_file.stat().st_size / 1e6:.1f} MB; both delete the previous copy first",
    )


def case_overhead(*, requests: int) -> PerfResult:
    import json

    targets = [
        "/sqlite-efs-immutable?query=latest",
        "/sqlite-tmp-cached?query=point",
        "/sqlite-efs?query=aggregate",
    ]
    overheads: list[float] = []
    for _ in range(20):  # warm-up: imports, first connections, caches
        for target in targets:
            invoke(target)
    for _ in range(requests // len(targets)):
        for target in targets:
            start = time.perf_counter_ns()
            response = invoke(target)
            wall = _ms(start)
            overheads.append(wall - json.loads(response["body"])["timings_ms"]["total"])
    p50 = statistics.median(overheads)
    return PerfResult(
        case="framework overhead (lambda_handler minus strategy total), p50",
        ours_ms=p50,
        baseline_ms=None,
        target=f"<= {OVERHEAD_TARGET_MS:g} ms",
        met=p50 <= OVERHEAD_TARGET_MS,
        note=f"{len(overheads)} requests over {', '.join(targets)}; "
        f"p90 {statistics.quantiles(overheads, n=10)[-1]:.3f} ms",
    )


def raw_gsi_query(endpoint_url: str, table_name: str) -> Callable[[], list[Any]]:
    """What anyone would write: a boto3 client, its paginator, every item of GSI1 RANDOM."""
    import boto3

    from bench.dynamo import keys, table

    access_key_id, secret_access_key = table.credentials_for(endpoint_url)
    client = boto3.client(
        "dynamodb",
        endpoint_url=endpoint_url,
        region_name=REGION,
        aws_access_key_id=access_key_id,
        aws_secret_access_key=secret_access_key,
    )

    def query() -> list[Any]:
        items: list[Any] = []
        for page in client.get_paginator("query").paginate(
            TableName=table_name,
            IndexName=keys.GSI1_NAME,
            KeyConditionExpression="GSI1PK = :pk",
            ExpressionAttributeValues={":pk": {"S": keys.RANDOM_GSI1PK}},
        ):
            items.extend(page["Items"])
        return items

    return query


def case_ddb_read(endpoint_url: str, table_name: str, size: int, *, rounds: int) -> PerfResult:
    import json

    raw = raw_gsi_query(endpoint_url, table_name)

    def ours() -> float:
        start = time.perf_counter_ns()
        body = json.loads(invoke("/ddb?query=all")["body"])
        elapsed = _ms(start)
        assert body["rows"] == size, body["rows"]
        return elapsed

    def baseline() -> float:
        start = time.perf_counter_ns()
        items = raw()
        elapsed = _ms(start)
        assert len(items) == size, len(items)
        return elapsed

    ours_ms, base_ms = paired(ours, baseline, rounds=rounds)
    return ratio_result(
        "/ddb read of every item vs raw boto3 paginated GSI query",
        ours_ms=ours_ms,
        baseline_ms=base_ms,
        at_most=1.2,
        note="ours = the whole request through lambda_handler (dynalite)",
    )


def case_snapshot_source(*, rounds: int) -> PerfResult:
    """Not a target of the issue: shows the snapshot build reads by the faster way."""
    from bench.dynamo.randoms import query_rows, scan_rows

    ours_ms, base_ms = paired(
        timed(query_rows), timed(lambda: scan_rows(segments=4)), rounds=rounds
    )
    return PerfResult(
        case="snapshot source: paginated GSI1 query vs 4-segment parallel Scan",
        ours_ms=ours_ms,
        baseline_ms=base_ms,
        target="<= 1.0x (the build uses the faster)",
        met=ours_ms <= base_ms,
        note="every random item with the projection the build uses",
    )


def run(*, size: int) -> list[PerfResult]:
    from bench.localdynamo import LocalDynamo

    rounds = 7 if size <= 20_000 else 5
    with (
        tempfile.TemporaryDirectory(prefix="perf-readpath-") as temp,
        LocalDynamo(port=0, path=Path(temp) / "dynalite", fast_tables=True) as server,
    ):
        work = Path(temp)
        efs_dir, tmp_dir = work / "efs", work / "tmp"
        efs_dir.mkdir()
        tmp_dir.mkdir()
        setup_django(efs_dir, tmp_dir)

        from bench import seeding
        from bench.dynamo import table
        from bench.snapshot import build_snapshot, read_random_items

        previous = table.target()
        table_name = "perf-readpath"
        table.configure(table_name=table_name, endpoint_url=server.endpoint_url, region=REGION)
        try:
            table.create_table()
            seeding.seed(count=size)
            build_snapshot()
            efs_file = efs_dir / "data.db"
            rows = read_random_items()
            results = [
                case_snapshot_write(rows, work, rounds=rounds),
                case_orm_read(efs_file, rounds=rounds * 2),
                case_copy(efs_file, work, rounds=rounds * 2),
                case_overhead(requests=OVERHEAD_REQUESTS),
                case_ddb_read(server.endpoint_url, table_name, size, rounds=rounds),
                case_snapshot_source(rounds=3),
            ]
        finally:
            table.configure(
                table_name=previous.table_name,
                endpoint_url=previous.endpoint_url,
                region=previous.region,
            )
    return results


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.readpath", description=__doc__)
    parser.add_argument("--size", type=int, default=100_000, help="random items (default 100k)")
    args = parser.parse_args(argv)
    if args.size < 100:
        parser.error(f"--size {args.size} is too small: use at least 100.")
    for result in run(size=args.size):
        ratio = "" if result.ratio is None else f" ({result.ratio:.2f}x)"
        baseline = "" if result.baseline_ms is None else f" vs {result.baseline_ms:,.2f} ms"
        print(
            f"{result.case}: {result.ours_ms:,.2f} ms{baseline}{ratio}, target {result.target}: "
            f"{'met' if result.met else 'MISSED'}"
        )
        if result.note:
            print(f"  {result.note}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
