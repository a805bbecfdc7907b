"""``manage.py exportreport``: report or CSV of a stored session, never overwriting silently."""

import csv
import io
import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from django.core.management import ManagementUtility, call_command
from django.core.management.base import CommandError

from bench import sessions
from bench.dynamo import table
from bench.dynamo.models import ConfigItem, SnapshotInfo
from bench.results import CSV_COLUMNS
from bench.strategies.base import ReadRequest, ReadResult, Timings

T0 = datetime(2026, 12, 4, 20, 30, 15, tzinfo=UTC)


class FixedStrategy:
    def __init__(self, name: str, total_ms: float) -> None:
        self.name = name
        self.total_ms = total_ms

    def read(self, request: ReadRequest) -> ReadResult:
        return ReadResult(
            endpoint=self.name,
            query=request.query,
            rows=10,
            fingerprint="fp",
            snapshot=None,
            timings=Timings(total_ms=self.total_ms, read_ms=self.total_ms),
        )


def store_session(*, at: datetime = T0, iterations: int = 3) -> sessions.SessionResult:
    config = ConfigItem.build(sqlite_file_path="data.db")
    config.snapshot = SnapshotInfo(  # type: ignore[no-untyped-call]
        version="01J0000000000000000000SNAP", rows=10, fingerprint="fp", built_at=at, build_ms=1.0
    )
    config.save()
    ticks = iter(at + timedelta(milliseconds=i) for i in range(10_000))
    plan = sessions.plan_from(iterations=iterations, endpoints="ddb,sqlite-efs", query="all")
    strategies = {"ddb": FixedStrategy("ddb", 4.0), "sqlite-efs": FixedStrategy("sqlite-efs", 2.0)}
    return sessions.run_session(plan, strategies=strategies, now=lambda: next(ticks))


def export(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("exportreport", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_markdown_export_writes_the_report_and_its_chart_under_the_session_time(
    ddb: table.Target, tmp_path: Path
) -> None:
    stored = store_session()

    out, _ = export("--format", "md", "--output-dir", str(tmp_path))

    report = tmp_path / "20261204-203015-session.md"
    chart = tmp_path / "20261204-203015-session.png"
    assert sorted(p.name for p in tmp_path.iterdir()) == [report.name, chart.name]
    text = report.read_text()
    assert text.startswith("# Benchmark report: in-function session, 2026-12-04 20:30:15 UTC")
    assert f"Session {stored.session.session_id}, status complete." in text
    assert "![Latency per strategy and copy/read split](20261204-203015-session.png)" in text
    assert chart.read_bytes().startswith(b"\x89PNG")
    assert out.strip() == (
        f"Exported session {stored.session.session_id} (6 results, md) to {report}, {chart}."
    )


def test_default_output_never_overwrites_an_earlier_export(
    ddb: table.Target, tmp_path: Path
) -> None:
    store_session()
    (tmp_path / "20261204-203015-session.csv").write_text("earlier export")

    export("--format", "csv", "--output-dir", str(tmp_path))

    assert (tmp_path / "20261204-203015-session.csv").read_text() == "earlier export"
    rows = list(csv.reader((tmp_path / "20261204-203015-session-2.csv").open()))
    assert rows[0] == list(CSV_COLUMNS) and len(rows) == 7


def test_csv_of_a_chosen_session_to_stdout(ddb: table.Target) -> None:
    chosen = store_session(at=T0, iterations=2)
    store_session(at=T0 + timedelta(hours=1), iterations=5)

    out, err = export("--format", "csv", "--session", chosen.session.session_id, "--output", "-")

    rows = list(csv.DictReader(io.StringIO(out)))
    assert [(r["endpoint"], r["iteration"], r["server_total_ms"]) for r in rows] == [
        ("ddb", "0", "4.000000"),
        ("sqlite-efs", "0", "2.000000"),
        ("ddb", "1", "4.000000"),
        ("sqlite-efs", "1", "2.000000"),
    ]
    assert err.strip() == (
        f"Exported session {chosen.session.session_id} (4 results, csv) to stdout."
    )


def test_markdown_to_stdout_is_the_latest_session_without_a_chart(ddb: table.Target) -> None:
    store_session(at=T0)
    latest = store_session(at=T0 + timedelta(hours=1))

    out, _ = export("--format", "MD", "--output", "-")

    assert f"Session {latest.session.session_id}" in out
    assert "## Chart" not in out


def test_explicit_output_writes_the_chart_beside_it(ddb: table.Target, tmp_path: Path) -> None:
    store_session()
    target = tmp_path / "report.md"

    export("--format", "md", "--output", str(target))

    assert "![Latency per strategy and copy/read split](report.png)" in target.read_text()
    assert (tmp_path / "report.png").read_bytes().startswith(b"\x89PNG")


def test_explicit_output_is_refused_when_it_exists(ddb: table.Target, tmp_path: Path) -> None:
    store_session()
    target = tmp_path / "results.csv"
    target.write_text("keep me")

    with pytest.raises(CommandError, match=rf"^{target} exists already: pass --force"):
        export("--format", "csv", "--output", str(target))

    assert target.read_text() == "keep me"


def test_an_existing_chart_beside_the_report_is_refused_too(
    ddb: table.Target, tmp_path: Path
) -> None:
    store_session()
    (tmp_path / "report.png").write_bytes(b"old chart")

    with pytest.raises(CommandError, match=r"report.png exists already"):
        export("--format", "md", "--output", str(tmp_path / "report.md"))

    assert not (tmp_path / "report.md").exists()


def test_force_overwrites_explicit_output(ddb: table.Target, tmp_path: Path) -> None:
    store_session()
    target = tmp_path / "results.csv"
    target.write_text("old")

    export("--format", "csv", "--output", str(target), "--force")

    assert target.read_text().startswith("endpoint,query,iteration")


def test_a_file_appearing_during_the_export_is_not_overwritten(
    ddb: table.Target, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store_session()
    target = tmp_path / "results.csv"
    real_load = sessions.session_records

    def load_then_race(session_id: str) -> list[object]:
        target.write_text("written by someone else meanwhile")
        return real_load(session_id)  # type: ignore[return-value]

    monkeypatch.setattr(sessions, "session_records", load_then_race)

    with pytest.raises(CommandError, match=r"results.csv appeared while exporting"):
        export("--format", "csv", "--output", str(target))

    assert target.read_text() == "written by someone else meanwhile"


def test_price_file_changes_the_cost_table(ddb: table.Target, tmp_path: Path) -> None:
    store_session()
    prices = tmp_path / "prices.json"
    prices.write_text(json.dumps({"as_of": "2031-01-01", "region": "ap-northeast-1"}))

    out, _ = export("--format", "md", "--output", "-", "--prices", str(prices))

    assert "Prices: ap-northeast-1 on-demand list prices as of 2031-01-01" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--format", "pdf"), r"^--format 'pdf' is not supported: use md or csv\.$"),
        (
            ("--format", "md", "--session", "nope"),
            r"^--session='nope' is not a session id: a session id is a 26-character ULID",
        ),
        (("--format", "csv", "--output", "/"), r"^--output / is a directory: give a file name\.$"),
        (
            ("--format", "csv", "--output", "/no/such/dir/x.csv"),
            r"^--output /no/such/dir/x.csv: the directory /no/such/dir does not exist\.$",
        ),
        (
            ("--format", "csv", "--prices", "/no/such/prices.json"),
            r"^--prices: Cannot read the price table /no/such/prices.json",
        ),
    ],
)
def test_bad_arguments_fail_before_any_work(args: tuple[str, ...], message: str) -> None:
    # No DynamoDB fixture: reaching the table would fail differently.
    with pytest.raises(CommandError, match=message):
        export(*args)


def test_an_output_dir_that_is_a_file_is_refused_before_any_work(
    ddb: table.Target, tmp_path: Path
) -> None:
    store_session()
    a_file = tmp_path / "reports"
    a_file.write_text("not a directory")

    with pytest.raises(
        CommandError, match=f"^{re.escape(f'--output-dir {a_file} is a file, not a directory.')}$"
    ):
        export("--format", "md", "--output-dir", str(a_file))

    assert [p.name for p in tmp_path.iterdir()] == ["reports"]
    assert a_file.read_text() == "not a directory"


def test_an_output_dir_below_a_file_exits_1_with_a_sentence(
    ddb: table.Target, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store_session()
    a_file = tmp_path / "file"
    a_file.write_text("x")
    below = a_file / "reports"

    with pytest.raises(SystemExit) as caught:
        ManagementUtility(
            ["manage.py", "exportreport", "--format", "csv", "--output-dir", str(below)]
        ).execute()

    assert caught.value.code == 1
    assert capsys.readouterr().err == (
        f"CommandError: --output-dir {below} cannot be created: {a_file} is a file.\n"
    )


def test_an_explicit_output_ignores_the_output_dir(ddb: table.Target, tmp_path: Path) -> None:
    store_session()
    a_file = tmp_path / "file"
    a_file.write_text("x")
    target = tmp_path / "results.csv"

    export("--format", "csv", "--output", str(target), "--output-dir", str(a_file))

    assert target.read_text().startswith("endpoint,query,iteration")


@pytest.mark.parametrize("name", ["report.png", "REPORT.PNG"])
def test_a_markdown_output_named_like_its_chart_is_refused_before_any_work(
    ddb: table.Target, tmp_path: Path, name: str
) -> None:
    store_session()
    target = tmp_path / name

    with pytest.raises(
        CommandError,
        match=f"^{re.escape(f'--output {target} ends in .png, the name of the report')}'s chart: "
        r"give the Markdown file a name such as report\.md\.$",
    ):
        export("--format", "md", "--output", str(target))

    assert list(tmp_path.iterdir()) == []


def test_unknown_session_is_a_sentence(ddb: table.Target) -> None:
    with pytest.raises(
        CommandError, match=r"^No benchmark session 01J0000000000000000000ABCD exists\.$"
    ):
        export("--format", "md", "--session", "01J0000000000000000000ABCD", "--output", "-")


def test_no_sessions_yet_is_a_sentence(ddb: table.Target) -> None:
    with pytest.raises(
        CommandError,
        match=r"^No benchmark sessions are stored in table 'bench-test-main' at AWS DynamoDB in "
        r"us-east-1 yet: run one with GET /benchmark first\.$",
    ):
        export("--format", "csv", "--output", "-")


def test_unreachable_table_is_a_sentence(ddb: table.Target) -> None:
    table.configure(table_name="missing-table", endpoint_url=None, region="us-east-1")

    with pytest.raises(CommandError, match="missing-table"):
        export("--format", "csv", "--output", "-")


def test_command_line_exit_code_is_1_for_a_bad_format(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        ManagementUtility(["manage.py", "exportreport", "--format", "pdf"]).execute()

    assert caught.value.code == 1
    assert "--format 'pdf' is not supported: use md or csv." in capsys.readouterr().err
