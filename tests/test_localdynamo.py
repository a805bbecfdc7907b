"""The dynalite process manager: started, awaited, stopped, never left behind."""

import os
import re
import signal
import socket
import subprocess
import sys
import textwrap
import threading
import time
import weakref
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings

from bench import localdynamo
from bench.dynamo import table
from bench.localdynamo import LocalDynamo, LocalDynamoError

PROJECT_DIR = Path(settings.BASE_DIR)


def process_exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def wait_until_gone(pid: int, *, seconds: float = 10.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if not process_exists(pid):
            return True
        time.sleep(0.05)
    return False


def make_fake_binary(directory: Path, *, script: str) -> Path:
    """An executable shell script standing in for dynalite."""
    binary = directory / "fake-dynalite"
    binary.write_text("#!/bin/sh\n" + textwrap.dedent(script))
    binary.chmod(0o755)
    return binary


LISTENS_FOREVER = """\
    echo "Dynalite listening at: http://127.0.0.1:$4"
    exec sleep 60
"""


@pytest.fixture
def restore_signal_handlers() -> Iterator[None]:
    saved = {signum: signal.getsignal(signum) for signum in (signal.SIGTERM, signal.SIGHUP)}
    yield
    for signum, handler in saved.items():
        signal.signal(signum, handler)


@pytest.fixture
def listening_socket() -> Iterator[int]:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        yield sock.getsockname()[1]


# --- against the real dynalite ---


@pytest.mark.integration
def test_local_ddb_fixture_gives_an_empty_table_on_dynalite(local_ddb: table.Target) -> None:
    description = table.client().describe_table(TableName=local_ddb.table_name)["Table"]

    assert (description["TableStatus"], description["ItemCount"]) == ("ACTIVE", 0)
    assert local_ddb.endpoint_url is not None
    assert local_ddb.endpoint_url.startswith("http://127.0.0.1:")


@pytest.mark.integration
def test_context_manager_starts_dynalite_on_a_free_port_and_stops_it(tmp_path: Path) -> None:
    with LocalDynamo(path=tmp_path / "db", fast_tables=True) as server:
        pid = server.pid
        running_inside = server.running
        tables = table_names(server.endpoint_url)

    assert pid is not None
    assert (running_inside, tables, server.running, server.pid) == (True, [], False, None)
    assert not process_exists(pid)
    assert (tmp_path / "db").is_dir()


@pytest.mark.integration
def test_dynalite_keeps_its_data_on_disk_across_restarts(tmp_path: Path) -> None:
    with LocalDynamo(path=tmp_path / "db", fast_tables=True) as server:
        create_table_named("kept", endpoint_url=server.endpoint_url)

    with LocalDynamo(path=tmp_path / "db", fast_tables=True) as server:
        tables = table_names(server.endpoint_url)

    assert tables == ["kept"]


@pytest.mark.integration
def test_an_exception_inside_the_block_still_stops_dynalite(tmp_path: Path) -> None:
    pids: list[int | None] = []

    with pytest.raises(RuntimeError, match="^boom$"), LocalDynamo(path=tmp_path) as server:
        pids.append(server.pid)
        raise RuntimeError("boom")

    assert pids[0] is not None
    assert not process_exists(pids[0])


@pytest.mark.integration
def test_sigterm_to_python_stops_dynalite_too(tmp_path: Path) -> None:
    script = textwrap.dedent(
        f"""
        import sys, time
        sys.path.insert(0, {str(PROJECT_DIR)!r})
        from pathlib import Path
        from bench.localdynamo import LocalDynamo
        with LocalDynamo(path=Path({str(tmp_path)!r})) as server:
            print(server.pid, flush=True)
            time.sleep(60)
        """
    )
    parent = subprocess.Popen(
        [sys.executable, "-c", script], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    assert parent.stdout is not None
    dynalite_pid = int(parent.stdout.readline())

    parent.send_signal(signal.SIGTERM)
    code = parent.wait(timeout=30)

    assert code == 128 + signal.SIGTERM
    assert wait_until_gone(dynalite_pid)


def table_names(endpoint_url: str) -> list[str]:
    import boto3

    client = boto3.client("dynamodb", endpoint_url=endpoint_url, region_name="us-east-1")
    return client.list_tables()["TableNames"]


def create_table_named(name: str, *, endpoint_url: str) -> None:
    import boto3

    boto3.client("dynamodb", endpoint_url=endpoint_url, region_name="us-east-1").create_table(
        TableName=name,
        AttributeDefinitions=[{"AttributeName": "PK", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "PK", "KeyType": "HASH"}],
        BillingMode="PAY_PER_REQUEST",
    )


# --- failures, with stand-ins for the binary ---


def test_missing_binary_says_to_run_make_install(tmp_path: Path) -> None:
    server = LocalDynamo(binary=tmp_path / "node_modules" / ".bin" / "dynalite")

    with pytest.raises(
        LocalDynamoError,
        match=r"^dynalite is not installed \(.*/node_modules/\.bin/dynalite is missing\): "
        r"run `make install`\.$",
    ):
        server.start()


def test_default_binary_is_looked_up_when_the_server_is_made(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(localdynamo, "DEFAULT_BINARY", tmp_path / "elsewhere")

    assert LocalDynamo().binary == tmp_path / "elsewhere"


def test_a_binary_that_cannot_be_executed_says_to_run_make_install(tmp_path: Path) -> None:
    binary = tmp_path / "dynalite"
    binary.write_text("not a program")

    with pytest.raises(LocalDynamoError, match=r"^dynalite could not be started \(.*Permission"):
        LocalDynamo(binary=binary).start()


def test_a_process_that_dies_at_start_reports_its_exit_code_and_stderr(tmp_path: Path) -> None:
    binary = make_fake_binary(tmp_path, script="echo 'Error: no leveldb' >&2\nexit 3\n")
    server = LocalDynamo(binary=binary)

    with pytest.raises(
        LocalDynamoError,
        match=r"^dynalite exited with code 3 before listening on http://127\.0\.0\.1:\d+: "
        r"Error: no leveldb$",
    ):
        server.start()

    assert (server.running, server.last_stderr) == (False, "Error: no leveldb")


def test_a_silent_death_ends_the_message_with_a_full_stop(tmp_path: Path) -> None:
    binary = make_fake_binary(tmp_path, script="exit 1\n")

    with pytest.raises(LocalDynamoError, match=r"before listening on http://127\.0\.0\.1:\d+\.$"):
        LocalDynamo(binary=binary).start()


def test_a_free_port_taken_by_someone_else_is_retried_three_times(tmp_path: Path) -> None:
    attempts = tmp_path / "attempts"
    binary = make_fake_binary(
        tmp_path, script=f"echo x >> {attempts}\necho 'listen EADDRINUSE' >&2\nexit 1\n"
    )

    with pytest.raises(
        LocalDynamoError,
        match=r"^dynalite could not bind a free port on 127\.0\.0\.1 after 3 tries\.$",
    ):
        LocalDynamo(binary=binary).start()

    assert attempts.read_text().splitlines() == ["x", "x", "x"]


def test_a_retried_free_port_can_succeed(tmp_path: Path) -> None:
    attempts = tmp_path / "attempts"
    binary = make_fake_binary(
        tmp_path,
        script=f"""\
            echo x >> {attempts}
            if [ "$(wc -l < {attempts})" -lt 2 ]; then echo EADDRINUSE >&2; exit 1; fi
            {LISTENS_FOREVER}
        """,
    )

    with LocalDynamo(binary=binary) as server:
        running = server.running

    assert (running, attempts.read_text().splitlines()) == (True, ["x", "x"])


def test_a_chosen_port_already_in_use_is_refused_before_starting(
    tmp_path: Path, listening_socket: int
) -> None:
    binary = make_fake_binary(tmp_path, script=LISTENS_FOREVER)

    with pytest.raises(
        LocalDynamoError,
        match=rf"^Port {listening_socket} on 127\.0\.0\.1 is already in use: stop whatever "
        r"listens there or choose another port\.$",
    ):
        LocalDynamo(port=listening_socket, binary=binary).start()


def test_a_chosen_port_taken_while_starting_is_reported_as_in_use(tmp_path: Path) -> None:
    binary = make_fake_binary(tmp_path, script="echo 'listen EADDRINUSE' >&2\nexit 1\n")
    port = localdynamo.free_port()

    with pytest.raises(LocalDynamoError, match=rf"^Port {port} on 127\.0\.0\.1 is already in use"):
        LocalDynamo(port=port, binary=binary).start()


def test_a_port_out_of_range_is_refused() -> None:
    with pytest.raises(LocalDynamoError, match=r"^Port 70000 is out of range: use 0\.\.65535"):
        LocalDynamo(port=70000)


def test_a_server_that_never_listens_is_stopped_after_the_startup_timeout(tmp_path: Path) -> None:
    pid_file = tmp_path / "pid"
    binary = make_fake_binary(
        tmp_path, script=f"echo $$ > {pid_file}\necho 'still loading' >&2\nexec sleep 60\n"
    )
    server = LocalDynamo(binary=binary, startup_timeout=0.5)

    with pytest.raises(
        LocalDynamoError,
        match=r"^dynalite did not listen on http://127\.0\.0\.1:\d+ within 0\.5 s: still loading$",
    ):
        server.start()

    assert wait_until_gone(int(pid_file.read_text()))
    assert not server.running


def test_stop_kills_a_process_that_ignores_sigterm(tmp_path: Path) -> None:
    binary = make_fake_binary(
        tmp_path,
        script="""\
            trap '' TERM
            echo "Dynalite listening at: http://127.0.0.1:$4"
            while true; do sleep 0.1; done
        """,
    )
    server = LocalDynamo(binary=binary, stop_timeout=0.3)
    server.start()
    pid = server.pid
    assert pid is not None

    server.stop()

    assert wait_until_gone(pid)
    assert server.pid is None


def test_stop_is_safe_to_repeat_and_before_start(tmp_path: Path) -> None:
    server = LocalDynamo(binary=make_fake_binary(tmp_path, script=LISTENS_FOREVER))
    server.stop()
    server.start()

    server.stop()
    server.stop()

    assert (server.running, server.pid, server.stderr_text()) == (False, None, "")


def test_starting_twice_is_refused(tmp_path: Path) -> None:
    with LocalDynamo(binary=make_fake_binary(tmp_path, script=LISTENS_FOREVER)) as server:
        with pytest.raises(LocalDynamoError, match=r"^dynalite is already running at http://"):
            server.start()
        assert server.running


def test_wait_returns_the_exit_code_of_the_process(tmp_path: Path) -> None:
    binary = make_fake_binary(
        tmp_path, script='echo "Dynalite listening at: x"\nsleep 0.2\nexit 7\n'
    )
    server = LocalDynamo(binary=binary)
    server.start()

    code = server.wait()

    server.stop()
    assert code == 7


def test_wait_before_start_is_refused() -> None:
    with pytest.raises(LocalDynamoError, match=r"^dynalite is not running\.$"):
        LocalDynamo().wait()


def test_command_line_has_host_port_path_and_fast_table_options(tmp_path: Path) -> None:
    fast = LocalDynamo(port=8001, path=tmp_path, fast_tables=True, binary=Path("dynalite"))
    plain = LocalDynamo(port=8002, binary=Path("dynalite"))

    assert fast.command() == [
        "dynalite",
        "--host",
        "127.0.0.1",
        "--port",
        "8001",
        "--path",
        str(tmp_path),
        "--createTableMs",
        "0",
        "--deleteTableMs",
        "0",
        "--updateTableMs",
        "0",
    ]
    assert plain.command() == ["dynalite", "--host", "127.0.0.1", "--port", "8002"]
    assert plain.endpoint_url == "http://127.0.0.1:8002"


def test_servers_left_running_are_stopped_at_interpreter_exit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Only this test's server: the session's dynalite is registered too.
    monkeypatch.setattr(localdynamo, "_running", weakref.WeakSet())
    server = LocalDynamo(binary=make_fake_binary(tmp_path, script=LISTENS_FOREVER))
    server.start()
    pid = server.pid
    assert pid is not None
    assert set(localdynamo._running) == {server}

    localdynamo._stop_all()

    assert wait_until_gone(pid)
    assert not server.running


def test_free_port_can_be_bound_and_port_in_use_sees_a_listener(listening_socket: int) -> None:
    port = localdynamo.free_port()

    assert not localdynamo.port_in_use("127.0.0.1", port)
    assert localdynamo.port_in_use("127.0.0.1", listening_socket)


# --- termination signals ---


@pytest.mark.usefixtures("restore_signal_handlers")
def test_termination_signals_become_system_exit_where_no_handler_is_set() -> None:
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGHUP, signal.SIG_IGN)

    localdynamo._exit_on_termination_signals()

    assert signal.getsignal(signal.SIGTERM) is localdynamo._raise_system_exit
    assert signal.getsignal(signal.SIGHUP) is signal.SIG_IGN
    with pytest.raises(SystemExit) as exited:
        localdynamo._raise_system_exit(signal.SIGTERM, None)
    assert exited.value.code == 128 + signal.SIGTERM


@pytest.mark.usefixtures("restore_signal_handlers")
def test_signal_handlers_are_left_alone_outside_the_main_thread() -> None:
    signal.signal(signal.SIGTERM, signal.SIG_DFL)

    worker = threading.Thread(target=localdynamo._exit_on_termination_signals)
    worker.start()
    worker.join()

    assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL


def test_a_data_directory_under_a_file_is_refused_before_starting(tmp_path: Path) -> None:
    afile = tmp_path / "afile"
    afile.write_text("not a directory")
    server = LocalDynamo(path=afile / "data")

    with pytest.raises(
        LocalDynamoError,
        match=re.escape(
            f"Cannot use {afile / 'data'} as dynalite's data directory: Not a directory."
        ),
    ):
        server.start()

    assert (server.running, server.pid) == (False, None)
