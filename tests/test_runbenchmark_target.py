"""Target resolution for runbenchmark: --url validation and joining, the stack's FunctionUrl."""

import json
import re
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.exceptions import EndpointConnectionError, NoCredentialsError, NoRegionError
from botocore.stub import Stubber
from moto import mock_aws

from bench.client.target import (
    TargetError,
    describe_stack,
    endpoint_url,
    function_configuration,
    function_url_from_stack,
    host_kind,
    normalize_base_url,
    region_from_url,
    stack_outputs,
)

pytestmark = pytest.mark.filterwarnings("ignore:Tried to parse:UserWarning")


@pytest.mark.parametrize(
    ("raw", "base"),
    [
        ("https://abc.lambda-url.us-east-1.on.aws", "https://abc.lambda-url.us-east-1.on.aws/"),
        ("https://abc.lambda-url.us-east-1.on.aws/", "https://abc.lambda-url.us-east-1.on.aws/"),
        ("http://127.0.0.1:8080//", "http://127.0.0.1:8080/"),
        ("http://host/prefix", "http://host/prefix/"),
        ("  http://host/prefix/ ", "http://host/prefix/"),
    ],
)
def test_base_url_ends_in_exactly_one_slash(raw: str, base: str) -> None:
    assert normalize_base_url(raw) == base


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("not-a-url", "--url 'not-a-url' is not an http(s) URL such as https://host/."),
        ("ftp://host/", "--url 'ftp://host/' is not an http(s) URL such as https://host/."),
        ("https://", "--url 'https://' is not an http(s) URL such as https://host/."),
        (
            "https://host/?a=1",
            "--url 'https://host/?a=1' has a query string or fragment: give the Function URL "
            "itself.",
        ),
        ("http://host:99999/", "--url 'http://host:99999/' has an invalid port."),
    ],
)
def test_invalid_urls_are_named(raw: str, message: str) -> None:
    with pytest.raises(TargetError, match=re.escape(message)):
        normalize_base_url(raw)


@pytest.mark.parametrize(
    ("base", "endpoint", "params", "url"),
    [
        ("https://h/", "sqlite-efs", {"query": "all"}, "https://h/sqlite-efs?query=all"),
        ("https://h/prefix/", "/ddb", None, "https://h/prefix/ddb"),
        ("https://h/", "status", {"q": "a b&c"}, "https://h/status?q=a%20b%26c"),
    ],
)
def test_endpoint_urls_join_without_losing_or_doubling_slashes(
    base: str, endpoint: str, params: dict[str, str] | None, url: str
) -> None:
    assert endpoint_url(base, endpoint, params) == url


@pytest.mark.parametrize(
    ("url", "region"),
    [
        ("https://abc123.lambda-url.eu-central-1.on.aws/", "eu-central-1"),
        ("https://ABC123.LAMBDA-URL.us-east-1.on.aws/x", "us-east-1"),
        ("http://127.0.0.1:8080/", None),
        ("https://example.com/", None),
    ],
)
def test_region_comes_from_a_function_url_host(url: str, region: str | None) -> None:
    assert region_from_url(url) == region


@pytest.mark.parametrize(
    ("url", "kind"),
    [
        ("https://abc123.lambda-url.eu-central-1.on.aws/", "function-url"),
        ("https://ABC123.LAMBDA-URL.us-east-1.on.aws./prefix/", "function-url"),
        ("http://127.0.0.1:8080/", "this-machine"),
        ("http://127.8.9.10/", "this-machine"),
        ("http://[::1]:8080/", "this-machine"),
        ("http://0.0.0.0:8080/", "this-machine"),
        ("http://localhost:8080/", "this-machine"),
        ("http://LocalHost./", "this-machine"),
        ("http://app.localhost/", "this-machine"),
        ("https://example.com/", "other"),
        ("https://lambda-url.us-east-1.on.aws.example.com/", "other"),
        ("http://192.168.1.20:8080/", "other"),
        ("http://[2001:db8::1]/", "other"),
    ],
)
def test_host_kind_tells_a_function_url_from_this_machine_and_other_hosts(
    url: str, kind: str
) -> None:
    assert host_kind(url) == kind


def make_stack(*, status: str = "CREATE_COMPLETE", outputs: dict[str, str] | None = None) -> Any:
    stack: dict[str, Any] = {"StackName": "bench", "StackStatus": status}
    if outputs is not None:
        stack["Outputs"] = [{"OutputKey": k, "OutputValue": v} for k, v in outputs.items()]
    return stack


@pytest.mark.parametrize(
    "status",
    [
        "CREATE_COMPLETE",
        "UPDATE_COMPLETE",
        "UPDATE_ROLLBACK_COMPLETE",
        "IMPORT_COMPLETE",
        "UPDATE_COMPLETE_CLEANUP_IN_PROGRESS",
    ],
)
def test_outputs_of_a_deployed_stack(status: str) -> None:
    stack = make_stack(status=status, outputs={"FunctionUrl": "https://x/", "TableName": "t"})

    assert stack_outputs(stack) == {"FunctionUrl": "https://x/", "TableName": "t"}


def test_stack_without_outputs_has_none() -> None:
    assert stack_outputs(make_stack()) == {}


@pytest.mark.parametrize(
    "status", ["CREATE_IN_PROGRESS", "REVIEW_IN_PROGRESS", "UPDATE_IN_PROGRESS"]
)
def test_a_stack_still_deploying_is_named(status: str) -> None:
    with pytest.raises(
        TargetError,
        match=re.escape(
            f"Stack 'bench' is still deploying (state {status}): wait for the deployment to "
            "finish, then run the benchmark again."
        ),
    ):
        stack_outputs(make_stack(status=status))


@pytest.mark.parametrize("status", ["ROLLBACK_COMPLETE", "CREATE_FAILED", "DELETE_IN_PROGRESS"])
def test_a_failed_stack_is_named(status: str) -> None:
    with pytest.raises(TargetError, match=re.escape(f"Stack 'bench' is in state {status}:")):
        stack_outputs(make_stack(status=status))


@pytest.fixture
def cloudformation() -> Iterator[Any]:
    with mock_aws():
        yield boto3.client("cloudformation", region_name="us-east-1")


def create_stack(client: Any, name: str, outputs: dict[str, str]) -> None:
    template = {
        "Resources": {"Handle": {"Type": "AWS::CloudFormation::WaitConditionHandle"}},
        "Outputs": {key: {"Value": value} for key, value in outputs.items()},
    }
    client.create_stack(StackName=name, TemplateBody=json.dumps(template))


def test_function_url_is_read_from_the_stack_outputs(cloudformation: Any) -> None:
    create_stack(
        cloudformation,
        "aws-lambda-sqlite-dev",
        {"FunctionUrl": "https://abc.lambda-url.us-east-1.on.aws/", "FunctionName": "fn"},
    )

    url, outputs = function_url_from_stack("aws-lambda-sqlite-dev", region="us-east-1")

    assert url == "https://abc.lambda-url.us-east-1.on.aws/"
    assert outputs == {
        "FunctionUrl": "https://abc.lambda-url.us-east-1.on.aws/",
        "FunctionName": "fn",
    }


def test_a_missing_stack_is_named_with_its_region(cloudformation: Any) -> None:
    with pytest.raises(
        TargetError,
        match=re.escape(
            "Stack 'nope' does not exist in us-east-1: deploy it (cd infra && "
            "npx cdk deploy), or pass --stack/--region/--url."
        ),
    ):
        function_url_from_stack("nope", region="us-east-1")


def test_a_missing_stack_names_the_default_region(cloudformation: Any) -> None:
    with pytest.raises(TargetError, match=re.escape("does not exist in us-east-1")):
        function_url_from_stack("nope", region=None)


def test_a_stack_without_the_output_lists_what_it_has(cloudformation: Any) -> None:
    create_stack(cloudformation, "other", {"TableName": "t", "Bucket": "b"})

    with pytest.raises(
        TargetError,
        match=re.escape(
            "Stack 'other' has no 'FunctionUrl' output (outputs: Bucket, TableName): is it the "
            "lambda-sqlite-bench stack? Deploy the current infra/ or pass --url."
        ),
    ):
        function_url_from_stack("other", region="us-east-1")


def test_a_stack_with_a_bad_url_output_is_named(cloudformation: Any) -> None:
    create_stack(cloudformation, "bad", {"FunctionUrl": "pending"})

    with pytest.raises(
        TargetError,
        match=re.escape("The FunctionUrl output of stack 'bad', 'pending' is not an http(s) URL"),
    ):
        function_url_from_stack("bad", region="us-east-1")


class RaisingClient:
    """A CloudFormation client whose describe_stacks raises ``error`` (or returns ``stacks``)."""

    def __init__(self, error: Exception | None = None, stacks: list[Any] | None = None) -> None:
        self.error = error
        self.stacks = stacks or []

    def describe_stacks(self, **kwargs: Any) -> dict[str, Any]:
        if self.error is not None:
            raise self.error
        return {"Stacks": self.stacks}


@pytest.mark.parametrize(
    ("error", "message"),
    [
        (
            NoRegionError(),
            "No AWS region to look up stack 'bench' in: pass --region or set AWS_REGION.",
        ),
        (
            NoCredentialsError(),
            "No AWS credentials to read stack 'bench': configure credentials (aws configure, "
            "AWS_PROFILE) or pass --url.",
        ),
        (
            EndpointConnectionError(endpoint_url="https://cloudformation.x.amazonaws.com"),
            "Could not read stack 'bench' from CloudFormation: Could not connect to the endpoint "
            'URL: "https://cloudformation.x.amazonaws.com"',
        ),
    ],
)
def test_unreadable_stacks_say_why(error: Exception, message: str) -> None:
    with pytest.raises(TargetError, match=re.escape(message)):
        describe_stack("bench", region="us-east-1", client=RaisingClient(error))  # type: ignore[arg-type]


def test_an_empty_answer_means_no_stack() -> None:
    with pytest.raises(TargetError, match=re.escape("Stack 'bench' does not exist")):
        describe_stack("bench", region="us-east-1", client=RaisingClient())  # type: ignore[arg-type]


def test_access_denied_is_reported_with_aws_message() -> None:
    client = boto3.client("cloudformation", region_name="us-east-1")
    with Stubber(client) as stubber:
        stubber.add_client_error(
            "describe_stacks", service_error_code="AccessDenied", service_message="not allowed"
        )

        with pytest.raises(
            TargetError,
            match=re.escape("CloudFormation refused to describe stack 'bench': not allowed"),
        ):
            describe_stack("bench", region="us-east-1", client=client)


def test_function_configuration_gives_memory_and_architecture() -> None:
    client = boto3.client("lambda", region_name="us-east-1")
    with Stubber(client) as stubber:
        stubber.add_response(
            "get_function_configuration",
            {"MemorySize": 1769, "Architectures": ["arm64"]},
            {"FunctionName": "fn"},
        )

        assert function_configuration("fn", region="us-east-1", client=client) == (1769, "arm64")


def test_function_configuration_without_architecture() -> None:
    client = boto3.client("lambda", region_name="us-east-1")
    with Stubber(client) as stubber:
        stubber.add_response("get_function_configuration", {"MemorySize": 512})

        assert function_configuration("fn", region="us-east-1", client=client) == (512, None)


def test_function_configuration_is_unknown_when_unreadable() -> None:
    client = boto3.client("lambda", region_name="us-east-1")
    with Stubber(client) as stubber:
        stubber.add_client_error("get_function_configuration", "AccessDeniedException")

        assert function_configuration("fn", region="us-east-1", client=client) == (None, None)
