"""The local Function URL: HTTP request -> payload 2.0 event -> handler -> HTTP response."""

import base64
import json
import re
import socket
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
import urllib3
from apig_wsgi import make_lambda_handler

from bench.functionurl import (
    FunctionUrlServer,
    IncomingRequest,
    InvalidResponseError,
    LambdaContext,
    OutgoingResponse,
    build_event,
    format_request_time,
    is_text_content_type,
    make_trace_id,
    response_from_result,
)

NOW = datetime(2020, 3, 12, 19, 3, 58, 390000, tzinfo=UTC)
TRACE = "Root=1-5e6a87de-0123456789abcdef01234567"


def make_request(
    *,
    method: str = "GET",
    target: str = "/",
    headers: list[tuple[str, str]] | None = None,
    body: bytes = b"",
    source_ip: str = "203.0.113.7",
) -> IncomingRequest:
    base = [("Host", "127.0.0.1:8080"), ("User-Agent", "agent/1.0"), ("X-Amzn-Trace-Id", TRACE)]
    return IncomingRequest(
        method=method, target=target, headers=base + (headers or []), body=body, source_ip=source_ip
    )


def make_event(request: IncomingRequest) -> dict[str, Any]:
    return build_event(request, server_port=8080, now=NOW, request_id="req-1")


def test_get_event_has_every_field_aws_sends() -> None:
    request = make_request(target="/sqlite-efs?query=all&limit=10")

    event = make_event(request)

    assert event == {
        "version": "2.0",
        "routeKey": "$default",
        "rawPath": "/sqlite-efs",
        "rawQueryString": "query=all&limit=10",
        "headers": {
            "host": "127.0.0.1:8080",
            "user-agent": "agent/1.0",
            "x-amzn-trace-id": TRACE,
            "x-forwarded-for": "203.0.113.7",
            "x-forwarded-proto": "http",
            "x-forwarded-port": "8080",
        },
        "queryStringParameters": {"query": "all", "limit": "10"},
        "requestContext": {
            "accountId": "anonymous",
            "apiId": "local",
            "authentication": None,
            "domainName": "127.0.0.1:8080",
            "domainPrefix": "local",
            "http": {
                "method": "GET",
                "path": "/sqlite-efs",
                "protocol": "HTTP/1.1",
                "sourceIp": "203.0.113.7",
                "userAgent": "agent/1.0",
            },
            "requestId": "req-1",
            "routeKey": "$default",
            "stage": "$default",
            "time": "12/Mar/2020:19:03:58 +0000",
            "timeEpoch": 1584039838390,
        },
        "isBase64Encoded": False,
    }


def test_repeated_query_keys_are_joined_with_commas_and_decoded() -> None:
    request = make_request(target="/p?a=1&a=2&name=J%C3%BCrgen+x&empty=")

    event = make_event(request)

    assert event["rawQueryString"] == "a=1&a=2&name=J%C3%BCrgen+x&empty="
    assert event["queryStringParameters"] == {"a": "1,2", "name": "Jürgen x", "empty": ""}


def test_request_without_query_has_no_query_parameters() -> None:
    event = make_event(make_request(target="/status"))

    assert (event["rawQueryString"], "queryStringParameters" in event) == ("", False)


def test_repeated_headers_are_lowercased_and_joined_with_commas() -> None:
    request = make_request(headers=[("X-Thing", "one"), ("x-thing", "two"), ("Accept", "*/*")])

    headers = make_event(request)["headers"]

    assert (headers["x-thing"], headers["accept"]) == ("one,two", "*/*")


def test_cookie_headers_become_the_cookies_list() -> None:
    request = make_request(headers=[("Cookie", "a=1; b=2"), ("Cookie", "c=3")])

    event = make_event(request)

    assert event["cookies"] == ["a=1", "b=2", "c=3"]
    assert "cookie" not in event["headers"]


def test_headers_aws_adds_are_not_overridden_when_the_client_sent_them() -> None:
    request = make_request(headers=[("X-Forwarded-For", "198.51.100.1")])

    assert make_event(request)["headers"]["x-forwarded-for"] == "198.51.100.1"


def test_missing_host_and_trace_id_are_filled_in() -> None:
    request = IncomingRequest(method="GET", target="/", headers=[])

    event = build_event(request, server_port=9000, now=NOW)

    assert event["requestContext"]["domainName"] == "local:9000"
    assert event["requestContext"]["http"]["userAgent"] == ""
    assert re.fullmatch(r"Root=1-5e6a879e-[0-9a-f]{24}", event["headers"]["x-amzn-trace-id"])
    assert re.fullmatch(r"[0-9a-f-]{36}", event["requestContext"]["requestId"])


def test_json_body_is_passed_as_text() -> None:
    request = make_request(
        method="POST",
        target="/insert",
        headers=[("Content-Type", "application/json")],
        body=b'{"count": 5}',
    )

    event = make_event(request)

    assert (event["body"], event["isBase64Encoded"]) == ('{"count": 5}', False)


@pytest.mark.parametrize(
    "content_type",
    [None, "application/octet-stream", "application/x-www-form-urlencoded", "image/png"],
)
def test_binary_body_is_base64_encoded(content_type: str | None) -> None:
    headers = [("Content-Type", content_type)] if content_type else []
    request = make_request(method="POST", headers=headers, body=b"\x00\xffcount=5")

    event = make_event(request)

    assert (event["body"], event["isBase64Encoded"]) == ("AP9jb3VudD01", True)


def test_text_body_that_is_not_utf8_is_base64_encoded() -> None:
    request = make_request(
        method="POST", headers=[("Content-Type", "text/plain")], body=b"\xff\xfe"
    )

    event = make_event(request)

    assert (event["body"], event["isBase64Encoded"]) == ("//4=", True)


def test_request_without_body_has_no_body_field() -> None:
    event = make_event(make_request(method="POST"))

    assert ("body" in event, event["isBase64Encoded"]) == (False, False)


@pytest.mark.parametrize(
    ("content_type", "text"),
    [
        ("text/csv; charset=utf-8", True),
        ("Application/JSON", True),
        ("application/problem+json", True),
        ("application/atom+xml", True),
        ("application/xml", True),
        ("application/octet-stream", False),
        ("", False),
        (None, False),
    ],
)
def test_text_content_types(content_type: str | None, text: bool) -> None:
    assert is_text_content_type(content_type) is text


def test_request_time_uses_english_month_names() -> None:
    assert format_request_time(datetime(2021, 9, 7, 22, 50, 22, tzinfo=UTC)) == (
        "07/Sep/2021:22:50:22 +0000"
    )


def test_trace_id_has_the_xray_shape() -> None:
    assert re.fullmatch(r"Root=1-5e6a879e-[0-9a-f]{24}", make_trace_id(NOW))


def test_response_payload_becomes_status_headers_cookies_and_body() -> None:
    result = {
        "statusCode": 201,
        "headers": {"content-type": "application/json", "x-custom": "v"},
        "cookies": ["a=1; Path=/", "b=2"],
        "body": '{"ok": true}',
        "isBase64Encoded": False,
    }

    response = response_from_result(result)

    assert response == OutgoingResponse(
        201,
        [
            ("content-type", "application/json"),
            ("x-custom", "v"),
            ("set-cookie", "a=1; Path=/"),
            ("set-cookie", "b=2"),
        ],
        b'{"ok": true}',
    )


def test_base64_response_body_is_decoded() -> None:
    result = {
        "statusCode": 200,
        "body": base64.b64encode(b"\x89PNG").decode(),
        "isBase64Encoded": True,
    }

    assert response_from_result(result) == OutgoingResponse(200, [], b"\x89PNG")


def test_plain_json_result_is_sent_as_a_json_200() -> None:
    assert response_from_result({"message": "hi"}) == OutgoingResponse(
        200, [("content-type", "application/json")], b'{"message": "hi"}'
    )


@pytest.mark.parametrize(
    ("result", "message"),
    [
        ({"statusCode": "200"}, "statusCode '200' is not an HTTP status"),
        ({"statusCode": True}, "statusCode True is not an HTTP status"),
        ({"statusCode": 99}, "statusCode 99 is not an HTTP status"),
        ({"statusCode": 200, "headers": ["x"]}, "headers must be an object"),
        ({"statusCode": 200, "cookies": "a=1"}, "cookies a list"),
        ({"statusCode": 200, "body": 5}, "body must be a string"),
        ({"statusCode": 200, "body": "!!", "isBase64Encoded": True}, "not valid base64"),
        ({"value": object()}, "non-JSON value"),
    ],
)
def test_invalid_handler_results_are_rejected(result: object, message: str) -> None:
    with pytest.raises(InvalidResponseError, match=re.escape(message)):
        response_from_result(result)


def test_lambda_context_counts_down_from_the_timeout() -> None:
    context = LambdaContext(aws_request_id="r", function_name="fn", timeout_seconds=30)

    remaining = context.get_remaining_time_in_millis()

    assert 0 < remaining <= 30_000
    assert context.invoked_function_arn == "arn:aws:lambda:local:000000000000:function:fn"
    assert context.log_group_name == "/aws/lambda/fn"


def test_lambda_context_never_reports_negative_time() -> None:
    context = LambdaContext(aws_request_id="r", timeout_seconds=0)

    time.sleep(0.01)

    assert context.get_remaining_time_in_millis() == 0


# --- the server, over real HTTP ---


class Recorder:
    """A Lambda handler that records its events and answers with a fixed payload."""

    def __init__(self, result: object | None = None, *, delay: float = 0.0) -> None:
        self.events: list[dict[str, Any]] = []
        self.contexts: list[Any] = []
        self.result = result or {"statusCode": 200, "headers": {}, "body": "ok"}
        self.delay = delay
        self.active = 0
        self.most_active = 0
        self._lock = threading.Lock()

    def __call__(self, event: dict[str, Any], context: Any) -> object:
        with self._lock:
            self.active += 1
            self.most_active = max(self.most_active, self.active)
        time.sleep(self.delay)
        self.events.append(event)
        self.contexts.append(context)
        with self._lock:
            self.active -= 1
        return self.result


@pytest.fixture
def serve() -> Iterator[Callable[..., FunctionUrlServer]]:
    servers: list[FunctionUrlServer] = []

    def start(handler: Any, **kwargs: Any) -> FunctionUrlServer:
        server = FunctionUrlServer(handler, port=0, **kwargs).start()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


def http() -> urllib3.PoolManager:
    return urllib3.PoolManager(retries=False, timeout=10)


def test_server_turns_a_request_into_an_event_and_the_payload_into_a_response(
    serve: Callable[..., FunctionUrlServer],
) -> None:
    recorder = Recorder(
        {
            "statusCode": 202,
            "headers": {"content-type": "text/plain", "x-one": "1"},
            "cookies": ["a=1", "b=2"],
            "body": base64.b64encode(b"binary\x00").decode(),
            "isBase64Encoded": True,
        }
    )
    server = serve(recorder, function_name="fn", memory_mb=512)

    response = http().request(
        "POST",
        server.url + "insert?x=1&x=2",
        body=b"\x01\x02",
        headers={"Cookie": "s=1; t=2", "Content-Type": "application/octet-stream"},
    )

    assert (response.status, response.data) == (202, b"binary\x00")
    assert response.headers.getlist("set-cookie") == ["a=1", "b=2"]
    assert (response.headers["x-one"], response.headers["content-length"]) == ("1", "7")
    event = recorder.events[0]
    assert (event["rawPath"], event["rawQueryString"]) == ("/insert", "x=1&x=2")
    assert event["queryStringParameters"] == {"x": "1,2"}
    assert event["cookies"] == ["s=1", "t=2"]
    assert (event["body"], event["isBase64Encoded"]) == ("AQI=", True)
    assert event["requestContext"]["http"]["sourceIp"] == "127.0.0.1"
    assert event["headers"]["x-forwarded-port"] == str(server.port)
    assert response.headers["x-amzn-requestid"] == event["requestContext"]["requestId"]
    context = recorder.contexts[0]
    assert (context.function_name, context.memory_limit_in_mb) == ("fn", 512)
    assert context.aws_request_id == event["requestContext"]["requestId"]


def echo_app(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
    """A WSGI app that answers with what apig-wsgi handed it."""
    body = environ["wsgi.input"].read(int(environ["CONTENT_LENGTH"] or 0))
    answer = {
        "method": environ["REQUEST_METHOD"],
        "path": environ["PATH_INFO"],
        "query": environ["QUERY_STRING"],
        "cookie": environ.get("HTTP_COOKIE"),
        "content_type": environ.get("CONTENT_TYPE"),
        "body": base64.b64encode(body).decode(),
        "remote": environ["REMOTE_ADDR"],
    }
    start_response("200 OK", [("Content-Type", "application/json"), ("Set-Cookie", "z=9")])
    return [json.dumps(answer).encode()]


def test_apig_wsgi_receives_the_request_intact(serve: Callable[..., FunctionUrlServer]) -> None:
    server = serve(make_lambda_handler(echo_app))

    response = http().request(
        "POST",
        server.url + "a%20b/c?q=1&q=2",
        body=b"\x00\xff{}",
        headers={"Cookie": "s=1; t=2", "Content-Type": "application/octet-stream"},
    )

    assert json.loads(response.data) == {
        "method": "POST",
        "path": "/a b/c",
        "query": "q=1&q=2",
        "cookie": "s=1;t=2",
        "content_type": "application/octet-stream",
        "body": base64.b64encode(b"\x00\xff{}").decode(),
        "remote": "127.0.0.1",
    }
    assert response.headers.getlist("set-cookie") == ["z=9"]


def test_handler_failure_is_a_502_and_logs_one_line_without_the_event(
    serve: Callable[..., FunctionUrlServer],
) -> None:
    lines: list[str] = []

    def failing(event: dict[str, Any], context: Any) -> object:
        raise RuntimeError("boom")

    server = serve(failing, log=lines.append)

    response = http().request("GET", server.url + "x", headers={"X-Secret": "s3cr3t"})

    assert (response.status, json.loads(response.data)) == (
        502,
        {"message": "Internal Server Error"},
    )
    assert lines[0] == "handler failed: RuntimeError: boom"
    assert re.fullmatch(r"GET /x 502 \d+\.\d ms", lines[1])
    assert not any("s3cr3t" in line for line in lines)


def test_invalid_handler_result_is_a_502(serve: Callable[..., FunctionUrlServer]) -> None:
    server = serve(Recorder({"statusCode": "nope"}))

    assert http().request("GET", server.url).status == 502


def test_log_line_has_method_path_status_and_time_only(
    serve: Callable[..., FunctionUrlServer],
) -> None:
    lines: list[str] = []
    server = serve(Recorder(), log=lines.append)

    http().request("GET", server.url + "status?token=abc", headers={"Cookie": "secret=1"})

    assert len(lines) == 1
    assert re.fullmatch(r"GET /status 200 \d+\.\d ms", lines[0])


def test_server_sets_content_length_itself(serve: Callable[..., FunctionUrlServer]) -> None:
    server = serve(Recorder({"statusCode": 200, "headers": {"Content-Length": "99"}, "body": "ab"}))

    response = http().request("GET", server.url)

    assert (response.headers.getlist("content-length"), response.data) == (["2"], b"ab")


def test_head_sends_headers_without_a_body(serve: Callable[..., FunctionUrlServer]) -> None:
    server = serve(Recorder({"statusCode": 200, "body": "12345"}))

    response = http().request("HEAD", server.url)

    assert (response.status, response.headers["content-length"], response.data) == (
        200,
        "5",
        b"",
    )


def raw_exchange(server: FunctionUrlServer, request: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        sock.sendall(request)
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


@pytest.mark.parametrize(
    ("headers", "status", "message"),
    [
        (b"Transfer-Encoding: chunked\r\n", b"411", b"Send a Content-Length."),
        (b"Content-Length: abc\r\n", b"400", b"Content-Length is not a number."),
        (b"Content-Length: -5\r\n", b"400", b"Content-Length is not a number."),
        (b"Content-Length: 7000000\r\n", b"413", b"The request body is over 6 MB."),
    ],
)
def test_unusable_request_bodies_are_refused_before_the_handler(
    serve: Callable[..., FunctionUrlServer], headers: bytes, status: bytes, message: bytes
) -> None:
    recorder = Recorder()
    server = serve(recorder)

    answer = raw_exchange(server, b"POST /insert HTTP/1.1\r\nHost: x\r\n" + headers + b"\r\n")

    assert answer.startswith(b"HTTP/1.1 " + status)
    assert answer.endswith(json.dumps({"message": message.decode()}).encode())
    assert recorder.events == []


def test_one_invocation_at_a_time_like_one_lambda_environment(
    serve: Callable[..., FunctionUrlServer],
) -> None:
    recorder = Recorder(delay=0.02)
    server = serve(recorder)
    pools = [urllib3.HTTPConnectionPool("127.0.0.1", server.port, maxsize=1) for _ in range(4)]

    threads = [
        threading.Thread(target=lambda p=pool: [p.request("GET", "/") for _ in range(3)])
        for pool in pools
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert (len(recorder.events), recorder.most_active, server.served) == (12, 1, 12)


def test_keep_alive_connection_is_reused(serve: Callable[..., FunctionUrlServer]) -> None:
    recorder = Recorder()
    server = serve(recorder)
    pool = urllib3.HTTPConnectionPool("127.0.0.1", server.port, maxsize=1)

    for _ in range(3):
        pool.request("GET", "/")

    assert pool.num_connections == 1
    assert len({e["requestContext"]["requestId"] for e in recorder.events}) == 3


def test_responses_are_not_held_back_by_nagle(serve: Callable[..., FunctionUrlServer]) -> None:
    # Headers and body go out in two writes; with Nagle the body would wait for a delayed ACK.
    server = serve(Recorder())
    pool = urllib3.HTTPConnectionPool("127.0.0.1", server.port, maxsize=1)

    pool.request("GET", "/")

    [connection] = server.open_connections()
    assert connection.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) == 1


def test_stop_closes_the_listener_and_idle_keep_alive_connections() -> None:
    server = FunctionUrlServer(Recorder(), port=0).start()
    idle = socket.create_connection(("127.0.0.1", server.port), timeout=10)
    idle.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
    first = b""
    while not first.endswith(b"\r\n\r\nok"):  # headers and body may arrive apart
        first += idle.recv(65536)

    server.stop()
    server.stop()  # a second stop is harmless

    assert first.startswith(b"HTTP/1.1 200")
    assert idle.recv(65536) == b""  # the server closed the kept-alive connection
    idle.close()
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", server.port), timeout=10)


def test_running_context_stops_the_server_on_error() -> None:
    server = FunctionUrlServer(Recorder(), port=0)

    with pytest.raises(RuntimeError, match="inside"), server.running():
        assert http().request("GET", server.url).status == 200
        raise RuntimeError("inside")

    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", server.port), timeout=10)


def test_ipv6_loopback_url_has_brackets() -> None:
    with FunctionUrlServer(Recorder(), host="::1", port=0).running() as server:
        response = http().request("GET", server.url)

    assert server.url == f"http://[::1]:{server.port}/"
    assert response.status == 200
