"""SigV4 signing for IAM-authenticated Lambda Function URLs (botocore's own signer).

Every request is signed separately (the signature covers the time, the method, the path, the
query string, the signed headers and the body), for service ``lambda`` in the URL's region, with
the session token when the credentials have one.
"""

from collections.abc import Mapping

import boto3
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials, ReadOnlyCredentials

from bench.client.target import region_from_url

SERVICE = "lambda"


class SigningError(Exception):
    """Requests cannot be signed (no credentials, no region); the message says what to do."""


class Signer:
    """Adds ``Authorization``, ``X-Amz-Date`` and (with a session) ``X-Amz-Security-Token``."""

    def __init__(self, credentials: Credentials | ReadOnlyCredentials, region: str) -> None:
        self.credentials = credentials
        self.region = region

    @property
    def access_key(self) -> str:
        return str(self.credentials.access_key)

    def sign(
        self, method: str, url: str, *, body: bytes = b"", headers: Mapping[str, str] | None = None
    ) -> dict[str, str]:
        """The headers to send: ``headers`` plus the signature headers."""
        request = AWSRequest(method=method, url=url, data=body, headers=dict(headers or {}))
        SigV4Auth(self.credentials, SERVICE, self.region).add_auth(request)
        return {str(name): str(value) for name, value in request.headers.items()}


def signing_region(url: str, region: str | None, session: boto3.Session) -> str:
    """The URL's own region, else ``--region``, else the session's; SigningError if none."""
    found = region_from_url(url) or region or session.region_name
    if not found:
        raise SigningError(
            f"Cannot tell which region to sign requests to {url} for: pass --region "
            "(or --no-sign for a public or local URL)."
        )
    return found


def load_signer(url: str, *, region: str | None, session: boto3.Session | None = None) -> Signer:
    """A signer with the default credential chain; SigningError when there are none."""
    session = session or boto3.Session()
    where = signing_region(url, region, session)
    credentials = session.get_credentials()
    if credentials is None:
        raise SigningError(
            f"No AWS credentials to sign requests to {url}: configure credentials "
            "(aws configure, AWS_PROFILE, or environment variables), or pass --no-sign for a "
            "public or local URL."
        )
    return Signer(credentials, where)
