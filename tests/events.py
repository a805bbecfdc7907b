"""Lambda Function URL events (payload format 2.0) shaped as AWS documents them.

Follows the request payload of the AWS Lambda developer guide ("Invoking Lambda function URLs"):
the headers the URL adds (``x-amzn-trace-id``, ``x-forwarded-*``, the TLS ones, the
``<url-id>.lambda-url.<region>.on.aws`` host), an IAM authorizer block for an ``AWS_IAM`` URL,
and a base64 body with ``isBase64Encoded`` for a request that has one.
"""

import base64
import json
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl

URL_ID = "abcdefghijklmnopqrstuvwxyz012345"
REGION = "us-east-1"
DOMAIN = f"{URL_ID}.lambda-url.{REGION}.on.aws"
ALLOWED_HOST = f".lambda-url.{REGION}.on.aws"  # what the stack sets DJANGO_ALLOWED_HOSTS to
ACCOUNT_ID = "123456789012"
CALLER_ACCOUNT_ID = "111122223333"
SOURCE_IP = "203.0.113.10"
USER_AGENT = "python-requests/2.32.3"
MOMENT = datetime(2026, 3, 12, 19, 3, 58, 390000, tzinfo=UTC)


def _query_parameters(query: str) -> dict[str, str]:
    parameters: dict[str, str] = {}
    for key, value in parse_qsl(query, keep_blank_values=True):
        parameters[key] = f"{parameters[key]},{value}" if key in parameters else value
    return parameters


def make_function_url_event(
    *,
    method: str = "GET",
    path: str = "/",
    query: str = "",
    body: bytes | str | dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
    cookies: list[str] | None = None,
    iam: bool = True,
    request_id: str = "c6af9ac6-7b61-11e6-9a41-93e8deadbeef",
    moment: datetime = MOMENT,
) -> dict[str, Any]:
    """One Function URL invocation event; ``body`` as a dict is sent as JSON."""
    all_headers = {
        "accept": "*/*",
        "accept-encoding": "gzip, deflate",
        "host": DOMAIN,
        "user-agent": USER_AGENT,
        "x-amzn-tls-cipher-suite": "ECDHE-RSA-AES128-GCM-SHA256",
        "x-amzn-tls-version": "TLSv1.2",
        "x-amzn-trace-id": "Root=1-65f0a1be-1a2b3c4d5e6f708192a3b4c5",
        "x-forwarded-for": SOURCE_IP,
        "x-forwarded-port": "443",
        "x-forwarded-proto": "https",
    }
    if iam:
        all_headers.update(
            {
                "authorization": "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20260312/"
                f"{REGION}/lambda/aws4_request, SignedHeaders=host;x-amz-date, "
                "Signature=0123456789abcdef",
                "x-amz-date": moment.strftime("%Y%m%dT%H%M%SZ"),
            }
        )
    if isinstance(body, dict):
        body = json.dumps(body)
        all_headers["content-type"] = "application/json"
    all_headers.update({name.lower(): value for name, value in (headers or {}).items()})
    event: dict[str, Any] = {
        "version": "2.0",
        "routeKey": "$default",
        "rawPath": path,
        "rawQueryString": query,
        "headers": all_headers,
        "requestContext": {
            "accountId": ACCOUNT_ID if iam else "anonymous",
            "apiId": URL_ID,
            "authentication": None,
            "domainName": DOMAIN,
            "domainPrefix": URL_ID,
            "http": {
                "method": method,
                "path": path,
                "protocol": "HTTP/1.1",
                "sourceIp": SOURCE_IP,
                "userAgent": USER_AGENT,
            },
            "requestId": request_id,
            "routeKey": "$default",
            "stage": "$default",
            "time": moment.strftime("%d/%b/%Y:%H:%M:%S +0000"),
            "timeEpoch": int(moment.timestamp() * 1000),
        },
        "pathParameters": None,
        "isBase64Encoded": False,
        "stageVariables": None,
    }
    if iam:
        event["requestContext"]["authorizer"] = {
            "iam": {
                "accessKey": "AKIAIOSFODNN7EXAMPLE",
                "accountId": CALLER_ACCOUNT_ID,
                "callerId": "AIDACKCEVSQ6C2EXAMPLE",
                "cognitoIdentity": None,
                "principalOrgId": None,
                "userArn": f"arn:aws:iam::{CALLER_ACCOUNT_ID}:user/benchmark",
                "userId": "AIDACKCEVSQ6C2EXAMPLE",
            }
        }
    if cookies:
        event["cookies"] = cookies
    if query:
        event["queryStringParameters"] = _query_parameters(query)
    if body is not None:
        raw = body.encode() if isinstance(body, str) else body
        event["body"] = base64.b64encode(raw).decode()
        event["isBase64Encoded"] = True
    return event


class FakeLambdaContext:
    """The part of the Lambda context object the handler may touch."""

    function_name = "aws-lambda-sqlite-test"
    memory_limit_in_mb = 1024
    aws_request_id = "c6af9ac6-7b61-11e6-9a41-93e8deadbeef"

    def get_remaining_time_in_millis(self) -> int:
        return 900_000


def response_json(response: dict[str, Any]) -> Any:
    """The JSON body of a handler response (decoding base64 when the handler encoded it)."""
    body = response["body"]
    if response.get("isBase64Encoded"):
        body = base64.b64decode(body).decode()
    return json.loads(body)
