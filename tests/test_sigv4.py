"""SigV4 signing of Function URL requests, checked with botocore's own algorithm."""

import re

import boto3
import pytest
from botocore.credentials import Credentials

from bench.client.signing import Signer, SigningError, load_signer, signing_region
from tests.stub_function_url import SIGNATURE_MISMATCH, verify_sigv4

URL = "https://abcdef123.lambda-url.eu-west-1.on.aws/sqlite-efs?query=all&limit=10"


def make_credentials(
    *, key: str = "AKIDEXAMPLE", secret: str = "secret", token: str | None = "session-token"
) -> Credentials:
    return Credentials(key, secret, token)


def verify(
    signed: dict[str, str],
    *,
    url: str = URL,
    method: str = "GET",
    body: bytes = b"",
    credentials: Credentials | None = None,
    region: str = "eu-west-1",
) -> str | None:
    headers = {name.lower(): value for name, value in signed.items()}
    headers["host"] = "abcdef123.lambda-url.eu-west-1.on.aws"
    return verify_sigv4(
        method=method,
        url=url,
        headers=headers,
        body=body,
        credentials=credentials or make_credentials(),
        region=region,
    )


def test_signed_request_verifies() -> None:
    signed = Signer(make_credentials(), "eu-west-1").sign("GET", URL)

    assert verify(signed) is None
    assert set(signed) == {"X-Amz-Date", "X-Amz-Security-Token", "Authorization"}
    assert re.match(
        r"AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/\d{8}/eu-west-1/lambda/aws4_request, "
        r"SignedHeaders=host;x-amz-date;x-amz-security-token, Signature=[0-9a-f]{64}$",
        signed["Authorization"],
    )
    assert signed["X-Amz-Security-Token"] == "session-token"


def test_credentials_without_session_token_send_no_token_header() -> None:
    credentials = make_credentials(token=None)

    signed = Signer(credentials, "eu-west-1").sign("GET", URL)

    assert "X-Amz-Security-Token" not in signed
    assert verify(signed, credentials=credentials) is None


def test_a_wrong_secret_fails_verification() -> None:
    signed = Signer(make_credentials(secret="wrong"), "eu-west-1").sign("GET", URL)

    assert verify(signed) == SIGNATURE_MISMATCH


def test_the_query_string_is_signed() -> None:
    signed = Signer(make_credentials(), "eu-west-1").sign("GET", URL)

    assert verify(signed, url=URL.replace("limit=10", "limit=11")) == SIGNATURE_MISMATCH


def test_the_body_is_signed() -> None:
    body = b'{"count": 5}'
    signed = Signer(make_credentials(), "eu-west-1").sign(
        "POST", URL, body=body, headers={"content-type": "application/json"}
    )

    assert signed["content-type"] == "application/json"
    assert verify(signed, method="POST", body=body) is None
    assert verify(signed, method="POST", body=b'{"count": 6}') == SIGNATURE_MISMATCH


def test_the_region_is_part_of_the_signature() -> None:
    signed = Signer(make_credentials(), "us-east-1").sign("GET", URL)

    assert verify(signed) == (
        "Credential should be scoped to a valid region and service lambda, not us-east-1/lambda."
    )


def test_signer_names_its_access_key() -> None:
    assert Signer(make_credentials(), "eu-west-1").access_key == "AKIDEXAMPLE"


def make_session(*, region: str | None = "ap-southeast-2") -> boto3.Session:
    return boto3.Session(
        aws_access_key_id="AKIDSESSION", aws_secret_access_key="s", region_name=region
    )


@pytest.mark.parametrize(
    ("url", "region", "session_region", "expected"),
    [
        (URL, "us-west-2", "ap-southeast-2", "eu-west-1"),
        ("http://127.0.0.1:8080/", "us-west-2", "ap-southeast-2", "us-west-2"),
        ("http://127.0.0.1:8080/", None, "ap-southeast-2", "ap-southeast-2"),
    ],
)
def test_signing_region_prefers_the_url_then_the_option_then_the_session(
    url: str, region: str | None, session_region: str, expected: str
) -> None:
    assert signing_region(url, region, make_session(region=session_region)) == expected


def test_signing_region_is_required(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AWS_DEFAULT_REGION", raising=False)
    monkeypatch.delenv("AWS_REGION", raising=False)

    with pytest.raises(
        SigningError,
        match=re.escape(
            "Cannot tell which region to sign requests to http://127.0.0.1:8080/ for: pass "
            "--region (or --no-sign for a public or local URL)."
        ),
    ):
        signing_region("http://127.0.0.1:8080/", None, make_session(region=None))


def test_load_signer_uses_the_session_credentials() -> None:
    signer = load_signer(URL, region=None, session=make_session())

    assert (signer.access_key, signer.region) == ("AKIDSESSION", "eu-west-1")


def test_load_signer_without_credentials_says_what_to_do(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.delenv("AWS_SECURITY_TOKEN", raising=False)
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.delenv("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", raising=False)
    monkeypatch.delenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", raising=False)

    with pytest.raises(SigningError, match=r"^No AWS credentials to sign requests to https://"):
        load_signer(URL, region=None)
