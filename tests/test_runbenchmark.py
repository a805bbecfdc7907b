"""``manage.py runbenchmark`` against a stub Function URL that checks SigV4 like AWS."""

import csv
import json
import os
import re
import signal
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from io import StringIO
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.credentials import Credentials
from django.conf import settings
from django.core.management import ManagementUtility, call_command
from django.core.management.base import CommandError
from moto import mock_aws

from bench.client.runner import Outcome
from bench.localdynamo import free_port
from bench.management.commands.runbenchmark import (
    Command,
    Progress,
    verdict_line,
    why_nothing_worked,
)
from bench.reports import render_markdown
from bench.results import CSV_COLUMNS, ResultRecord
from bench.strategies import STRATEGY_NAMES
from tests.stub_function_url import (
    SIGNATURE_MISMATCH,
    STUB_IDS,
    Answer,
    Received,
    StubFunctionUrl,
    read_answer,
    running_stub,
)
from tests.test_runbenchmark_client import make_record

# The credentials the test configuration gives boto3 (tests/conftest.py).
TEST_CREDENTIALS = Credentials("testing", "testing", "testing")
STEM = re.compile(r"^\d{8}-\d{6}-benchmark$")


class Terminal(StringIO):
    def isatty(self) -> bool:
        return True


@pytest.fixture
def stub() -> Iterator[StubFunctionUrl]:
    """A Function URL with IAM auth in us-east-1 that knows the test credentials."""
    with running_stub(StubFunctionUrl(credentials=TEST_CREDENTIALS, region="us-east-1")) as s:
        yield s


def run(*args: str, stdout: StringIO | None = None, verbosity: int = 1) -> str:
    out = stdout if stdout is not None else StringIO()
    call_command("runbenchmark", *args, stdout=out, stderr=StringIO(), verbosity=verbosity)
    return out.getvalue()


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(newline="") as handle:
        return list(csv.DictReader(handle))


def report_files(directory: Path) -> dict[str, Path]:
    return {path.suffix.lstrip("."): path for path in directory.iterdir()}


def test_runbenchmark_times_every_strategy_and_writes_the_report(
    stub: StubFunctionUrl, tmp_path: Path
) -> None:
    out_dir = tmp_path / "reports"

    output = run(
        "--url",
        stub.url,
        "--region",
        "us-east-1",
        "--iterations",
        "3",
        "--output-dir",
        str(out_dir),
    )

    files = report_files(out_dir)
    assert sorted(files) == ["csv", "md", "png"]
    assert len({path.stem for path in files.values()}) == 1
    assert STEM.match(files["csv"].stem)
    assert files["png"].read_bytes().startswith(b"\x89PNG")
    rows = read_csv(files["csv"])
    assert list(rows[0]) == list(CSV_COLUMNS)
    assert [(r["endpoint"], r["iteration"], r["cold_start"]) for r in rows[:2]] == [
        ("sqlite-efs", "-1", "true"),
        ("sqlite-efs", "0", "false"),
    ]
    assert len(rows) == 1 + 3 * len(STRATEGY_NAMES)
    assert {r["status"] for r in rows} == {"200"}
    assert [r.rejected for r in stub.received] == [None] * (1 + 5 + 15)
    # The preflight is a read of the first strategy: its cold start is the one kept.
    assert [(r.path, r.query) for r in stub.received[:2]] == [
        ("/sqlite-efs", {"query": ["all"]}),
        ("/sqlite-efs", {"query": ["all"]}),
    ]
    lines = output.splitlines()
    assert lines[0] == (
        f"Timing {', '.join(STRATEGY_NAMES)} against {stub.url}: 3 x 5 requests (query=all, "
        "warm-up 1, concurrency 1)."
    )
    assert [line.split("/")[-1] for line in lines[1:4]] == [
        files["csv"].name,
        files["md"].name,
        files["png"].name,
    ]
    assert re.fullmatch(
        r"Overhead outside the strategy \(client time - server total\), p50: \d+\.\d\d ms",
        lines[4],
    )
    assert lines[5] == (
        "Verdict: success: A not met (copy p50 2.00 ms (< 100 ms); read p50 `sqlite-efs` "
        "1.50 ms / `sqlite-tmp` 1.50 ms = 1.00x (<= 10x)); B met (p50 1.50 ms (< 50 ms)) "
        "(15 timed requests, 0 failed)"
    )
    markdown = files["md"].read_text()
    # The stub listens on a loopback address: a local run, whatever the signing.
    assert f"| Where | local (this machine: {stub.url}) |" in markdown
    assert "Requests were signed with SigV4 (service lambda, region us-east-1)." in markdown
    assert "| Data | 100 rows |" in markdown
    assert f"![Latency per strategy and copy/read split]({files['png'].name})" in markdown


def test_a_wrong_secret_is_refused_before_the_run(tmp_path: Path) -> None:
    wrong = Credentials("testing", "not-the-secret", "testing")
    with running_stub(StubFunctionUrl(credentials=wrong)) as stub:
        with pytest.raises(
            CommandError,
            match=re.escape(
                f"{stub.url}sqlite-efs refused the request (403: {SIGNATURE_MISMATCH}): check the "
                "AWS credentials and the region the request is signed for (us-east-1)."
            ),
        ):
            run("--url", stub.url, "--output-dir", str(tmp_path / "out"))

        assert [(r.path, r.rejected) for r in stub.received] == [
            ("/sqlite-efs", SIGNATURE_MISMATCH)
        ]
    assert not (tmp_path / "out").exists()


def test_signing_for_the_wrong_region_is_refused(stub: StubFunctionUrl, tmp_path: Path) -> None:
    with pytest.raises(CommandError, match=r"refused the request \(403: Credential should be"):
        run("--url", stub.url, "--region", "eu-west-1", "--output-dir", str(tmp_path))


def test_unsigned_requests_to_an_iam_url_say_to_sign(stub: StubFunctionUrl, tmp_path: Path) -> None:
    with pytest.raises(
        CommandError,
        match=re.escape(
            f"{stub.url}sqlite-efs refused the request (403: Missing Authentication Token): the "
            "Function URL needs IAM auth: run without --no-sign."
        ),
    ):
        run("--url", stub.url, "--no-sign", "--output-dir", str(tmp_path))


def test_no_sign_against_a_public_url(tmp_path: Path) -> None:
    with running_stub(StubFunctionUrl()) as stub:
        output = run(
            "--url",
            stub.url,
            "--no-sign",
            "--iterations",
            "2",
            "--endpoints",
            "ddb",
            "--output-dir",
            str(tmp_path),
        )

    assert "authorization" not in stub.received[0].headers
    assert "(2 timed requests, 0 failed)" in output
    markdown = report_files(tmp_path)["md"].read_text()
    assert "Requests were sent unsigned (--no-sign)." in markdown
    assert f"| Where | local (this machine: {stub.url}) |" in markdown
    assert "> **Local run.** Local numbers are not AWS numbers" in markdown
    assert f"- {stub.url} is served by this machine (loopback), not by AWS Lambda." in markdown
    assert "AWS:" not in markdown


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--iterations", "0"], "--iterations 0 is out of range: use 1..10000."),
        (["--iterations", "10001"], "--iterations 10001 is out of range: use 1..10000."),
        (["--concurrency", "0"], "--concurrency 0 is out of range: use 1..64."),
        (["--concurrency", "65"], "--concurrency 65 is out of range: use 1..64."),
        (["--warmup", "-1"], "--warmup -1 is out of range: use 0..100."),
        (["--iterations", "abc"], "--iterations 'abc' is not a whole number: use 1..10000."),
        (["--warmup", "1.5"], "--warmup '1.5' is not a whole number: use 0..100."),
        (["--concurrency", ""], "--concurrency '' is not a whole number: use 1..64."),
        (["--local", "--count", "1e3"], "--count '1e3' is not a whole number: use 1..1000000."),
        (
            ["--endpoints", "sqlite-efs,mysql"],
            "Unknown endpoint 'mysql' in --endpoints: use one or more of sqlite-efs, sqlite-tmp, "
            "ddb, sqlite-tmp-cached, sqlite-efs-immutable.",
        ),
        (
            ["--endpoints", " , "],
            "--endpoints is empty: use one or more of sqlite-efs, sqlite-tmp, ddb, "
            "sqlite-tmp-cached, sqlite-efs-immutable.",
        ),
        (["--endpoints", "ddb,ddb"], "--endpoints names ddb more than once."),
        (["--query", "everything"], "--query 'everything' is not a query shape: use all, "
         "latest, point, aggregate."),
        (["--url", "not-a-url"], "--url 'not-a-url' is not an http(s) URL such as https://host/."),
        (["--local", "--url", "http://h/"], "--local runs against this machine: drop --url and "
         "--stack."),
        (["--local", "--stack", "s"], "--local runs against this machine: drop --url and --stack."),
        (["--url", "http://h/", "--stack", "s"], "Give either --url or --stack, not both."),
        (["--count", "5"], "--count only applies to --local (it seeds the local table)."),
        (["--local", "--count", "0"], "--count 0 is out of range: use 1..1000000."),
        (["--region", " "], "--region is empty: give a region such as us-east-1."),
    ],
)  # fmt: skip
def test_bad_arguments_fail_before_any_work(args: list[str], message: str) -> None:
    with pytest.raises(CommandError, match=f"^{re.escape(message)}$"):
        run(*args)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--iterations", "abc"], "--iterations 'abc' is not a whole number: use 1..10000."),
        (["--warmup", "x"], "--warmup 'x' is not a whole number: use 0..100."),
        (["--concurrency", "two"], "--concurrency 'two' is not a whole number: use 1..64."),
        (["--local", "--count", "many"], "--count 'many' is not a whole number: use 1..1000000."),
    ],
)
def test_a_number_that_is_not_one_exits_1_with_a_sentence(
    args: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as caught:
        ManagementUtility(["manage.py", "runbenchmark", *args]).execute()

    assert caught.value.code == 1
    assert capsys.readouterr().err == f"CommandError: {message}\n"


def test_an_output_dir_that_is_a_file_fails_before_any_request(
    stub: StubFunctionUrl, tmp_path: Path
) -> None:
    a_file = tmp_path / "report.md"
    a_file.write_text("x")

    with pytest.raises(
        CommandError, match=re.escape(f"--output-dir {a_file} is a file, not a directory.")
    ):
        run("--url", stub.url, "--output-dir", str(a_file))

    assert stub.received == []


def test_an_output_dir_below_a_file_fails(tmp_path: Path) -> None:
    a_file = tmp_path / "file"
    a_file.write_text("x")

    with pytest.raises(
        CommandError,
        match=re.escape(f"--output-dir {a_file}/a/b cannot be created: {a_file} is a file."),
    ):
        run("--url", "http://h/", "--output-dir", str(a_file / "a" / "b"))


def test_an_unwritable_output_dir_fails(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(os, "access", lambda path, mode: False)  # tests may run as root

    with pytest.raises(CommandError, match=re.escape(f"--output-dir {tmp_path} is not writable.")):
        run("--url", "http://h/", "--output-dir", str(tmp_path))


def test_default_output_dir_is_docs_benchmarks() -> None:
    command = Command()
    parser = command.create_parser("manage.py", "runbenchmark")

    options = command.validate(vars(parser.parse_args(["--url", "http://h/"])))

    assert options.output_dir == Path(settings.BASE_DIR) / "docs" / "benchmarks"
    assert (options.stack, options.sign, options.count) == ("aws-lambda-sqlite-dev", True, 1000)
    assert options.plan.endpoints == STRATEGY_NAMES
    assert (options.plan.iterations, options.plan.warmup, options.plan.concurrency) == (100, 1, 1)


def test_an_unreachable_url_is_a_command_error(tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{free_port()}/"

    with pytest.raises(
        CommandError, match=rf"^Cannot reach {re.escape(url)}sqlite-efs: \w+Error: "
    ):
        run("--url", url, "--no-sign", "--output-dir", str(tmp_path))

    assert list(tmp_path.iterdir()) == []


def not_found(stub: StubFunctionUrl, request: Received) -> Answer | None:
    return 404, {"message": "Not Found"}


def test_a_url_that_is_not_the_app_is_named(tmp_path: Path) -> None:
    with (
        running_stub(StubFunctionUrl(respond=not_found)) as stub,
        pytest.raises(
            CommandError,
            match=re.escape(
                f"{stub.url}wrong/sqlite-efs answered 404: is {stub.url}wrong/ the "
                "lambda-sqlite-bench Function URL?"
            ),
        ),
    ):
        run("--url", stub.url + "wrong", "--no-sign", "--output-dir", str(tmp_path))


def no_snapshot(stub: StubFunctionUrl, request: Received) -> Answer | None:
    return 503, {
        "error": "no_snapshot",
        "detail": "No SQLite snapshot exists yet: POST /insert first.",
    }


def test_when_every_warmup_fails_the_run_stops_and_says_why(tmp_path: Path) -> None:
    with running_stub(StubFunctionUrl(respond=no_snapshot)) as stub:
        with pytest.raises(
            CommandError,
            match=re.escape(
                "Every request failed, so no report was written. Most common failure (5 of 5): "
                "503 no_snapshot: No SQLite snapshot exists yet: POST /insert first."
            ),
        ):
            run("--url", stub.url, "--no-sign", "--output-dir", str(tmp_path))

        assert len(stub.reads) == 1 + 5  # the preflight and the warm-ups; nothing timed
    assert list(tmp_path.iterdir()) == []


def test_when_every_timed_request_fails_the_run_says_why(tmp_path: Path) -> None:
    with running_stub(StubFunctionUrl(respond=no_snapshot)) as stub:
        with pytest.raises(CommandError, match=re.escape("Most common failure (10 of 10): 503")):
            run(
                "--url", stub.url, "--no-sign", "--warmup", "0", "--iterations", "2",
                "--output-dir", str(tmp_path),
            )  # fmt: skip

        assert len(stub.reads) == 1 + 10


def flaky_ddb(stub: StubFunctionUrl, request: Received) -> Answer | None:
    if request.path == "/ddb":
        return 500, {"error": "internal_error", "detail": "boom"}
    efs_reads = [r for r in stub.reads if r.path == "/sqlite-efs"]
    if request.path == "/sqlite-efs" and len(efs_reads) == 3:
        return 0, {}  # the connection drops without an answer
    return None


def test_failed_requests_are_recorded_and_the_run_goes_on(tmp_path: Path) -> None:
    with running_stub(StubFunctionUrl(respond=flaky_ddb)) as stub:
        output = run(
            "--url", stub.url, "--no-sign", "--iterations", "3", "--output-dir", str(tmp_path)
        )

    rows = read_csv(report_files(tmp_path)["csv"])
    assert [r["status"] for r in rows if r["endpoint"] == "ddb"] == ["500", "500", "500"]
    # The preflight (cold, kept), the warm-up (discarded), then the third read drops.
    assert [(r["iteration"], r["status"]) for r in rows if r["endpoint"] == "sqlite-efs"] == [
        ("-1", "200"),
        ("0", "599"),
        ("1", "200"),
        ("2", "200"),
    ]
    assert "(15 timed requests, 4 failed)" in output
    markdown = report_files(tmp_path)["md"].read_text()
    assert "500 internal_error: boom" in markdown


def interrupt_at_eighth_read(stub: StubFunctionUrl, request: Received) -> Answer | None:
    if len(stub.reads) == 8:
        os.kill(os.getpid(), signal.SIGINT)  # what Ctrl-C in the terminal does
    return None


def test_ctrl_c_writes_what_was_measured_marked_partial(tmp_path: Path) -> None:
    stdout = StringIO()
    with (
        running_stub(StubFunctionUrl(respond=interrupt_at_eighth_read)) as stub,
        pytest.raises(
            CommandError,
            match=r"^Interrupted after \d+ of 100 timed requests: the report above is partial\.$",
        ),
    ):
        run(
            "--url", stub.url, "--no-sign", "--iterations", "20", "--output-dir",
            str(tmp_path), stdout=stdout,
        )  # fmt: skip

    files = report_files(tmp_path)
    measured = [r for r in read_csv(files["csv"]) if r["iteration"] != "-1"]
    assert 2 <= len(measured) < 100
    markdown = files["md"].read_text()
    assert "**Partial run.**" in markdown
    assert f"Interrupted: {len(measured)} of 100 timed requests were measured." in markdown
    assert f"({len(measured)} timed requests, 0 failed)" in stdout.getvalue()


def test_ctrl_c_before_the_run_writes_nothing(
    stub: StubFunctionUrl, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def interrupted(self: Command, target: Any, plan: Any) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(Command, "preflight", interrupted)

    with pytest.raises(
        CommandError,
        match=re.escape("Interrupted before any request was measured: nothing was written."),
    ):
        run("--url", stub.url, "--output-dir", str(tmp_path))

    assert list(tmp_path.iterdir()) == []


def test_progress_bar_on_a_terminal(stub: StubFunctionUrl, tmp_path: Path) -> None:
    terminal = Terminal()

    run("--url", stub.url, "--iterations", "2", "--output-dir", str(tmp_path), stdout=terminal)

    bar_line = terminal.getvalue().split("\n")[1]
    assert bar_line == "".join(
        f"\r[{'#' * (3 * done)}{'-' * (30 - 3 * done)}] {done}/10 requests, 0 failed"
        for done in range(1, 11)
    )


def test_no_progress_bar_when_not_a_terminal(stub: StubFunctionUrl, tmp_path: Path) -> None:
    output = run("--url", stub.url, "--iterations", "2", "--output-dir", str(tmp_path))

    assert "\r" not in output


def test_quiet_run_prints_only_the_paths_and_the_verdict(
    stub: StubFunctionUrl, tmp_path: Path
) -> None:
    terminal = Terminal()

    run(
        "--url", stub.url, "--iterations", "2", "--output-dir", str(tmp_path),
        stdout=terminal, verbosity=0,
    )  # fmt: skip

    lines = terminal.getvalue().splitlines()
    assert [line.startswith("Wrote ") for line in lines[:3]] == [True, True, True]
    assert lines[-1].startswith("Verdict: success: ")
    assert len(lines) == 5


def test_progress_counts_failures() -> None:
    written: list[str] = []
    progress = Progress(written.append, total=4, enabled=True)

    progress(make_record())
    progress(make_record(status=500, error="boom"))
    progress.close()

    assert written == [
        "\r[#######-----------------------] 1/4 requests, 0 failed",
        "\r[###############---------------] 2/4 requests, 1 failed",
        "\n",
    ]


def test_query_and_endpoints_choose_what_is_requested(
    stub: StubFunctionUrl, tmp_path: Path
) -> None:
    run(
        "--url", stub.url, "--query", "latest", "--endpoints", "ddb, sqlite-efs", "--warmup", "0",
        "--iterations", "2", "--output-dir", str(tmp_path),
    )  # fmt: skip

    assert [(r.path, r.query) for r in stub.reads] == [
        ("/ddb", {"query": ["latest"]}),  # the preflight
        ("/ddb", {"query": ["latest"]}),
        ("/sqlite-efs", {"query": ["latest"]}),
        ("/sqlite-efs", {"query": ["latest"]}),
        ("/ddb", {"query": ["latest"]}),
    ]
    assert "| Data | unknown |" in report_files(tmp_path)["md"].read_text()


def test_each_worker_keeps_its_own_connection(stub: StubFunctionUrl, tmp_path: Path) -> None:
    run(
        "--url", stub.url, "--concurrency", "4", "--iterations", "8", "--output-dir",
        str(tmp_path),
    )  # fmt: skip

    assert len(stub.reads) == 1 + 5 + 40
    assert len({r.client_port for r in stub.reads[1:]}) == 4  # the preflight had its own


def test_a_path_prefix_in_the_url_is_kept(tmp_path: Path) -> None:
    with running_stub(StubFunctionUrl()) as stub:
        run(
            "--url", stub.url + "prefix", "--no-sign", "--endpoints", "ddb", "--iterations", "1",
            "--output-dir", str(tmp_path),
        )  # fmt: skip

    assert [r.path for r in stub.received] == ["/prefix/ddb"] * 3


@pytest.mark.filterwarnings("ignore:Tried to parse:UserWarning")
def test_the_url_comes_from_the_cloudformation_stack(tmp_path: Path) -> None:
    # mock_aws swaps in credentials of its own, so this Function URL is a public one.
    with running_stub(StubFunctionUrl()) as stub, mock_aws():
        boto3.client("cloudformation", region_name="us-east-1").create_stack(
            StackName="aws-lambda-sqlite-dev",
            TemplateBody=json.dumps(
                {
                    "Resources": {"H": {"Type": "AWS::CloudFormation::WaitConditionHandle"}},
                    "Outputs": {"FunctionUrl": {"Value": stub.url.rstrip("/")}},
                }
            ),
        )

        output = run(
            "--region", "us-east-1", "--no-sign", "--endpoints", "ddb", "--iterations", "2",
            "--output-dir", str(tmp_path),
        )  # fmt: skip

    assert "(2 timed requests, 0 failed)" in output
    assert [r.path for r in stub.received] == ["/ddb"] * 4
    markdown = report_files(tmp_path)["md"].read_text()
    assert f"| Where | local (this machine: {stub.url} (stack aws-lambda-sqlite-dev)) |" in markdown
    assert "| Lambda memory | unknown |" in markdown  # no FunctionName output to ask about


def test_a_missing_stack_is_a_command_error(tmp_path: Path) -> None:
    with (
        mock_aws(),
        pytest.raises(
            CommandError,
            match=re.escape(
                "Stack 'aws-lambda-sqlite-dev' does not exist in us-east-1: deploy it (cd infra && "
                "npx cdk deploy), or pass --stack/--region/--url."
            ),
        ),
    ):
        run("--region", "us-east-1", "--output-dir", str(tmp_path))


def test_lambda_memory_and_architecture_come_from_the_function(
    stub: StubFunctionUrl, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bench.management.commands import runbenchmark

    monkeypatch.setattr(
        runbenchmark,
        "function_url_from_stack",
        lambda name, region: (stub.url, {"FunctionUrl": stub.url, "FunctionName": "fn"}),
    )
    monkeypatch.setattr(
        runbenchmark, "function_configuration", lambda name, region: (1769, "arm64")
    )

    run(
        "--region",
        "us-east-1",
        "--endpoints",
        "ddb",
        "--iterations",
        "1",
        "--output-dir",
        str(tmp_path),
    )

    markdown = report_files(tmp_path)["md"].read_text()
    assert "| Lambda memory | 1769 MB |" in markdown
    assert "| Lambda architecture | arm64 |" in markdown


def always_cold(stub: StubFunctionUrl, request: Received) -> Answer | None:
    query = request.query.get("query", ["all"])[0]
    return read_answer(request.path.strip("/"), query, cold_start=True)  # a new container each


def test_a_run_of_cold_starts_only_has_no_overhead_line(tmp_path: Path) -> None:
    with running_stub(StubFunctionUrl(respond=always_cold)) as stub:
        output = run(
            "--url", stub.url, "--no-sign", "--warmup", "0", "--iterations", "1", "--endpoints",
            "ddb", "--output-dir", str(tmp_path),
        )  # fmt: skip

    assert "Overhead" not in output
    assert "(1 timed requests, 0 failed)" in output


def make_outcome(*records: ResultRecord) -> Outcome:
    at = datetime(2026, 1, 1, tzinfo=UTC)
    return Outcome(
        records=list(records),
        planned=len(records),
        interrupted=False,
        started_at=at,
        finished_at=at,
    )


def where_row(url: str, *, where: str | None = None) -> tuple[str, str, tuple[str, ...]]:
    """The report's Where row, its first warning line, and the target notes for ``url``."""
    command = Command()
    parser = command.create_parser("manage.py", "runbenchmark")
    args = parser.parse_args(["--url", url, "--no-sign", "--endpoints", "ddb"])
    options = command.validate(vars(args))
    target = replace(command.resolve_target(options), where=where or url)

    info = command.run_info(make_outcome(make_record(endpoint="ddb")), options, target=target)

    markdown = render_markdown(info, make_outcome().records)
    row = next(line for line in markdown.splitlines() if line.startswith("| Where |"))
    warning = next((line for line in markdown.splitlines() if line.startswith("> ")), "")
    return row, warning, target.notes


def test_a_function_url_is_reported_as_aws() -> None:
    url = "https://abc123.lambda-url.eu-west-1.on.aws/"

    row, warning, notes = where_row(url, where=f"{url} (stack s)")

    assert (row, warning) == (f"| Where | AWS: {url} (stack s) |", "")
    assert notes == ("Requests were sent unsigned (--no-sign).",)


@pytest.mark.parametrize("url", ["http://127.0.0.1:8080/", "http://localhost:8080/"])
def test_a_url_on_this_machine_is_reported_as_local(url: str) -> None:
    row, warning, notes = where_row(url)

    assert row == f"| Where | local (this machine: {url}) |"
    assert warning.startswith("> **Local run.** Local numbers are not AWS numbers: ")
    assert notes == (
        "Requests were sent unsigned (--no-sign).",
        f"{url} is served by this machine (loopback), not by AWS Lambda.",
    )


def test_any_other_host_is_reported_as_a_url_not_as_aws() -> None:
    url = "https://bench.example.com/prefix/"

    row, warning, notes = where_row(url)

    assert (row, warning) == (f"| Where | URL: {url} (not a Lambda Function URL) |", "")
    assert notes == (
        "Requests were sent unsigned (--no-sign).",
        f"{url} is not a Lambda Function URL (<id>.lambda-url.<region>.on.aws): these are the "
        "numbers of whatever serves it.",
    )


def make_timed(endpoint: str, *, total: float, copy: float | None = None) -> ResultRecord:
    return replace(
        make_record(endpoint=endpoint),
        server_total_ms=total + (copy or 0.0),
        client_ms=total + (copy or 0.0) + 1.0,
        copy_ms=copy,
        read_ms=total,
    )


def test_verdict_line_when_neither_criterion_is_met() -> None:
    records = [
        make_timed("sqlite-efs", total=80.0),
        make_timed("sqlite-tmp", total=40.0, copy=300.0),
    ]

    assert verdict_line(records) == (
        "Verdict: neither criterion met: A not met (copy p50 300.00 ms (>= 100 ms); read p50 "
        "`sqlite-efs` 80.00 ms / `sqlite-tmp` 40.00 ms = 2.00x (<= 10x)); B not met (p50 80.00 ms "
        "(>= 50 ms))"
    )


def test_verdict_line_when_nothing_can_be_evaluated() -> None:
    assert verdict_line([make_timed("ddb", total=5.0)]) == (
        "Verdict: not evaluated: A not evaluated (not evaluated: no successful sqlite-tmp copy "
        "times, sqlite-tmp read times, sqlite-efs read times); B not evaluated (not evaluated: "
        "no successful sqlite-efs requests)"
    )


def test_an_interruption_before_any_answer_says_so() -> None:
    at = datetime(2026, 1, 1, tzinfo=UTC)
    outcome = Outcome(records=[], planned=10, interrupted=True, started_at=at, finished_at=at)

    assert why_nothing_worked(outcome) == (
        "Interrupted before any request was measured: nothing was written."
    )


def test_a_local_run_that_cannot_start_dynalite_says_why(
    tmp_path: Path, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bench.client import local
    from bench.localdynamo import LocalDynamo

    class MissingDynalite(LocalDynamo):
        def __init__(self, **kwargs: Any) -> None:
            super().__init__(binary=tmp_path / "no-dynalite", **kwargs)

    settings.DYNAMODB_ENDPOINT_URL = None
    monkeypatch.setattr(local, "LocalDynamo", MissingDynalite)

    with pytest.raises(
        CommandError,
        match=re.escape(
            f"The local run could not start: dynalite is not installed ({tmp_path}/no-dynalite "
            "is missing): run `make install`."
        ),
    ):
        run("--local", "--output-dir", str(tmp_path / "out"))


def test_point_queries_read_the_same_id_in_every_round(
    stub: StubFunctionUrl, tmp_path: Path
) -> None:
    run(
        "--url", stub.url, "--query", "point", "--endpoints", "ddb,sqlite-efs", "--iterations",
        "4", "--output-dir", str(tmp_path),
    )  # fmt: skip

    listing, *reads = stub.reads
    assert (listing.path, listing.query) == ("/ddb", {"query": ["latest"], "limit": ["1000"]})
    warmups, timed = reads[:2], reads[2:]
    assert [r.query for r in warmups] == [{"query": ["point"]}] * 2
    rounds = [timed[i : i + 2] for i in range(0, 8, 2)]
    assert all(len({r.query["id"][0] for r in pair}) == 1 for pair in rounds)
    assert {r.query["id"][0] for r in timed} <= set(STUB_IDS)
    markdown = report_files(tmp_path)["md"].read_text()
    assert "query=point: in each round every strategy read the same id" in markdown


def test_point_queries_keep_the_listing_as_the_cold_start_it_was(
    stub: StubFunctionUrl, tmp_path: Path
) -> None:
    run(
        "--url", stub.url, "--query", "point", "--endpoints", "ddb,sqlite-efs", "--iterations",
        "2", "--output-dir", str(tmp_path),
    )  # fmt: skip

    files = report_files(tmp_path)
    cold = [
        (r["endpoint"], r["query"], r["iteration"], r["status"], r["rows"], r["server_total_ms"])
        for r in read_csv(files["csv"])
        if r["cold_start"] == "true"
    ]
    assert cold == [("ddb", "latest", "-1", "200", "100", "1.500000")]
    markdown = files["md"].read_text()
    assert "| `ddb` | 1 | 0 |" in markdown.split("## Cold starts", 1)[1].split("\n## ", 1)[0]
    assert (
        "- The container's first answer was the listing of those ids (query=latest, limit "
        "1000): it is the cold start shown, with query latest in the CSV."
    ) in markdown


def warm_listing(stub: StubFunctionUrl, request: Received) -> Answer | None:
    if request.query.get("query") == ["latest"]:
        return read_answer(request.path.strip("/"), "latest", cold_start=False)
    return None


def test_a_warm_listing_is_not_kept(tmp_path: Path) -> None:
    with running_stub(StubFunctionUrl(respond=warm_listing)) as stub:
        run(
            "--url", stub.url, "--no-sign", "--query", "point", "--endpoints", "ddb",
            "--iterations", "2", "--output-dir", str(tmp_path),
        )  # fmt: skip

    files = report_files(tmp_path)
    assert [r["iteration"] for r in read_csv(files["csv"])] == ["0", "1"]
    assert "first answer was the listing" not in files["md"].read_text()


def no_items(stub: StubFunctionUrl, request: Received) -> Answer | None:
    if request.query.get("query") == ["latest"]:
        return 200, {"items": []}
    return None


def test_point_queries_need_items(tmp_path: Path) -> None:
    with (
        running_stub(StubFunctionUrl(respond=no_items)) as stub,
        pytest.raises(
            CommandError,
            match=re.escape(
                "query=point reads existing ids, but listing them from ddb failed: the table holds "
                "no items"
            ),
        ),
    ):
        run(
            "--url", stub.url, "--no-sign", "--query", "point", "--endpoints", "ddb",
            "--output-dir", str(tmp_path),
        )  # fmt: skip
