"""Where the benchmark sends its requests: a validated base URL, and how to find it.

The base URL is kept with exactly one trailing slash, so joining an endpoint name never drops a
path prefix (``https://host/prefix`` + ``sqlite-efs`` -> ``https://host/prefix/sqlite-efs``) nor
doubles a slash.
"""

import ipaddress
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Literal
from urllib.parse import quote, urlencode, urlsplit, urlunsplit

import boto3
from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError, NoRegionError

if TYPE_CHECKING:
    from mypy_boto3_cloudformation import CloudFormationClient
    from mypy_boto3_cloudformation.type_defs import StackTypeDef
    from mypy_boto3_lambda import LambdaClient

FUNCTION_URL_OUTPUT = "FunctionUrl"
FUNCTION_NAME_OUTPUT = "FunctionName"
_LAMBDA_URL_HOST = re.compile(r"^[a-z0-9]+\.lambda-url\.(?P<region>[a-z0-9-]+)\.on\.aws$")
# Outputs are stable in these states; *_IN_PROGRESS other than the final clean-up is a deploy
# still running, and these are stacks whose resources are gone or never came up.
_FAILED_STATUSES = frozenset(
    {
        "CREATE_FAILED",
        "ROLLBACK_IN_PROGRESS",
        "ROLLBACK_FAILED",
        "ROLLBACK_COMPLETE",
        "DELETE_IN_PROGRESS",
        "DELETE_FAILED",
        "DELETE_COMPLETE",
    }
)
_SETTLED_IN_PROGRESS = frozenset({"UPDATE_COMPLETE_CLEANUP_IN_PROGRESS"})


HostKind = Literal["function-url", "this-machine", "other"]


class TargetError(Exception):
    """The target could not be resolved; the message says why and what to do."""


def normalize_base_url(raw: str, *, option: str = "--url") -> str:
    """``raw`` as a base URL ending in one slash; TargetError naming the value when invalid."""
    split = urlsplit(raw.strip())
    if split.scheme not in ("http", "https") or not split.hostname:
        raise TargetError(f"{option} {raw!r} is not an http(s) URL such as https://host/.")
    if split.query or split.fragment:
        raise TargetError(
            f"{option} {raw!r} has a query string or fragment: give the Function URL itself."
        )
    try:
        split.port  # noqa: B018 - parsing the port is the check
    except ValueError:
        raise TargetError(f"{option} {raw!r} has an invalid port.") from None
    path = split.path.rstrip("/") + "/"
    return urlunsplit((split.scheme, split.netloc, path, "", ""))


def endpoint_url(base_url: str, endpoint: str, params: Mapping[str, str] | None = None) -> str:
    """``base_url`` (as from ``normalize_base_url``) joined with ``endpoint`` and a query."""
    url = base_url + endpoint.lstrip("/")
    if params:
        url += "?" + urlencode(params, quote_via=quote)
    return url


def host_kind(url: str) -> HostKind:
    """What serves ``url``, from its host alone.

    ``function-url``: a Lambda Function URL host (``<id>.lambda-url.<region>.on.aws``);
    ``this-machine``: ``localhost`` or a loopback (or unspecified) address, e.g. ``runlambda``;
    ``other``: any other host (a proxy, a custom domain, another machine), whose numbers are not
    known to be AWS Lambda's.
    """
    host = (urlsplit(url).hostname or "").lower().rstrip(".")
    if _LAMBDA_URL_HOST.match(host):
        return "function-url"
    if host == "localhost" or host.endswith(".localhost"):
        return "this-machine"
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return "other"
    return "this-machine" if address.is_loopback or address.is_unspecified else "other"


def region_from_url(url: str) -> str | None:
    """The region of a Function URL host (``<id>.lambda-url.<region>.on.aws``), else None."""
    host = urlsplit(url).hostname or ""
    match = _LAMBDA_URL_HOST.match(host)
    return match["region"] if match else None


def stack_outputs(stack: "StackTypeDef") -> dict[str, str]:
    """The outputs of a deployed stack; TargetError when it is deploying, failed or gone."""
    name = stack["StackName"]
    status = stack["StackStatus"]
    if status in _FAILED_STATUSES:
        raise TargetError(
            f"Stack {name!r} is in state {status}: it did not deploy (or is being deleted). "
            "Fix and deploy it again (cd infra && npx cdk deploy), or pass --url."
        )
    if status.endswith("_IN_PROGRESS") and status not in _SETTLED_IN_PROGRESS:
        raise TargetError(
            f"Stack {name!r} is still deploying (state {status}): wait for the deployment to "
            "finish, then run the benchmark again."
        )
    return {
        output["OutputKey"]: output["OutputValue"]
        for output in stack.get("Outputs", [])
        if "OutputKey" in output and "OutputValue" in output
    }


def describe_stack(
    name: str, *, region: str | None, client: "CloudFormationClient | None" = None
) -> "StackTypeDef":
    """The stack ``name`` from CloudFormation; TargetError when it cannot be read or is missing."""
    try:
        cloudformation = client or boto3.client("cloudformation", region_name=region)
        stacks = cloudformation.describe_stacks(StackName=name)["Stacks"]
    except NoRegionError:
        raise TargetError(
            f"No AWS region to look up stack {name!r} in: pass --region or set AWS_REGION."
        ) from None
    except NoCredentialsError:
        raise TargetError(
            f"No AWS credentials to read stack {name!r}: configure credentials (aws configure, "
            "AWS_PROFILE) or pass --url."
        ) from None
    except ClientError as exc:
        error = exc.response.get("Error", {})
        message = str(error.get("Message", exc))
        if error.get("Code") == "ValidationError" and "does not exist" in message:
            where = region or cloudformation.meta.region_name
            raise TargetError(
                f"Stack {name!r} does not exist in {where}: deploy it "
                "(cd infra && npx cdk deploy), or pass --stack/--region/--url."
            ) from None
        raise TargetError(f"CloudFormation refused to describe stack {name!r}: {message}") from None
    except BotoCoreError as exc:
        raise TargetError(f"Could not read stack {name!r} from CloudFormation: {exc}") from None
    if not stacks:
        raise TargetError(f"Stack {name!r} does not exist: deploy it, or pass --url.")
    return stacks[0]


def function_url_from_stack(
    name: str, *, region: str | None, client: "CloudFormationClient | None" = None
) -> tuple[str, dict[str, str]]:
    """The stack's ``FunctionUrl`` output as a base URL, and all of its outputs."""
    outputs = stack_outputs(describe_stack(name, region=region, client=client))
    raw = outputs.get(FUNCTION_URL_OUTPUT)
    if raw is None:
        have = ", ".join(sorted(outputs)) or "none"
        raise TargetError(
            f"Stack {name!r} has no {FUNCTION_URL_OUTPUT!r} output (outputs: {have}): is it the "
            "lambda-sqlite-bench stack? Deploy the current infra/ or pass --url."
        )
    option = f"The {FUNCTION_URL_OUTPUT} output of stack {name!r},"
    return normalize_base_url(raw, option=option), outputs


def function_configuration(
    name: str, *, region: str | None, client: "LambdaClient | None" = None
) -> tuple[int | None, str | None]:
    """The function's memory (MB) and architecture for the report; (None, None) if unreadable."""
    try:
        lambda_client = client or boto3.client("lambda", region_name=region)
        config = lambda_client.get_function_configuration(FunctionName=name)
    except (BotoCoreError, ClientError):
        return None, None
    architectures = config.get("Architectures") or []
    return config.get("MemorySize"), (architectures[0] if architectures else None)
