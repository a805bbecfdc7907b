"""A dynalite process (the local DynamoDB) that is started, awaited and always stopped.

Used by ``manage.py localdynamodb`` (in the foreground), ``runbenchmark --local``, the test
fixtures and the speed measurements::

    with LocalDynamo(port=0, path=tmp_dir, fast_tables=True) as server:
        table.configure(table_name="t", endpoint_url=server.endpoint_url, region="us-east-1")

The process runs in its own session (so a Ctrl-C in the terminal reaches only Python, which then
stops it in order) and is stopped on exit from the ``with`` block, on ``stop()``, and at
interpreter exit for anything left running. SIGTERM and SIGHUP, which would otherwise end Python
without any clean-up, are turned into ``SystemExit`` while a server runs, so they stop it too.
Only SIGKILL of the Python process can leave dynalite behind.
"""

import atexit
import contextlib
import os
import signal
import socket
import subprocess
import tempfile
import threading
import time
import weakref
from pathlib import Path
from types import TracebackType
from typing import IO, Self

DEFAULT_BINARY = Path(__file__).resolve().parent.parent / "node_modules" / ".bin" / "dynalite"
LOOPBACK = "127.0.0.1"
# What dynalite prints once its server is listening (cli.js).
READY_LINE = b"Dynalite listening at:"
ADDRESS_IN_USE = b"EADDRINUSE"
_FREE_PORT_TRIES = 3

_running: "weakref.WeakSet[LocalDynamo]" = weakref.WeakSet()


class LocalDynamoError(Exception):
    """dynalite could not be started, or stopped answering; the message says what to do."""


def free_port(host: str = LOOPBACK) -> int:
    """A TCP port nobody listens on right now (it may be taken again before it is used)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        port: int = sock.getsockname()[1]
        return port


def port_in_use(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        try:
            sock.bind((host, port))
        except OSError:
            return True
        return False


class LocalDynamo:
    """One dynalite server on ``host:port``; ``port=0`` picks a free loopback port."""

    def __init__(
        self,
        *,
        port: int = 0,
        path: Path | None = None,
        host: str = LOOPBACK,
        fast_tables: bool = False,
        binary: Path | None = None,
        startup_timeout: float = 20.0,
        stop_timeout: float = 5.0,
    ) -> None:
        if not 0 <= port <= 65535:
            raise LocalDynamoError(f"Port {port} is out of range: use 0..65535 (0 = any free).")
        self.requested_port = port
        self.port = port
        self.path = path
        self.host = host
        self.fast_tables = fast_tables
        # Looked up at construction (not definition) time, so tests can point it elsewhere.
        self.binary = binary or DEFAULT_BINARY
        self.startup_timeout = startup_timeout
        self.stop_timeout = stop_timeout
        self._process: subprocess.Popen[bytes] | None = None
        self._stdout: IO[bytes] | None = None
        self._stderr: IO[bytes] | None = None
        self._logs: list[IO[bytes]] = []
        self.last_stderr = ""

    @property
    def endpoint_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    @property
    def pid(self) -> int | None:
        return None if self._process is None else self._process.pid

    def command(self) -> list[str]:
        argv = [str(self.binary), "--host", self.host, "--port", str(self.port)]
        if self.path is not None:
            argv += ["--path", str(self.path)]
        if self.fast_tables:
            argv += ["--createTableMs", "0", "--deleteTableMs", "0", "--updateTableMs", "0"]
        return argv

    def start(self) -> str:
        """Start dynalite and wait until it listens; returns the endpoint URL."""
        if self._process is not None:
            raise LocalDynamoError(f"dynalite is already running at {self.endpoint_url}.")
        if not self.binary.exists():
            raise LocalDynamoError(
                f"dynalite is not installed ({self.binary} is missing): run `make install`."
            )
        if self.path is not None:
            try:
                self.path.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise LocalDynamoError(
                    f"Cannot use {self.path} as dynalite's data directory: {exc.strerror}."
                ) from None
        _exit_on_termination_signals()
        tries = _FREE_PORT_TRIES if self.requested_port == 0 else 1
        for attempt in range(1, tries + 1):
            if self.requested_port == 0:
                self.port = free_port(self.host)
            elif port_in_use(self.host, self.port):
                raise LocalDynamoError(
                    f"Port {self.port} on {self.host} is already in use: stop whatever listens "
                    "there or choose another port."
                )
            try:
                self._spawn()
                self._wait_until_listening()
            except _AddressInUseError:
                # Another process took the free port between our check and dynalite's bind.
                if attempt == tries:
                    raise LocalDynamoError(
                        f"dynalite could not bind a free port on {self.host} after {tries} tries."
                    ) from None
                continue
            except BaseException:
                self.stop()
                raise
            return self.endpoint_url
        raise AssertionError("unreachable")  # pragma: no cover - the loop returns or raises

    def _spawn(self) -> None:
        self._stdout = tempfile.TemporaryFile()  # noqa: SIM115 - closed in _release()
        self._stderr = tempfile.TemporaryFile()  # noqa: SIM115 - closed in _release()
        self._logs = [self._stdout, self._stderr]
        try:
            self._process = subprocess.Popen(
                self.command(),
                stdin=subprocess.DEVNULL,
                stdout=self._stdout,
                stderr=self._stderr,
                start_new_session=True,
            )
        except OSError as exc:
            self._release()
            raise LocalDynamoError(
                f"dynalite could not be started ({exc}): run `make install`."
            ) from exc
        _running.add(self)

    def _wait_until_listening(self) -> None:
        assert self._process is not None and self._stdout is not None
        deadline = time.monotonic() + self.startup_timeout
        while True:
            if READY_LINE in _read_all(self._stdout):
                return
            code = self._process.poll()
            if code is not None:
                stderr = self.stderr_text()
                self._release()
                if ADDRESS_IN_USE.decode() in stderr:
                    if self.requested_port == 0:
                        raise _AddressInUseError
                    raise LocalDynamoError(
                        f"Port {self.port} on {self.host} is already in use: stop whatever "
                        "listens there or choose another port."
                    )
                raise LocalDynamoError(
                    f"dynalite exited with code {code} before listening on {self.endpoint_url}"
                    f"{_stderr_suffix(stderr)}"
                )
            if time.monotonic() > deadline:
                raise LocalDynamoError(
                    f"dynalite did not listen on {self.endpoint_url} within "
                    f"{self.startup_timeout:g} s{_stderr_suffix(self.stderr_text())}"
                )
            time.sleep(0.02)

    def stderr_text(self) -> str:
        """What the process wrote to stderr so far (for error messages)."""
        if self._stderr is None:
            return ""
        return _read_all(self._stderr).decode(errors="replace").strip()

    def wait(self) -> int:
        """Block until the process ends (the foreground command); returns its exit code."""
        if self._process is None:
            raise LocalDynamoError("dynalite is not running.")
        return self._process.wait()

    def stop(self) -> None:
        """Stop the process (SIGTERM, then SIGKILL after ``stop_timeout``); safe to repeat."""
        process = self._process
        if process is None:
            return
        if process.poll() is None:
            _signal_group(process, signal.SIGTERM)
            try:
                process.wait(timeout=self.stop_timeout)
            except subprocess.TimeoutExpired:
                _signal_group(process, signal.SIGKILL)
                process.wait()
        self._release()

    def _release(self) -> None:
        _running.discard(self)
        self.last_stderr = self.stderr_text()
        self._process = None
        for handle in self._logs:
            handle.close()
        self._logs = []
        self._stdout = self._stderr = None

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()


class _AddressInUseError(Exception):
    pass


def _read_all(handle: IO[bytes]) -> bytes:
    return os.pread(handle.fileno(), 1 << 20, 0)


def _stderr_suffix(stderr: str) -> str:
    if not stderr:
        return "."
    return f": {stderr[-2000:]}"


def _signal_group(process: "subprocess.Popen[bytes]", signum: signal.Signals) -> None:
    # The process leads its own session; signalling the group also ends anything it spawned.
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signum)


def _raise_system_exit(signum: int, frame: object) -> None:
    raise SystemExit(128 + signum)


def _exit_on_termination_signals() -> None:
    """Let SIGTERM/SIGHUP unwind the stack (``with`` blocks, atexit) instead of killing Python.

    Only from the main thread (the only one that may set handlers) and only where nobody has
    set a handler of their own.
    """
    if threading.current_thread() is not threading.main_thread():
        return
    for signum in (signal.SIGTERM, signal.SIGHUP):
        if signal.getsignal(signum) is signal.SIG_DFL:
            signal.signal(signum, _raise_system_exit)


@atexit.register
def _stop_all() -> None:
    for server in list(_running):
        server.stop()
