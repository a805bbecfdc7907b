"""``manage.py localdynamodb``: dynalite in the foreground, stopped cleanly."""

import os
import signal
import subprocess
import sys
import textwrap
from io import StringIO
from pathlib import Path

import boto3
import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError

from bench import localdynamo
from bench.localdynamo import LocalDynamo, free_port
from bench.management.commands import localdynamodb

PROJECT_DIR = Path(settings.BASE_DIR)


def run_localdynamodb(*args: str) -> str:
    out = StringIO()
    call_command("localdynamodb", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def process_exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--port", "abc"], "--port 'abc' is not a whole number: give a port in 1..65535."),
        (["--port", "0"], "--port 0 is out of range: give a port in 1..65535."),
        (["--port", "65536"], "--port 65536 is out of range: give a port in 1..65535."),
        (["--path", " "], "--path is empty: give a directory for the data."),
    ],
)
def test_localdynamodb_rejects_bad_arguments(args: list[str], message: str) -> None:
    with pytest.raises(CommandError, match=f"^{message.replace('.', '[.]')}$"):
        run_localdynamodb(*args)


def test_a_relative_path_is_under_the_project_and_an_absolute_one_is_kept(tmp_path: Path) -> None:
    assert localdynamodb.data_path("var/dynamodb") == Path(settings.BASE_DIR) / "var/dynamodb"
    assert localdynamodb.data_path(str(tmp_path)) == tmp_path


def test_missing_node_modules_says_to_run_make_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(localdynamo, "DEFAULT_BINARY", tmp_path / "node_modules/.bin/dynalite")

    with pytest.raises(CommandError, match=r"is missing\): run `make install`\.$"):
        run_localdynamodb("--port", str(free_port()), "--path", str(tmp_path / "db"))


@pytest.mark.integration
def test_localdynamodb_serves_until_ctrl_c_then_stops_dynalite(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    port = free_port()
    seen: dict[str, object] = {}

    def use_then_ctrl_c(server: LocalDynamo) -> int:
        client = boto3.client("dynamodb", endpoint_url=server.endpoint_url, region_name="us-east-1")
        seen["tables"] = client.list_tables()["TableNames"]
        seen["pid"] = server.pid
        raise KeyboardInterrupt

    monkeypatch.setattr(LocalDynamo, "wait", use_then_ctrl_c)

    out = run_localdynamodb("--port", str(port), "--path", str(tmp_path / "db"))

    assert out == (
        f"Local DynamoDB (dynalite) listening on http://127.0.0.1:{port}, data in "
        f"{tmp_path / 'db'}.\nUse it with DYNAMODB_ENDPOINT_URL=http://127.0.0.1:{port}; "
        "press Ctrl-C to stop.\n\nStopped the local DynamoDB.\n"
    )
    assert seen["tables"] == []
    assert isinstance(seen["pid"], int) and not process_exists(seen["pid"])


@pytest.mark.integration
def test_localdynamodb_fails_when_dynalite_dies_by_itself(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_wait = LocalDynamo.wait

    def crash(server: LocalDynamo) -> int:
        assert server.pid is not None
        os.kill(server.pid, signal.SIGKILL)
        return real_wait(server)

    monkeypatch.setattr(LocalDynamo, "wait", crash)

    with pytest.raises(CommandError, match=r"^dynalite stopped by itself \(exit code -9\)\.$"):
        run_localdynamodb("--port", str(free_port()), "--path", str(tmp_path))


def test_the_crash_message_carries_what_dynalite_wrote_to_stderr(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    binary = tmp_path / "dynalite"
    binary.write_text(
        '#!/bin/sh\necho "Dynalite listening at: x"\nsleep 0.2\necho "Error: disk full" >&2\n'
        "exit 1\n"
    )
    binary.chmod(0o755)
    monkeypatch.setattr(localdynamo, "DEFAULT_BINARY", binary)

    with pytest.raises(
        CommandError, match=r"^dynalite stopped by itself \(exit code 1\): Error: disk full$"
    ):
        run_localdynamodb("--port", str(free_port()), "--path", str(tmp_path / "db"))


@pytest.mark.integration
def test_ctrl_c_in_a_terminal_stops_the_command_and_dynalite(tmp_path: Path) -> None:
    port = free_port()
    # Python ignores SIGINT if it was started with SIGINT ignored (as under some CI shells).
    launcher = textwrap.dedent(
        f"""
        import runpy, signal, sys
        signal.signal(signal.SIGINT, signal.default_int_handler)
        sys.argv = ["manage.py", "localdynamodb", "--port", "{port}", "--path", {str(tmp_path)!r}]
        runpy.run_path({str(PROJECT_DIR / "manage.py")!r}, run_name="__main__")
        """
    )
    command = subprocess.Popen(
        [sys.executable, "-c", launcher],
        cwd=PROJECT_DIR,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert command.stdout is not None
    first_line = command.stdout.readline()
    dynalite_pids = subprocess.run(
        ["pgrep", "-f", f"dynalite --host 127.0.0.1 --port {port}"],
        capture_output=True,
        text=True,
        check=False,
    ).stdout.split()

    command.send_signal(signal.SIGINT)
    rest, errors = command.communicate(timeout=30)

    assert first_line.startswith(f"Local DynamoDB (dynalite) listening on http://127.0.0.1:{port}")
    assert (command.returncode, rest.splitlines()[-1], errors.count("Traceback")) == (
        0,
        "Stopped the local DynamoDB.",
        0,
    )
    assert len(dynalite_pids) == 1
    assert not process_exists(int(dynalite_pids[0]))
