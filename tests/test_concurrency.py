"""Snapshots under concurrency, with real processes against a real local DynamoDB (dynalite).

Each child process is a fresh interpreter (``spawn``) configured like a Lambda container: the
same EFS directory and table, a /tmp directory of its own.
"""

import multiprocessing
import time
from collections.abc import Iterator
from multiprocessing.context import SpawnContext, SpawnProcess
from pathlib import Path
from queue import Empty
from typing import Any

import pytest
from pytest_django.fixtures import Settings as SettingsWrapper

from bench.dynamo import keys, table
from bench.errors import SnapshotBuildRunningError
from tests.concurrency_workers import (
    SQLITE_STRATEGIES,
    Env,
    build_loop,
    hold_lock_and_hang,
    read_loop,
    slow_build,
)
from tests.conftest import SnapshotDirs
from tests.events import ALLOWED_HOST, FakeLambdaContext, make_function_url_event, response_json

pytestmark = [pytest.mark.integration, pytest.mark.slow]

READERS = 2
BUILDS = 12
JOIN_SECONDS = 120.0


# --- the parent side ---


@pytest.fixture
def spawn() -> Iterator[SpawnContext]:
    """The spawn context; every process started through ``started`` is stopped at the end."""
    context = multiprocessing.get_context("spawn")
    yield context
    for process in STARTED:
        if process.is_alive():
            process.kill()
        process.join(10)
    STARTED.clear()


STARTED: list[SpawnProcess] = []


def start(context: SpawnContext, target: Any, *args: Any) -> SpawnProcess:  # noqa: ANN401
    process = context.Process(target=target, args=args, daemon=True)
    process.start()
    STARTED.append(process)
    return process


def container_env(dirs: SnapshotDirs, tmp_dir: Path) -> Env:
    where = table.target()
    assert where.endpoint_url is not None
    return {
        "BENCH_EFS_DIR": str(dirs.efs_dir),
        "BENCH_TMP_DIR": str(tmp_dir),
        "BENCH_TABLE_NAME": where.table_name,
        "DYNAMODB_ENDPOINT_URL": where.endpoint_url,
        "AWS_REGION": where.region,
    }


def get(queue: Any, what: str) -> Any:  # noqa: ANN401
    """The next result a child sent; fails at once when a child died instead."""
    deadline = time.monotonic() + JOIN_SECONDS
    while time.monotonic() < deadline:
        try:
            return queue.get(timeout=0.2)
        except Empty:
            check_children()
    pytest.fail(f"no result from the {what} process within {JOIN_SECONDS:.0f} s")


def check_children() -> None:
    dead = [p for p in STARTED if p.exitcode not in (None, 0) and p.exitcode != -9]
    if dead:
        pytest.fail(f"a child process failed: exit codes {[p.exitcode for p in dead]}")


def lock_item() -> dict[str, Any] | None:
    response = table.client().get_item(
        TableName=table.target().table_name,
        Key={"PK": {"S": keys.LOCK_PK}, "SK": {"S": keys.SNAPSHOT_LOCK_SK}},
        ConsistentRead=True,
    )
    item: dict[str, Any] | None = response.get("Item")
    return item


def wait_for(condition: Any, what: str) -> None:  # noqa: ANN401
    deadline = time.monotonic() + JOIN_SECONDS
    while not condition():
        check_children()
        if time.monotonic() > deadline:
            pytest.fail(f"gave up waiting for {what}")
        time.sleep(0.05)


def test_readers_never_fail_or_mix_snapshots_while_one_process_rebuilds(
    local_ddb: table.Target, snapshot_dirs: SnapshotDirs, spawn: SpawnContext, tmp_path: Path
) -> None:
    from bench.seeding import seed
    from bench.snapshot import build_snapshot

    seed(count=150)
    first = build_snapshot().snapshot
    ready = [spawn.Event() for _ in range(READERS)]
    stop, go = spawn.Event(), spawn.Event()
    reader_results, builder_results = spawn.Queue(), spawn.Queue()
    readers = [
        start(
            spawn,
            read_loop,
            container_env(snapshot_dirs, tmp_path / f"reader-{n}"),
            ready[n],
            stop,
            reader_results,
        )
        for n in range(READERS)
    ]
    start(
        spawn,
        build_loop,
        container_env(snapshot_dirs, tmp_path / "builder"),
        go,
        BUILDS,
        builder_results,
    )
    wait_for(lambda: all(event.is_set() for event in ready), "the readers to start")

    go.set()
    built = get(builder_results, "builder")
    stop.set()
    reads = [read for _ in readers for read in get(reader_results, "reader")]

    snapshots = {version: (rows, digest) for version, rows, digest in built}
    snapshots[first.version] = (first.rows, first.fingerprint)
    failures = [read for read in reads if len(read) == 2]
    mixed = [read for read in reads if len(read) == 4 and snapshots.get(read[1]) != read[2:]]
    assert (failures, mixed) == ([], [])
    assert [rows for _, rows, _ in built] == [150 + 3 * n for n in range(1, BUILDS + 1)]
    seen = {read[1] for read in reads}
    assert len(seen) >= 3, "the reads did not overlap the rebuilds"
    assert {read[0] for read in reads} == set(SQLITE_STRATEGIES)


def test_a_second_insert_during_a_build_gets_409_and_the_next_one_succeeds(
    local_ddb: table.Target,
    snapshot_dirs: SnapshotDirs,
    spawn: SpawnContext,
    tmp_path: Path,
    settings: SettingsWrapper,
) -> None:
    settings.ALLOWED_HOSTS = [ALLOWED_HOST]
    results = spawn.Queue()
    start(spawn, slow_build, container_env(snapshot_dirs, tmp_path / "other"), results)
    wait_for(lambda: lock_item() is not None, "the other container to take the build lock")

    during = lambda_handler_call({"count": 5})
    first_rows = get(results, "slow build")
    after = lambda_handler_call({"count": 5})

    assert (during["statusCode"], response_json(during)) == (
        409,
        {
            "error": "snapshot_build_running",
            "detail": "A snapshot build is already running; retry when it has finished.",
        },
    )
    assert (first_rows, after["statusCode"], response_json(after)["snapshot"]["rows"]) == (
        2,
        200,
        7,
    )


def lambda_handler_call(body: dict[str, Any]) -> dict[str, Any]:
    from benchsite.wsgi import lambda_handler

    event = make_function_url_event(method="POST", path="/insert", body=body)
    response: dict[str, Any] = lambda_handler(event, FakeLambdaContext())
    return response


def test_the_lock_of_a_container_that_died_frees_itself_after_its_expiry(
    local_ddb: table.Target, snapshot_dirs: SnapshotDirs, spawn: SpawnContext, tmp_path: Path
) -> None:
    from bench.snapshot import build_snapshot

    locked = spawn.Event()
    holder = start(
        spawn, hold_lock_and_hang, container_env(snapshot_dirs, tmp_path / "dies"), 2.0, locked
    )
    wait_for(locked.is_set, "the other container to take the build lock")
    holder.kill()
    holder.join(10)
    item = lock_item()
    assert item is not None
    expires_at = float(item["expires_at"]["N"])

    with pytest.raises(SnapshotBuildRunningError):
        build_snapshot()
    wait_for(lambda: time.time() > expires_at, "the lock to expire")
    report = build_snapshot()

    assert (holder.exitcode, report.snapshot.rows, lock_item()) == (-9, 0, None)
