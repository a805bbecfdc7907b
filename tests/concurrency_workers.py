"""What the child processes of ``tests/test_concurrency.py`` run.

A separate module that imports nothing of the project at import time: a spawned child imports
the module of its target first, and the settings must only be read after ``boot`` has set the
child's environment (its own /tmp directory, the table on the local DynamoDB).
"""

import os
import time
from multiprocessing.synchronize import Event
from typing import Any

SQLITE_STRATEGIES = ("sqlite-efs", "sqlite-tmp", "sqlite-tmp-cached", "sqlite-efs-immutable")
WAIT_SECONDS = 120.0

Env = dict[str, str]


def boot(env: Env) -> None:
    """Configure this fresh interpreter like a container of the function."""
    os.environ.update(env)
    os.environ["DJANGO_SETTINGS_MODULE"] = "benchsite.settings"
    import django

    django.setup()


def read_loop(env: Env, ready: Event, stop: Event, results: Any) -> None:  # noqa: ANN401
    """Read every row through every SQLite strategy, round and round, until told to stop."""
    boot(env)
    from bench import strategies
    from bench.strategies.base import ReadRequest

    reads: list[tuple[str, str | None, int, str] | tuple[str, str]] = []
    ready.set()
    while not stop.is_set():
        for name in SQLITE_STRATEGIES:
            try:
                result = strategies.get(name).read(ReadRequest(query="all"))
            except Exception as exc:  # every failure is a finding: report it, keep reading
                reads.append((name, f"{type(exc).__name__}: {exc}"))
            else:
                reads.append((name, result.snapshot, result.rows, result.fingerprint))
    results.put(reads)


def build_loop(env: Env, start: Event, builds: int, results: Any) -> None:  # noqa: ANN401
    """Insert a few items and rebuild, ``builds`` times; reports every snapshot built."""
    boot(env)
    from bench.snapshot import insert_and_build

    start.wait(WAIT_SECONDS)
    built = []
    for _ in range(builds):
        report = insert_and_build(count=3)
        built.append(
            (
                report.build.snapshot.version,
                report.build.snapshot.rows,
                report.build.snapshot.fingerprint,
            )
        )
    results.put(built)


def slow_build(env: Env, results: Any) -> None:  # noqa: ANN401
    """One POST /insert whose DynamoDB read takes a few seconds (a build in progress)."""
    boot(env)
    from bench import snapshot

    read = snapshot.read_random_items

    def slow_read() -> list[Any]:
        time.sleep(3)
        return read()

    snapshot.read_random_items = slow_read
    report = snapshot.insert_and_build(count=2)
    results.put(report.build.snapshot.rows)


def hold_lock_and_hang(env: Env, seconds: float, locked: Event) -> None:
    """Take the build lock with a short expiry, then hang until killed (a dead container)."""
    boot(env)
    from bench.snapshot import acquire_build_lock

    acquire_build_lock("a-container-that-dies", seconds=seconds)
    locked.set()
    time.sleep(WAIT_SECONDS)
