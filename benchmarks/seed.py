"""Issue 2: ``seed`` items/s against dynalite vs a plain single-threaded ``batch_writer()`` loop.

One dynalite process (started through ``bench.localdynamo``) serves every run; each run writes
``size`` random items to a fresh table. Ours is ``bench.seeding.seed`` (what ``manage.py seed``
times and reports); the baseline is the loop anyone would write first: boto3's resource API,
``Table.batch_writer()``, one thread, items built with the same key functions. For reference the
note also gives raw ``BatchWriteItem`` calls from 8 threads with every request prebuilt (the
ceiling this machine allows). The three runs go back to back in rounds of alternating order, and
the speed-up is the median of the per-round ratios; the first writes to a fresh dynalite are
slower, so a small untimed warm-up comes first.

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
from dataclasses import dataclass
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


@dataclass(frozen=True)
class Measurement:
    """items/s per round of each run, the rounds taken back to back."""

    size: int
    rates: dict[str, list[float]]

    def median_rate(self, name: str) -> float:
        return statistics.median(self.rates[name])

    def speedup(self, name: str = "ours", over: str = "plain") -> float:
        """Median over rounds of the ratio within each round.

        Ratios of runs a few seconds apart cancel most of the drift in the machine's load,
        which medians of each run taken apart do not.
        """
        return statistics.median(
            mine / theirs for mine, theirs in zip(self.rates[name], self.rates[over], strict=True)
        )


def measure(*, size: int, rounds: int, workers: int = seeding.DEFAULT_WORKERS) -> Measurement:
    """Ours, the plain loop and raw threads, ``rounds`` times each on one dynalite, alternating
    the order every round."""
    with (
        tempfile.TemporaryDirectory() as data,
        LocalDynamo(path=Path(data), fast_tables=True) as server,
    ):
        endpoint = server.endpoint_url
        ours(endpoint, min(WARMUP_ITEMS, size), workers)
        plain_loop(endpoint, min(WARMUP_ITEMS, size))
        runs: dict[str, Callable[[], float]] = {
            "ours": lambda: ours(endpoint, size, workers),
            "plain": lambda: plain_loop(endpoint, size),
            "raw": lambda: raw_threads(endpoint, size),
        }
        rates: dict[str, list[float]] = {name: [] for name in runs}
        for round_number in range(rounds):
            order = list(runs) if round_number % 2 == 0 else list(reversed(runs))
            for name in order:
                rates[name].append(size / runs[name]())
    return Measurement(size=size, rates=rates)


def default_rounds(size: int) -> int:
    return 5 if size <= 30_000 else 1


def describe(measurement: Measurement) -> str:
    return (
        f"{measurement.size:,} items, {len(measurement.rates['ours'])} round(s): seed "
        f"{measurement.median_rate('ours'):,.0f} items/s, plain loop "
        f"{measurement.median_rate('plain'):,.0f} items/s, speed-up "
        f"{measurement.speedup():.2f}x; raw BatchWriteItem from 8 threads "
        f"{measurement.median_rate('raw'):,.0f} items/s ({measurement.speedup('raw'):.2f}x)"
    )


def run(*, size: int) -> list[PerfResult]:
    measurement = measure(size=size, rounds=default_rounds(size))
    speedup = measurement.speedup()
    return [
        PerfResult(
            case="seed: items/s vs plain batch_writer loop (dynalite)",
            ours_ms=size / measurement.median_rate("ours") * 1000,
            baseline_ms=size / measurement.median_rate("plain") * 1000,
            target=f"<= {1 / TARGET:.2f}x (>= {TARGET}x items/s)",
            met=speedup >= TARGET,
            note=describe(measurement),
        )
    ]


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.seed", description=__doc__)
    parser.add_argument("--size", type=int, default=20_000, help="items per run")
    parser.add_argument("--rounds", type=int, default=None, help="rounds of the three runs")
    parser.add_argument(
        "--workers", type=int, default=seeding.DEFAULT_WORKERS, help="seed's worker threads"
    )
    args = parser.parse_args(argv)
    rounds = args.rounds or default_rounds(args.size)
    measurement = measure(size=args.size, rounds=rounds, workers=args.workers)
    print(f"{args.size:,} items per run, {rounds} round(s), seed with {args.workers} workers")
    for name, label in (
        ("ours", "seed (ours)"),
        ("plain", "plain batch_writer() loop"),
        ("raw", "raw BatchWriteItem, 8 threads"),
    ):
        per_round = ", ".join(f"{rate:,.0f}" for rate in measurement.rates[name])
        print(f"{label:<32}{measurement.median_rate(name):>9,.0f} items/s  (rounds: {per_round})")
    speedup = measurement.speedup()
    print(f"{'speed-up over the plain loop':<32}{speedup:>9.2f}x (target >= {TARGET}x)")
    print(f"{'raw threads over the plain loop':<32}{measurement.speedup('raw'):>9.2f}x")
    print("target met" if speedup >= TARGET else "target MISSED")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
