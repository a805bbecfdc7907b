"""``runbenchmark --local`` end to end: dynalite, seed, snapshot, the Lambda handler, the report.

The integration tests run a real dynalite and the app through the local Function URL.
"""

import csv
import os
import re
import socket
import uuid
from collections.abc import Iterator
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError
from django.conf import settings as django_settings
from django.core.management import call_command
from django.core.management.base import CommandError

from bench import coldstart
from bench.client import local
from bench.dynamo import table
from bench.functionurl import FunctionUrlServer
from bench.localdynamo import LocalDynamo
from bench.management.commands.runbenchmark import Command
from bench.management.commands.runlambda import load_handler
from bench.stats import summarize
from bench.strategies import STRATEGY_NAMES
from tests.conftest import SnapshotDirs

STAT_COLUMNS = ("n", "errors", "mean", "min", "p50", "p90", "p95", "p99", "max", "std")


@pytest.fixture
def fresh_table(settings: Any) -> Iterator[str]:
    """A table name of its own; the models are pointed back where they were afterwards."""
    previous = table.target()
    settings.BENCH_TABLE_NAME = f"bench-local-{uuid.uuid4().hex[:12]}"
    yield settings.BENCH_TABLE_NAME
    table.configure(
        table_name=previous.table_name,
        endpoint_url=previous.endpoint_url,
        region=previous.region,
    )


def run(*args: str) -> str:
    stdout = StringIO()
    call_command("runbenchmark", "--local", *args, stdout=stdout, stderr=StringIO())
    return stdout.getvalue()


def markdown_statistics(markdown: str) -> dict[str, dict[str, str]]:
    """The statistics table of the report: strategy -> column -> the cell as shown."""
    section = markdown.split("## Statistics", 1)[1].split("\n## ", 1)[0]
    table_rows: dict[str, dict[str, str]] = {}
    for line in section.splitlines():
        match = re.match(r"^\| `([^`]+)` \|(.*)\|$", line)
        if match:
            cells = [cell.strip() for cell in match[2].split("|")]
            table_rows[match[1]] = dict(zip(STAT_COLUMNS, cells, strict=True))
    return table_rows


def csv_statistics(path: Path) -> dict[str, dict[str, str]]:
    """The same statistics recomputed from the CSV (warm requests, client time, 2xx only),
    written as the report writes them."""
    with path.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    result: dict[str, dict[str, str]] = {}
    for endpoint in dict.fromkeys(row["endpoint"] for row in rows):
        warm = [r for r in rows if r["endpoint"] == endpoint and r["cold_start"] == "false"]
        ok = [float(r["client_ms"]) for r in warm if r["status"].startswith("2")]
        summary = summarize(ok, errors=len(warm) - len(ok))
        result[endpoint] = {"n": str(summary.n), "errors": str(summary.errors)} | {
            name: "n/a" if (value := getattr(summary, name)) is None else f"{value:.2f}"
            for name in STAT_COLUMNS[2:]
        }
    return result


@pytest.mark.integration
def test_local_run_writes_a_report_whose_markdown_agrees_with_its_csv(
    dynalite_endpoint: str,
    settings: Any,
    fresh_table: str,
    snapshot_dirs: SnapshotDirs,
    tmp_path: Path,
) -> None:
    settings.DYNAMODB_ENDPOINT_URL = dynalite_endpoint
    out_dir = tmp_path / "reports"

    output = run("--count", "40", "--iterations", "4", "--output-dir", str(out_dir))

    files = {path.suffix: path for path in out_dir.iterdir()}
    assert sorted(files) == [".csv", ".md", ".png"]
    assert files[".png"].read_bytes().startswith(b"\x89PNG")
    markdown = files[".md"].read_text()
    from_markdown = markdown_statistics(markdown)
    from_csv = csv_statistics(files[".csv"])
    assert list(from_markdown) == list(STRATEGY_NAMES)
    assert {(figures["n"], figures["errors"]) for figures in from_markdown.values()} == {("4", "0")}
    # The CSV holds every time exactly: the recomputed figures are the report's, digit for digit.
    assert from_csv == from_markdown
    with files[".csv"].open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert {r["rows"] for r in rows} == {"40"}
    assert len({r["fingerprint"] for r in rows}) == 1
    assert "| Data | 40 rows |" in markdown
    assert '"EFS" was the local directory' in markdown
    names = ", ".join(f"`{name}`" for name in STRATEGY_NAMES)
    assert f"All strategies ({names}) returned the same rows and fingerprint" in markdown
    assert "Seeding 40 items (the table holds 0)..." in output
    assert "Starting the local DynamoDB" not in output  # DYNAMODB_ENDPOINT_URL was set
    assert re.search(r"^Verdict: .* \(20 timed requests, 0 failed\)$", output, re.MULTILINE)


@pytest.mark.integration
def test_local_point_run_reports_the_cold_start_of_its_fresh_server(
    dynalite_endpoint: str,
    settings: Any,
    fresh_table: str,
    snapshot_dirs: SnapshotDirs,
    tmp_path: Path,
) -> None:
    settings.DYNAMODB_ENDPOINT_URL = dynalite_endpoint
    coldstart.reset()  # the server runs in this process, which other tests have served from

    run(
        "--count", "20", "--iterations", "2", "--query", "point", "--endpoints",
        "ddb,sqlite-efs", "--output-dir", str(tmp_path),
    )  # fmt: skip

    with next(tmp_path.glob("*.csv")).open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [(r["endpoint"], r["query"], r["iteration"], r["cold_start"]) for r in rows][:2] == [
        ("ddb", "latest", "-1", "true"),
        ("ddb", "point", "0", "false"),
    ]
    assert [r["cold_start"] for r in rows].count("true") == 1
    markdown = next(tmp_path.glob("*.md")).read_text()
    assert "No cold-start requests were recorded" not in markdown


@pytest.mark.integration
def test_a_url_run_against_the_app_keeps_its_cold_start(
    dynalite_endpoint: str,
    settings: Any,
    fresh_table: str,
    snapshot_dirs: SnapshotDirs,
    tmp_path: Path,
) -> None:
    # The README's local example: the app served on a loopback port, runbenchmark --url.
    settings.DYNAMODB_ENDPOINT_URL = dynalite_endpoint
    with local.local_environment(
        count=10, handler=load_handler(), seed=Command().seed, var_dir=tmp_path / "var"
    ) as env:
        coldstart.reset()  # the server runs in this process, which other tests have served from
        call_command(
            "runbenchmark", "--url", env.url, "--no-sign", "--iterations", "2", "--endpoints",
            "ddb,sqlite-efs", "--output-dir", str(tmp_path / "out"), stdout=StringIO(),
            stderr=StringIO(),
        )  # fmt: skip

    with next((tmp_path / "out").glob("*.csv")).open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [(r["endpoint"], r["iteration"], r["cold_start"]) for r in rows] == [
        ("ddb", "-1", "true"),
        ("ddb", "0", "false"),
        ("sqlite-efs", "0", "false"),
        ("sqlite-efs", "1", "false"),
        ("ddb", "1", "false"),
    ]


class Terminal(StringIO):
    def isatty(self) -> bool:
        return True


SEED_BAR = re.compile(r"(\r\[[#.]{30}\] +\d+% \d+/30 items, [\d,]+ items/s)+")


@pytest.mark.integration
def test_local_run_shows_the_seed_progress_bar_on_a_terminal(
    dynalite_endpoint: str,
    settings: Any,
    fresh_table: str,
    snapshot_dirs: SnapshotDirs,
    tmp_path: Path,
) -> None:
    settings.DYNAMODB_ENDPOINT_URL = dynalite_endpoint
    terminal = Terminal()

    call_command(
        "runbenchmark", "--local", "--count", "30", "--iterations", "1", "--endpoints", "ddb",
        "--output-dir", str(tmp_path), stdout=terminal, stderr=StringIO(),
    )  # fmt: skip

    seeding = terminal.getvalue().split("Seeding 30 items (the table holds 0)...\n", 1)[1]
    bar, after = seeding.split("\n", 1)
    assert SEED_BAR.fullmatch(bar)
    assert bar.rsplit("\r", 1)[1].startswith("[##############################] 100% 30/30 items, ")
    assert after.startswith("Building the snapshot...\n")


@pytest.mark.integration
def test_local_run_has_no_seed_progress_bar_off_a_terminal(
    dynalite_endpoint: str,
    settings: Any,
    fresh_table: str,
    snapshot_dirs: SnapshotDirs,
    tmp_path: Path,
) -> None:
    settings.DYNAMODB_ENDPOINT_URL = dynalite_endpoint

    output = run(
        "--count", "30", "--iterations", "1", "--endpoints", "ddb", "--output-dir", str(tmp_path)
    )

    assert "Seeding 30 items (the table holds 0)...\nBuilding the snapshot...\n" in output
    assert "\r" not in output


@pytest.mark.integration
def test_local_run_reuses_items_already_in_the_table(
    dynalite_endpoint: str,
    settings: Any,
    fresh_table: str,
    snapshot_dirs: SnapshotDirs,
    tmp_path: Path,
) -> None:
    settings.DYNAMODB_ENDPOINT_URL = dynalite_endpoint
    run("--count", "30", "--iterations", "1", "--endpoints", "ddb", "--output-dir", str(tmp_path))

    output = run(
        "--count", "20", "--iterations", "1", "--endpoints", "ddb", "--output-dir", str(tmp_path)
    )

    assert "Seeding" not in output
    assert len(list(tmp_path.glob("*.csv"))) == 2  # the second set took a suffix


class Spy:
    """Records every dynalite and Function URL server the local run starts."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.dynamos: list[LocalDynamo] = []
        self.servers: list[FunctionUrlServer] = []
        spy = self

        class SpiedDynamo(LocalDynamo):
            def start(self) -> str:
                spy.dynamos.append(self)
                return super().start()

        class SpiedServer(FunctionUrlServer):
            def start(self) -> "SpiedServer":
                spy.servers.append(self)
                super().start()
                return self

        monkeypatch.setattr(local, "LocalDynamo", SpiedDynamo)
        monkeypatch.setattr(local, "FunctionUrlServer", SpiedServer)


def assert_all_stopped(spy: Spy, pids: list[int]) -> None:
    for pid in pids:
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)
    ports = [d.port for d in spy.dynamos] + [s.port for s in spy.servers]
    for port in ports:
        with pytest.raises(ConnectionRefusedError):
            socket.create_connection(("127.0.0.1", port), timeout=5)
    var = Path(django_settings.BASE_DIR) / "var"
    assert list(var.glob("runbenchmark-dynamodb-*")) == []


@pytest.mark.integration
def test_local_run_starts_its_own_dynalite_and_stops_everything(
    settings: Any,
    fresh_table: str,
    snapshot_dirs: SnapshotDirs,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    settings.DYNAMODB_ENDPOINT_URL = None
    spy = Spy(monkeypatch)
    pids: list[int] = []
    original = Command.run_plan

    def run_plan(self: Command, *args: Any, **kwargs: Any) -> Any:
        pids.extend(d.pid for d in spy.dynamos if d.pid is not None)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(Command, "run_plan", run_plan)

    output = run("--count", "10", "--iterations", "2", "--output-dir", str(tmp_path))

    assert "Starting the local DynamoDB (dynalite)..." in output
    assert (len(spy.dynamos), len(spy.servers), len(pids)) == (1, 1, 1)
    assert "(10 timed requests, 0 failed)" in output
    assert_all_stopped(spy, pids)


@pytest.mark.integration
@pytest.mark.parametrize(
    ("failure", "message"),
    [
        (KeyboardInterrupt, "Interrupted before any request was measured: nothing was written."),
        (RuntimeError, "the run broke"),
    ],
)
def test_local_run_stops_everything_when_the_run_fails(
    settings: Any,
    fresh_table: str,
    snapshot_dirs: SnapshotDirs,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    failure: type[BaseException],
    message: str,
) -> None:
    settings.DYNAMODB_ENDPOINT_URL = None
    spy = Spy(monkeypatch)
    pids: list[int] = []

    def broken_run(self: Command, *args: Any, **kwargs: Any) -> Any:
        pids.extend(d.pid for d in spy.dynamos if d.pid is not None)
        assert spy.servers[0].served == 1  # the preflight read; nothing timed yet
        raise failure("the run broke")

    monkeypatch.setattr(Command, "run_plan", broken_run)

    with pytest.raises((CommandError, RuntimeError), match=re.escape(message)):
        run("--count", "5", "--output-dir", str(tmp_path / "out"))

    assert (len(spy.dynamos), len(spy.servers), len(pids)) == (1, 1, 1)
    assert_all_stopped(spy, pids)
    assert not (tmp_path / "out").exists()


def test_display_path_is_relative_inside_the_project(tmp_path: Path) -> None:
    inside = Path(django_settings.BASE_DIR) / "var" / "efs"

    assert (local.display_path(inside), local.display_path(tmp_path)) == (
        "var/efs",
        str(tmp_path),
    )


class PagedClient:
    """A DynamoDB client whose COUNT query answers in pages (or fails)."""

    def __init__(self, pages: list[dict[str, Any]] | None = None) -> None:
        self.pages = pages or []
        self.requests: list[dict[str, Any]] = []

    def query(self, **request: Any) -> dict[str, Any]:
        self.requests.append(dict(request))
        if not self.pages:
            raise ClientError(
                {"Error": {"Code": "ResourceNotFoundException", "Message": "no"}}, "Query"
            )
        return self.pages.pop(0)


def test_count_follows_every_page(monkeypatch: pytest.MonkeyPatch) -> None:
    client = PagedClient([{"Count": 2, "LastEvaluatedKey": {"PK": {"S": "k"}}}, {"Count": 3}])
    monkeypatch.setattr(table, "client", lambda: client)

    assert local.count_random_items() == 5
    assert [r.get("ExclusiveStartKey") for r in client.requests] == [None, {"PK": {"S": "k"}}]
    assert client.requests[0]["Select"] == "COUNT"


def test_count_failure_is_a_dynamo_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(table, "client", lambda: PagedClient())

    with pytest.raises(table.DynamoUnavailableError, match="ResourceNotFoundException: no"):
        local.count_random_items()
