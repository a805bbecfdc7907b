"""Serve a Lambda handler over HTTP the way a Lambda Function URL invokes it (payload format 2.0).

``runlambda`` and ``runbenchmark --local`` put ``benchsite.wsgi.lambda_handler`` behind this
server, so a local request travels the same path as one on AWS: HTTP request -> Function URL
event -> handler -> response payload -> HTTP response.

The translation follows the AWS Lambda developer guide, "Invoking Lambda function URLs",
request and response payloads:

- ``rawPath`` and ``rawQueryString`` are the request line's path and query, unchanged;
  ``queryStringParameters`` holds the decoded parameters, repeated keys joined with commas, and
  is left out when there is no query.
- ``headers`` have lower-case names; a repeated header's values are joined with commas. The
  ``Cookie`` header is moved to ``cookies`` (one entry per cookie). Like AWS, the server adds
  ``x-forwarded-for``, ``x-forwarded-proto``, ``x-forwarded-port`` and ``x-amzn-trace-id``.
- ``body`` is left out when the request has none; it is plain text when the content type is
  textual and otherwise base64 with ``isBase64Encoded`` true (what the guide calls a binary
  payload; a request without a content type counts as binary).
- The response's ``cookies`` become ``Set-Cookie`` headers; a base64 body is decoded.

A Lambda execution environment serves one request at a time: the server does the same (one
handler call at a time, in arrival order), so per-container state such as ``cold_start`` and the
``/tmp`` copy behaves as on AWS. It never logs events or headers; only one line per request
(method, path, status, time) when given a ``log`` callable.
"""

import base64
import binascii
import contextlib
import json
import secrets
import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self
from urllib.parse import parse_qsl, urlsplit

Event = dict[str, Any]
Handler = Callable[[Event, Any], Any]

LOCAL_URL_ID = "local"
LOCAL_ACCOUNT_ID = "anonymous"  # what a Function URL with auth type NONE reports
DEFAULT_FUNCTION_NAME = "aws-lambda-sqlite-local"
DEFAULT_MEMORY_MB = 1024
DEFAULT_TIMEOUT_SECONDS = 900
MAX_REQUEST_BYTES = 6 * 1024 * 1024  # the Function URL request payload limit
IDLE_CONNECTION_SECONDS = 60
TEXT_CONTENT_TYPES = (
    "text/",
    "application/json",
    "application/javascript",
    "application/xml",
    "application/x-yaml",
    "application/yaml",
)
TEXT_CONTENT_SUFFIXES = ("+json", "+xml")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


@dataclass(frozen=True)
class IncomingRequest:
    """An HTTP request as the server read it off the wire."""

    method: str
    target: str  # the request line's target: path plus optional "?query"
    headers: list[tuple[str, str]]
    body: bytes = b""
    source_ip: str = "127.0.0.1"
    protocol: str = "HTTP/1.1"


@dataclass(frozen=True)
class OutgoingResponse:
    status: int
    headers: list[tuple[str, str]]
    body: bytes


class InvalidResponseError(Exception):
    """The handler returned something a Function URL could not turn into an HTTP response."""


def is_text_content_type(content_type: str | None) -> bool:
    if not content_type:
        return False
    media_type = content_type.split(";", 1)[0].strip().lower()
    return media_type.startswith(TEXT_CONTENT_TYPES) or media_type.endswith(TEXT_CONTENT_SUFFIXES)


def format_request_time(moment: datetime) -> str:
    """``requestContext.time``: ``12/Mar/2020:19:03:58 +0000`` (month names never localised)."""
    utc = moment.astimezone(UTC)
    return f"{utc:%d}/{_MONTHS[utc.month - 1]}/{utc:%Y:%H:%M:%S} +0000"


def make_trace_id(moment: datetime) -> str:
    return f"Root=1-{int(moment.timestamp()):08x}-{secrets.token_hex(12)}"


def build_event(
    request: IncomingRequest,
    *,
    server_port: int,
    url_id: str = LOCAL_URL_ID,
    account_id: str = LOCAL_ACCOUNT_ID,
    now: datetime | None = None,
    request_id: str | None = None,
) -> Event:
    """The Function URL event (payload format 2.0) AWS would build for ``request``."""
    moment = now or datetime.now(UTC)
    split = urlsplit(request.target)
    raw_path = split.path or "/"
    raw_query = split.query

    headers: dict[str, str] = {}
    cookies: list[str] = []
    for name, value in request.headers:
        key = name.lower()
        if key == "cookie":
            cookies.extend(part.strip() for part in value.split(";") if part.strip())
            continue
        headers[key] = f"{headers[key]},{value}" if key in headers else value
    headers.setdefault("x-forwarded-for", request.source_ip)
    headers.setdefault("x-forwarded-proto", "http")
    headers.setdefault("x-forwarded-port", str(server_port))
    headers.setdefault("x-amzn-trace-id", make_trace_id(moment))
    host = headers.get("host", f"{LOCAL_URL_ID}:{server_port}")

    event: Event = {
        "version": "2.0",
        "routeKey": "$default",
        "rawPath": raw_path,
        "rawQueryString": raw_query,
    }
    if cookies:
        event["cookies"] = cookies
    event["headers"] = headers
    if raw_query:
        parameters: dict[str, str] = {}
        for key, value in parse_qsl(raw_query, keep_blank_values=True):
            parameters[key] = f"{parameters[key]},{value}" if key in parameters else value
        event["queryStringParameters"] = parameters
    event["requestContext"] = {
        "accountId": account_id,
        "apiId": url_id,
        "authentication": None,
        "domainName": host,
        "domainPrefix": url_id,
        "http": {
            "method": request.method,
            "path": raw_path,
            "protocol": request.protocol,
            "sourceIp": request.source_ip,
            "userAgent": headers.get("user-agent", ""),
        },
        "requestId": request_id or str(uuid.uuid4()),
        "routeKey": "$default",
        "stage": "$default",
        "time": format_request_time(moment),
        "timeEpoch": int(moment.timestamp() * 1000),
    }
    if request.body:
        if is_text_content_type(headers.get("content-type")):
            try:
                event["body"] = request.body.decode("utf-8")
                event["isBase64Encoded"] = False
            except UnicodeDecodeError:
                event["body"] = base64.b64encode(request.body).decode("ascii")
                event["isBase64Encoded"] = True
        else:
            event["body"] = base64.b64encode(request.body).decode("ascii")
            event["isBase64Encoded"] = True
    else:
        event["isBase64Encoded"] = False
    return event


def response_from_result(result: object) -> OutgoingResponse:
    """The HTTP response a Function URL sends for the handler's return value.

    A dict with ``statusCode`` is a response payload; any other JSON value is sent as a 200
    ``application/json`` body, as Lambda infers it.
    """
    if not isinstance(result, Mapping) or "statusCode" not in result:
        try:
            body = json.dumps(result).encode()
        except (TypeError, ValueError) as exc:
            raise InvalidResponseError(f"the handler returned a non-JSON value: {exc}") from exc
        return OutgoingResponse(200, [("content-type", "application/json")], body)
    status = result["statusCode"]
    if isinstance(status, bool) or not isinstance(status, int) or not 100 <= status <= 599:
        raise InvalidResponseError(f"statusCode {status!r} is not an HTTP status")
    raw_headers = result.get("headers") or {}
    cookies = result.get("cookies") or []
    raw_body = result.get("body") or ""
    if not isinstance(raw_headers, Mapping) or not isinstance(cookies, list):
        raise InvalidResponseError("headers must be an object and cookies a list")
    if not isinstance(raw_body, str):
        raise InvalidResponseError("body must be a string")
    headers = [(str(name), str(value)) for name, value in raw_headers.items()]
    headers += [("set-cookie", str(cookie)) for cookie in cookies]
    if result.get("isBase64Encoded"):
        try:
            body = base64.b64decode(raw_body, validate=True)
        except binascii.Error as exc:
            raise InvalidResponseError(f"body is not valid base64: {exc}") from exc
    else:
        body = raw_body.encode("utf-8")
    return OutgoingResponse(int(status), headers, body)


@dataclass
class LambdaContext:
    """The parts of the Lambda context object a handler may use."""

    aws_request_id: str
    function_name: str = DEFAULT_FUNCTION_NAME
    memory_limit_in_mb: int = DEFAULT_MEMORY_MB
    timeout_seconds: int = DEFAULT_TIMEOUT_SECONDS
    function_version: str = "$LATEST"
    log_stream_name: str = "local"
    _deadline: float = field(default=0.0, repr=False)

    def __post_init__(self) -> None:
        self._deadline = time.monotonic() + self.timeout_seconds

    @property
    def invoked_function_arn(self) -> str:
        return f"arn:aws:lambda:local:000000000000:function:{self.function_name}"

    @property
    def log_group_name(self) -> str:
        return f"/aws/lambda/{self.function_name}"

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.monotonic()) * 1000))


BAD_GATEWAY = OutgoingResponse(
    502, [("content-type", "application/json")], b'{"message":"Internal Server Error"}'
)


class FunctionUrlServer(ThreadingHTTPServer):
    """A local Function URL in front of ``handler``; ``port=0`` picks a free port.

    Use it in the foreground (``serve_forever``) or in a background thread::

        with FunctionUrlServer(handler, port=0).running() as server:
            requests.get(server.url + "status")
    """

    daemon_threads = True
    # Keep-alive clients each hold a connection; a deep backlog avoids refused connects.
    request_queue_size = 128

    def __init__(
        self,
        handler: Handler,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        function_name: str = DEFAULT_FUNCTION_NAME,
        memory_mb: int = DEFAULT_MEMORY_MB,
        timeout_seconds: int = DEFAULT_TIMEOUT_SECONDS,
        log: Callable[[str], None] | None = None,
    ) -> None:
        self.handler = handler
        self.host = host
        self.function_name = function_name
        self.memory_mb = memory_mb
        self.timeout_seconds = timeout_seconds
        self.log = log
        self.served = 0
        self._invoke_lock = threading.Lock()
        self._connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()
        self._thread: threading.Thread | None = None
        if ":" in host:
            self.address_family = socket.AF_INET6
        super().__init__((host, port), FunctionUrlRequestHandler)

    @property
    def port(self) -> int:
        port: int = self.server_address[1]
        return port

    @property
    def url(self) -> str:
        """The base URL, with a trailing slash (``http://127.0.0.1:PORT/``)."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}/"

    def invoke(self, request: IncomingRequest) -> OutgoingResponse:
        """One invocation: event in, HTTP response out (502 when the handler fails)."""
        request_id = str(uuid.uuid4())
        event = build_event(request, server_port=self.port, request_id=request_id)
        context = LambdaContext(
            aws_request_id=request_id,
            function_name=self.function_name,
            memory_limit_in_mb=self.memory_mb,
            timeout_seconds=self.timeout_seconds,
        )
        with self._invoke_lock:
            self.served += 1
            try:
                result = self.handler(event, context)
                response = response_from_result(result)
            except Exception as exc:  # noqa: BLE001 - any handler failure is a 502, as on AWS
                self.log_line(f"handler failed: {type(exc).__name__}: {exc}")
                return BAD_GATEWAY
        return OutgoingResponse(
            response.status, [*response.headers, ("x-amzn-requestid", request_id)], response.body
        )

    def log_line(self, line: str) -> None:
        if self.log is not None:
            self.log(line)

    def track(self, connection: socket.socket) -> None:
        with self._connections_lock:
            self._connections.add(connection)

    def open_connections(self) -> list[socket.socket]:
        """The client connections being served right now (kept-alive ones included)."""
        with self._connections_lock:
            return list(self._connections)

    def untrack(self, connection: socket.socket) -> None:
        with self._connections_lock:
            self._connections.discard(connection)

    def start(self) -> Self:
        """Serve in a daemon thread until ``stop()``."""
        thread = threading.Thread(
            target=self.serve_forever, name=f"function-url-{self.port}", daemon=True
        )
        self._thread = thread
        thread.start()
        return self

    def stop(self) -> None:
        """Stop serving, close the listening socket and every open connection; safe to repeat."""
        if self._thread is not None:
            self.shutdown()
            self._thread.join()
            self._thread = None
        self.server_close()
        for connection in self.open_connections():
            # Wakes handler threads blocked reading the next keep-alive request.
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)

    @contextlib.contextmanager
    def running(self) -> Iterator[Self]:
        """Serve in a background thread for the ``with`` block, always stopped on exit."""
        try:
            yield self.start()
        finally:
            self.stop()


class FunctionUrlRequestHandler(BaseHTTPRequestHandler):
    server: FunctionUrlServer
    protocol_version = "HTTP/1.1"  # keep-alive, as the benchmark client expects
    timeout = IDLE_CONNECTION_SECONDS
    # Headers and body leave in two writes; with Nagle's algorithm the second waits for the
    # client's delayed ACK (~40 ms on Linux) on every kept-alive request.
    disable_nagle_algorithm = True

    def setup(self) -> None:
        super().setup()
        self.server.track(self.connection)

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            self.server.untrack(self.connection)

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        self.invoke()

    do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = do_GET  # noqa: N815

    def invoke(self) -> None:
        started = time.perf_counter_ns()
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            self.send_plain(HTTPStatus.LENGTH_REQUIRED, "Send a Content-Length.")
            return
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            length = -1
        if length < 0:
            self.send_plain(HTTPStatus.BAD_REQUEST, "Content-Length is not a number.")
            return
        if length > MAX_REQUEST_BYTES:
            self.send_plain(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, "The request body is over 6 MB.")
            return
        request = IncomingRequest(
            method=self.command,
            target=self.path,
            headers=list(self.headers.items()),
            body=self.rfile.read(length) if length else b"",
            source_ip=self.client_address[0],
            protocol=self.request_version,
        )
        response = self.server.invoke(request)
        elapsed_ms = (time.perf_counter_ns() - started) / 1e6
        path = urlsplit(self.path).path
        self.server.log_line(f"{self.command} {path} {response.status} {elapsed_ms:.1f} ms")
        self.send(response)

    def send(self, response: OutgoingResponse) -> None:
        self.send_response(response.status)
        for name, value in response.headers:
            if name.lower() not in ("content-length", "connection", "transfer-encoding"):
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(response.body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(response.body)

    def send_plain(self, status: HTTPStatus, message: str) -> None:
        body = json.dumps({"message": message}).encode()
        self.close_connection = True
        self.send(OutgoingResponse(status, [("content-type", "application/json")], body))

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002, ANN401 - http.server's signature
        # The base class writes every request line (and malformed requests) to stderr.
        return
