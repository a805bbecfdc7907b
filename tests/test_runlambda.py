"""``manage.py runlambda``: the app served through the Lambda handler as a Function URL."""

import json
import os
import re
import signal
import socket
import threading
import time
from io import StringIO

import pytest
import urllib3
from django.core.management import ManagementUtility, call_command
from django.core.management.base import CommandError

from bench.localdynamo import free_port


def wait_until_listening(port: int, *, seconds: float = 20.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.05)
    raise AssertionError(f"nothing listened on port {port}")


def test_runlambda_serves_the_app_until_ctrl_c() -> None:
    port = free_port()
    answers: list[urllib3.BaseHTTPResponse] = []

    def client() -> None:
        try:
            wait_until_listening(port)
            pool = urllib3.HTTPConnectionPool("127.0.0.1", port, retries=False, timeout=30)
            answers.append(pool.request("GET", "/openapi.json"))
        finally:
            os.kill(os.getpid(), signal.SIGINT)  # what Ctrl-C in the terminal does

    stdout = StringIO()
    thread = threading.Thread(target=client)
    thread.start()

    call_command("runlambda", "--port", str(port), stdout=stdout, stderr=StringIO())
    thread.join()

    assert answers[0].status == 200
    assert json.loads(answers[0].data)["info"]["title"] == "lambda-sqlite-bench"
    lines = stdout.getvalue().splitlines()
    assert lines[0] == (
        f"Serving benchsite.wsgi.lambda_handler as a Function URL at http://127.0.0.1:{port}/ "
        "(Ctrl-C to stop)."
    )
    assert re.fullmatch(r"GET /openapi\.json 200 \d+\.\d ms", lines[1])
    assert lines[-1].endswith("Stopped after 1 request(s).")
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", port), timeout=5)


def test_runlambda_is_quiet_about_requests_at_verbosity_zero() -> None:
    port = free_port()

    def client() -> None:
        try:
            wait_until_listening(port)
            urllib3.HTTPConnectionPool("127.0.0.1", port, retries=False).request("GET", "/x")
        finally:
            os.kill(os.getpid(), signal.SIGINT)

    stdout = StringIO()
    thread = threading.Thread(target=client)
    thread.start()

    call_command("runlambda", "--port", str(port), verbosity=0, stdout=stdout, stderr=StringIO())
    thread.join()

    lines = stdout.getvalue().splitlines()
    assert len(lines) == 2
    assert lines[1].endswith("Stopped after 1 request(s).")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--port", "70000"], "--port 70000 is out of range: use 0..65535 (0 = any free port)."),
        (["--port", "-1"], "--port -1 is out of range: use 0..65535 (0 = any free port)."),
        (["--host", " "], "--host is empty: give an address such as 127.0.0.1."),
        (["--memory", "64"], "--memory 64 is out of range: use 128..10240 (MB)."),
        (
            ["--port", "abc"],
            "--port 'abc' is not a whole number: use 0..65535 (0 = any free port).",
        ),
        (["--memory", "1.5"], "--memory '1.5' is not a whole number: use 128..10240 (MB)."),
    ],
)
def test_runlambda_rejects_bad_arguments(args: list[str], message: str) -> None:
    with pytest.raises(CommandError, match=f"^{re.escape(message)}$"):
        call_command("runlambda", *args, stdout=StringIO(), stderr=StringIO())


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--port", "abc"],
            "--port 'abc' is not a whole number: use 0..65535 (0 = any free port).",
        ),
        (["--memory", "abc"], "--memory 'abc' is not a whole number: use 128..10240 (MB)."),
    ],
)
def test_a_number_that_is_not_one_exits_1_with_a_sentence(
    args: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as caught:
        ManagementUtility(["manage.py", "runlambda", *args]).execute()

    assert caught.value.code == 1
    assert capsys.readouterr().err == f"CommandError: {message}\n"


def test_runlambda_says_when_the_port_is_taken() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]

        with pytest.raises(
            CommandError,
            match=re.escape(
                f"Port {port} on 127.0.0.1 is already in use: stop whatever listens there or "
                "pass another --port."
            ),
        ):
            call_command("runlambda", "--port", str(port), stdout=StringIO(), stderr=StringIO())


def test_runlambda_says_when_the_address_cannot_be_used() -> None:
    with pytest.raises(CommandError, match=r"^Cannot listen on 192\.0\.2\.1:8080: .+\.$"):
        call_command(
            "runlambda",
            "--host",
            "192.0.2.1",
            "--port",
            "8080",
            stdout=StringIO(),
            stderr=StringIO(),
        )
