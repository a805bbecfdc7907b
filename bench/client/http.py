"""One timed request to the Function URL, and the ``ResultRecord`` made from its answer.

Each worker owns one ``FunctionUrlClient``: one keep-alive connection, reused for the whole run,
so connection set-up is paid once and not inside the timings. The client time runs from just
before the request is sent (after signing) until the whole response body has been read
(``time.perf_counter_ns``). A request that fails is recorded with the reason, never raised.
"""

import json
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from http import HTTPStatus
from urllib.parse import urlsplit

import urllib3
from urllib3.exceptions import HTTPError

from bench.client.signing import Signer
from bench.client.target import endpoint_url
from bench.results import ResultRecord

CLIENT_FAILURE_STATUS = 599  # no HTTP answer at all (bench.results.ResultRecord.status)
CONNECT_TIMEOUT_SECONDS = 10.0
READ_TIMEOUT_SECONDS = 120.0
_MAX_ERROR_TEXT = 300
_HTML_TITLE = re.compile(r"<title>(?P<title>.*?)</title>", re.IGNORECASE)


@dataclass(frozen=True)
class Reply:
    """What came back for one request: an HTTP answer, or ``status`` 599 with ``error`` set."""

    status: int
    body: bytes
    client_ms: float | None
    error: str | None = None


class FunctionUrlClient:
    """Sends (optionally signed) requests to one base URL over one keep-alive connection."""

    def __init__(
        self,
        base_url: str,
        *,
        signer: Signer | None,
        connect_timeout: float = CONNECT_TIMEOUT_SECONDS,
        read_timeout: float = READ_TIMEOUT_SECONDS,
    ) -> None:
        self.base_url = base_url
        self.signer = signer
        self.pool = urllib3.connection_from_url(
            base_url,
            maxsize=1,
            retries=False,
            timeout=urllib3.Timeout(connect=connect_timeout, read=read_timeout),
        )

    def request(
        self,
        method: str,
        endpoint: str,
        *,
        params: Mapping[str, str] | None = None,
        body: bytes = b"",
        content_type: str | None = None,
    ) -> Reply:
        url = endpoint_url(self.base_url, endpoint, params)
        headers = {"content-type": content_type} if content_type else {}
        if self.signer is not None:
            headers = self.signer.sign(method, url, body=body, headers=headers)
        split = urlsplit(url)
        # The request line carries the origin-form target ("/path?query"), as browsers send it.
        target = split.path + (f"?{split.query}" if split.query else "")
        started = time.perf_counter_ns()
        try:
            response = self.pool.urlopen(
                method, target, body=body or None, headers=headers, redirect=False
            )
        except HTTPError as exc:
            return Reply(CLIENT_FAILURE_STATUS, b"", None, f"{type(exc).__name__}: {exc}")
        client_ms = (time.perf_counter_ns() - started) / 1e6
        return Reply(response.status, response.data, client_ms)

    def read(
        self, endpoint: str, *, query: str, iteration: int, item_id: str | None = None
    ) -> ResultRecord:
        """One timed read of ``endpoint`` as a record (failures included)."""
        params = {"query": query} if item_id is None else {"query": query, "id": item_id}
        measured_at = datetime.now(UTC)
        reply = self.request("GET", endpoint, params=params)
        return record_from_reply(
            reply, endpoint=endpoint, query=query, iteration=iteration, measured_at=measured_at
        )

    def close(self) -> None:
        self.pool.close()


def describe_error(status: int, body: bytes) -> str:
    """One line for a non-2xx answer: the API's ``{"error","detail"}``, AWS's ``{"message"}``."""
    try:
        payload = json.loads(body)
    except ValueError:
        payload = None
    if isinstance(payload, dict):
        if "detail" in payload:
            return f"{status} {payload.get('error', 'error')}: {payload['detail']}"
        if "message" in payload or "Message" in payload:
            return f"{status}: {payload.get('message', payload.get('Message'))}"
    text = " ".join(body.decode("utf-8", errors="replace").split())
    title = _HTML_TITLE.search(text)
    if title:
        text = title["title"].strip()
    text = text[:_MAX_ERROR_TEXT]
    if text:
        return f"{status}: {text}"
    try:
        return f"{status} {HTTPStatus(status).phrase}"
    except ValueError:
        return f"{status}"


def _number(value: object) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"{value!r} is not a number")
    return float(value)


def record_from_reply(
    reply: Reply, *, endpoint: str, query: str, iteration: int, measured_at: datetime
) -> ResultRecord:
    """The record of one read: server timings, rows and fingerprint from the JSON body."""
    failed = ResultRecord(
        endpoint=endpoint,
        query=query,
        iteration=iteration,
        status=reply.status,
        client_ms=reply.client_ms,
        server_total_ms=None,
        copy_ms=None,
        read_ms=None,
        rows=None,
        fingerprint=None,
        cold_start=False,
        measured_at=measured_at,
        error=reply.error,
    )
    if reply.error is not None:
        return failed
    if not 200 <= reply.status < 300:
        return _with_error(failed, describe_error(reply.status, reply.body))
    try:
        payload = json.loads(reply.body)
        timings = payload["timings_ms"]
        total = _number(timings["total"])
        rows = payload["rows"]
        if total is None or isinstance(rows, bool) or not isinstance(rows, int):
            raise ValueError("timings_ms.total and rows are required")
        fingerprint = payload.get("fingerprint")
        cold_start = payload.get("cold_start", False)
        if not isinstance(cold_start, bool):
            raise ValueError(f"cold_start {cold_start!r} is not a boolean")
        return ResultRecord(
            endpoint=endpoint,
            query=query,
            iteration=iteration,
            status=reply.status,
            client_ms=reply.client_ms,
            server_total_ms=total,
            copy_ms=_number(timings.get("copy")),
            read_ms=_number(timings.get("read")),
            rows=rows,
            fingerprint=None if fingerprint is None else str(fingerprint),
            cold_start=cold_start,
            measured_at=measured_at,
        )
    except KeyError as exc:
        problem = f"no {exc.args[0]!r} field"
    except (ValueError, TypeError) as exc:
        problem = str(exc)
    return _with_error(failed, f"{reply.status}: the response is not a read result ({problem}).")


def _with_error(record: ResultRecord, error: str) -> ResultRecord:
    return replace(record, error=error)


def item_ids(reply: Reply) -> list[str]:
    """The ids of the items in a read answer (``query=latest``); ValueError when there are none."""
    if reply.error is not None or not 200 <= reply.status < 300:
        raise ValueError(reply.error or describe_error(reply.status, reply.body))
    try:
        items = json.loads(reply.body)["items"]
        ids = [str(item["id"]) for item in items]
    except (ValueError, KeyError, TypeError) as exc:
        raise ValueError(f"the answer has no items with ids ({exc})") from None
    if not ids:
        raise ValueError("the table holds no items")
    return ids
