"""Issue 2: ``seed`` items/s against dynalite vs a plain single-threaded ``batch_writer()`` loop.

One dynalite process (started through ``bench.localdynamo``) serves every run; each run writes
``size`` random items to a fresh table. Ours is ``bench.seeding.seed`` (what ``manage.py seed``
times and reports); the baseline is the loop anyone would write first: boto3's resource API,
``Table.batch_writer()``, one thread, items built with the same key functions. For reference the
note also gives raw ``BatchWriteItem`` calls from 8 threads with every request prebuilt (the
ceiling this machine allows). Runs alternate order and the median of each is compared; the first
writes to a fresh dynalite are slower, so a small untimed warm-up comes first.

Target: ours >= 1.5x the plain loop's items/s. Run alone:
``python -m benchmarks.seed --size 20000``.
"""

import argparse
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from decimal import Decimal
from itertools import count
from pathlib import Path

import boto3
from ulid import ULID

from bench import seeding
from bench.dynamo import keys, table
from bench.localdynamo import LocalDynamo
from benchmarks.common import PerfResult

TARGET = 1.5
WARMUP_ITEMS = 2000
REGION = "us-east-1"

_table_numbers = count(1)


def fresh_table(endpoint_url: str) -> str:
    """Point ``bench.dynamo.table`` at a new, empty table on the server; returns its name."""
    name = f"perf-seed-{next(_table_numbers):03d}"
    table.configure(table_name=name, endpoint_url=endpoint_url, region=REGION)
    table.create_table()
    return name


def ours(endpoint_url: str, size: int, workers: int = seeding.DEFAULT_WORKERS) -> float:
    """Seconds ``bench.seeding.seed`` takes to write ``size`` items."""
    fresh_table(endpoint_url)
    return seeding.seed(count=size, workers=workers).seconds


def plain_loop(endpoint_url: str, size: int) -> float:
    """Seconds a single-threaded ``Table.batch_writer()`` loop takes to write ``size`` items."""
    name = fresh_table(endpoint_url)
    access_key_id, secret_access_key = table.credentials_for(endpoint_url)
    resource = boto3.resource(
        "dynamodb",
        endpoint_url=endpoint_url,
        region_name=REGION,
        aws_access_key_id=access_key_id,
        aws_secret_access_key=secret_access_key,
    )
    rng = random.Random()
    start = time.perf_counter()
    with resource.Table(name).batch_writer() as writer:
        for _ in range(size):
            created_at = datetime.now(UTC)
            item_id = str(ULID())
            created = keys.iso_utc(created_at)
            writer.put_item(
                Item={
                    "PK": keys.random_pk(created_at),
                    "SK": keys.random_sk(item_id),
                    "GSI1PK": keys.RANDOM_GSI1PK,
                    "GSI1SK": created,
                    "entity": "random",
                    "id": item_id,
                    "random_value": Decimal(repr(rng.random())),
                    "created_at": created,
                }
            )
    return time.perf_counter() - start


def raw_threads(endpoint_url: str, size: int, threads: int = 8) -> float:
    """Seconds raw ``BatchWriteItem`` calls from ``threads`` threads take, requests prebuilt."""
    name = fresh_table(endpoint_url)
    batches = list(seeding.RandomItemFactory().put_batches(size))
    client = table.client()
    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=threads) as pool:
        for response in pool.map(
            lambda batch: client.batch_write_item(RequestItems={name: batch}), batches
        ):
            assert not response.get("UnprocessedItems"), "dynalite never throttles"
    return time.perf_counter() - start


def median_seconds(runs: dict[str, Callable[[], float]], *, rounds: int) -> dict[str, float]:
    """Median seconds of each run over ``rounds`` rounds, alternating the order every round."""
    samples: dict[str, list[float]] = {name: [] for name in runs}
    order = list(runs)
    for round_number in range(rounds):
        for name in order if round_number % 2 == 0 else reversed(order):
            samples[name].append(runs[name]())
    return {name: statistics.median(values) for name, values in samples.items()}


def measure(*, size: int, rounds: int, workers: int = seeding.DEFAULT_WORKERS) -> dict[str, float]:
    """items/s of ours, the plain loop and raw threads, on one dynalite started for this."""
    with (
        tempfile.TemporaryDirectory() as data,
        LocalDynamo(path=Path(data), fast_tables=True) as server,
    ):
        endpoint = server.endpoint_url
        ours(endpoint, min(WARMUP_ITEMS, size), workers)
        plain_loop(endpoint, min(WARMUP_ITEMS, size))
        seconds = median_seconds(
            {
                "ours": lambda: ours(endpoint, size, workers),
                "plain": lambda: plain_loop(endpoint, size),
                "raw": lambda: raw_threads(endpoint, size),
            },
            rounds=rounds,
        )
    return {name: size / value for name, value in seconds.items()}


def default_rounds(size: int) -> int:
    return 3 if size <= 30_000 else 1


def run(*, size: int) -> list[PerfResult]:
    rate = measure(size=size, rounds=default_rounds(size))
    speedup = rate["ours"] / rate["plain"]
    return [
        PerfResult(
            case="seed: items/s vs plain batch_writer loop (dynalite)",
            ours_ms=size / rate["ours"] * 1000,
            baseline_ms=size / rate["plain"] * 1000,
            target=f"<= {1 / TARGET:.2f}x (>= {TARGET}x items/s)",
            met=speedup >= TARGET,
            note=(
                f"{size:,} items: seed {rate['ours']:,.0f} items/s, plain loop "
                f"{rate['plain']:,.0f} items/s, speed-up {speedup:.2f}x; raw BatchWriteItem "
                f"from 8 threads {rate['raw']:,.0f} items/s ({rate['raw'] / rate['plain']:.2f}x)"
            ),
        )
    ]


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.seed", description=__doc__)
    parser.add_argument("--size", type=int, default=20_000, help="items per run")
    parser.add_argument("--rounds", type=int, default=None, help="runs of each (median)")
    parser.add_argument(
        "--workers", type=int, default=seeding.DEFAULT_WORKERS, help="seed's worker threads"
    )
    args = parser.parse_args(argv)
    rounds = args.rounds or default_rounds(args.size)
    rate = measure(size=args.size, rounds=rounds, workers=args.workers)
    speedup = rate["ours"] / rate["plain"]
    print(f"{args.size:,} items per run, median of {rounds} round(s), {args.workers} workers")
    print(f"seed (ours)                       {rate['ours']:>9,.0f} items/s")
    print(f"plain batch_writer() loop         {rate['plain']:>9,.0f} items/s")
    print(f"raw BatchWriteItem, 8 threads     {rate['raw']:>9,.0f} items/s")
    print(f"speed-up over the plain loop      {speedup:>9.2f}x (target >= {TARGET}x)")
    print(f"raw threads over the plain loop   {rate['raw'] / rate['plain']:>9.2f}x")
    print("target met" if speedup >= TARGET else "target MISSED")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
