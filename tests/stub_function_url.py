"""A stand-in for a deployed Function URL: checks SigV4 like AWS does, answers like the app.

The signature check recomputes the signature from the request as received (method, path, query,
the headers named in ``SignedHeaders``, the body) with botocore's own SigV4 algorithm and the
credentials the stub knows, and answers 403 with AWS's message when it differs.
"""

import hmac
import json
import re
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

SIGNATURE_MISMATCH = (
    "The request signature we calculated does not match the signature you provided. Check your "
    "AWS Secret Access Key and signing method. Consult the service documentation for details."
)
_AUTHORIZATION = re.compile(
    r"^AWS4-HMAC-SHA256 Credential=(?P<key>[^/]+)/(?P<date>\d{8})/(?P<region>[^/]+)/"
    r"(?P<service>[^/]+)/aws4_request, SignedHeaders=(?P<signed>[^,]+), "
    r"Signature=(?P<signature>[0-9a-f]{64})$"
)


def verify_sigv4(
    *,
    method: str,
    url: str,
    headers: dict[str, str],
    body: bytes,
    credentials: Credentials,
    region: str,
    service: str = "lambda",
) -> str | None:
    """None when the request carries a valid signature, else why not (like AWS's message)."""
    match = _AUTHORIZATION.match(headers.get("authorization", ""))
    if match is None:
        return "Missing Authentication Token"
    if match["key"] != credentials.access_key:
        return "The security token included in the request is invalid."
    if (match["region"], match["service"]) != (region, service):
        return (
            f"Credential should be scoped to a valid region and service {service}, "
            f"not {match['region']}/{match['service']}."
        )
    signed = match["signed"].split(";")
    if credentials.token and headers.get("x-amz-security-token") != credentials.token:
        return "The security token included in the request is invalid."
    if credentials.token and "x-amz-security-token" not in signed:
        return "x-amz-security-token must be signed."
    amz_date = headers.get("x-amz-date", "")
    if not amz_date.startswith(match["date"]):
        return "Date in Credential scope does not match the X-Amz-Date header."
    sent_at = datetime.strptime(amz_date, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
    if abs((datetime.now(UTC) - sent_at).total_seconds()) > 300:
        return "Signature expired."
    request = AWSRequest(
        method=method, url=url, data=body, headers={name: headers[name] for name in signed}
    )
    request.context["timestamp"] = amz_date
    signer = SigV4Auth(credentials, service, region)
    expected = signer.signature(
        signer.string_to_sign(request, signer.canonical_request(request)), request
    )
    if not hmac.compare_digest(expected, match["signature"]):
        return SIGNATURE_MISMATCH
    return None


@dataclass(frozen=True)
class Received:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes
    client_port: int
    rejected: str | None


Answer = tuple[int, object]
STUB_IDS = (
    "01STUBITEM0000000000000001",
    "01STUBITEM0000000000000002",
    "01STUBITEM0000000000000003",
)


def read_answer(endpoint: str, query: str, *, cold_start: bool = False) -> Answer:
    """What the app answers for a read: fixed timings, so the report's figures are known."""
    copy = 2.0 if endpoint.startswith("sqlite-tmp") else None
    return 200, {
        "endpoint": endpoint,
        "query": query,
        "rows": 100,
        "fingerprint": "f" * 64,
        "snapshot": "01JTESTSNAPSHOT0000000000",
        "timings_ms": {"total": 1.5 + (copy or 0.0), "copy": copy, "read": 1.5},
        "cold_start": cold_start,
        "items": [
            {"id": item_id, "random_value": 0.5, "created_at": "2026-03-01T00:00:00.000000Z"}
            for item_id in (STUB_IDS if query == "latest" else ())
        ],
    }


@dataclass
class StubFunctionUrl:
    """Answers ``/status`` and the read endpoints; ``respond`` can change any answer."""

    credentials: Credentials | None = None  # None: no signature check (auth type NONE)
    region: str = "us-east-1"
    respond: Callable[["StubFunctionUrl", Received], Answer | None] | None = None
    received: list[Received] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        assert self.server is not None
        return f"http://127.0.0.1:{self.server.server_address[1]}/"

    @property
    def reads(self) -> list[Received]:
        return [r for r in self.received if r.path != "/status"]

    def answer(self, request: Received) -> Answer:
        if request.rejected is not None:
            return 403, {"message": request.rejected}
        if self.respond is not None:
            custom = self.respond(self, request)
            if custom is not None:
                return custom
        if request.path == "/status":
            return 200, {"items": 100}
        endpoint = request.path.strip("/")
        query = request.query.get("query", ["all"])[0]
        first = not any(r.path != "/status" for r in self.received[:-1])
        return read_answer(endpoint, query, cold_start=first)


def _handler_class(stub: StubFunctionUrl) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:  # noqa: N802 - http.server's naming
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            headers = {name.lower(): value for name, value in self.headers.items()}
            split = urlsplit(self.path)
            rejected = None
            if stub.credentials is not None:
                rejected = verify_sigv4(
                    method=self.command,
                    url=f"http://{headers.get('host', '')}{self.path}",
                    headers=headers,
                    body=body,
                    credentials=stub.credentials,
                    region=stub.region,
                )
            request = Received(
                method=self.command,
                path=split.path,
                query=parse_qs(split.query),
                headers=headers,
                body=body,
                client_port=self.client_address[1],
                rejected=rejected,
            )
            with stub.lock:
                stub.received.append(request)
                status, payload = stub.answer(request)
            if status == 0:  # drop the connection without an answer
                self.close_connection = True
                self.connection.close()
                return
            data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_POST = do_GET  # noqa: N815

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
            return

    return Handler


@contextmanager
def running_stub(stub: StubFunctionUrl) -> Iterator[StubFunctionUrl]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_class(stub))
    server.daemon_threads = True
    stub.server = server
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield stub
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
