"""``benchsite.wsgi.lambda_handler`` fed Function URL events shaped as AWS sends them."""

import base64
import json
from typing import Any

import pytest
from pytest_django.fixtures import Settings as SettingsWrapper

from bench import coldstart
from bench.dynamo.models import RandomItem
from bench.dynamo.randoms import count_items
from benchsite.wsgi import lambda_handler
from tests.conftest import SeededSnapshot, SnapshotDirs
from tests.events import ALLOWED_HOST, FakeLambdaContext, make_function_url_event, response_json


@pytest.fixture(autouse=True)
def lambda_hosts(settings: SettingsWrapper) -> None:
    """ALLOWED_HOSTS as the stack sets it: any Function URL host in the region."""
    settings.ALLOWED_HOSTS = [ALLOWED_HOST]


def invoke(**event: Any) -> dict[str, Any]:
    response: dict[str, Any] = lambda_handler(make_function_url_event(**event), FakeLambdaContext())
    return response


def test_a_signed_get_with_the_headers_aws_adds_is_served(snapshot: SeededSnapshot) -> None:
    coldstart.on_request_started()

    response = invoke(path="/sqlite-efs", query="query=latest&limit=2", cookies=["a=b"])

    body = response_json(response)
    newest = sorted(snapshot.items, key=lambda item: item.created_at, reverse=True)[:2]
    assert (response["statusCode"], response["headers"]["content-type"]) == (
        200,
        "application/json; charset=utf-8",
    )
    assert (body["endpoint"], body["rows"], [item["id"] for item in body["items"]]) == (
        "sqlite-efs",
        2,
        [item.id for item in newest],
    )


def test_an_event_of_a_public_url_without_an_authorizer_is_served(
    snapshot: SeededSnapshot,
) -> None:
    event = make_function_url_event(path="/ddb", query="query=aggregate", iam=False)

    response = lambda_handler(event, FakeLambdaContext())

    assert "authorizer" not in event["requestContext"]
    assert (response["statusCode"], response_json(response)["rows"]) == (200, 300)


def test_a_post_with_a_base64_json_body_inserts(snapshot: SeededSnapshot) -> None:
    event = make_function_url_event(method="POST", path="/insert", body={"count": 3})

    response = lambda_handler(event, FakeLambdaContext())

    assert (event["isBase64Encoded"], json.loads(base64.b64decode(event["body"]))) == (
        True,
        {"count": 3},
    )
    body = response_json(response)
    assert (response["statusCode"], body["inserted"], body["snapshot"]["rows"]) == (200, 3, 303)
    assert count_items() == 303


def test_a_post_whose_base64_body_is_not_json_is_a_400(
    ddb: Any, snapshot_dirs: SnapshotDirs
) -> None:
    response = invoke(
        method="POST",
        path="/insert",
        body="count=3",
        headers={"content-type": "application/x-www-form-urlencoded"},
    )

    assert (response["statusCode"], response_json(response)) == (
        400,
        {
            "error": "bad_parameter",
            "detail": "body: the request body is not JSON; send a JSON object such as "
            '{"count": 100}.',
        },
    )


def test_a_bad_parameter_in_the_raw_query_string_is_a_422(snapshot_dirs: SnapshotDirs) -> None:
    response = invoke(path="/sqlite-tmp", query="limit=0")

    assert (response["statusCode"], response_json(response)) == (
        422,
        {
            "error": "bad_parameter",
            "detail": "limit: must be a whole number from 1 to 1000, got 0.",
        },
    )


def test_query_values_are_percent_decoded_before_validation(snapshot: SeededSnapshot) -> None:
    target: RandomItem = snapshot.items[7]

    found = invoke(path="/sqlite-efs-immutable", query=f"query=point&id={target.id.lower()}")
    refused = invoke(path="/sqlite-efs-immutable", query=f"query=point&id={target.id}%20")

    assert (found["statusCode"], response_json(found)["items"][0]["id"]) == (200, target.id)
    assert (refused["statusCode"], response_json(refused)["detail"]) == (
        422,
        f"id: must be a ULID (26 characters of Crockford base32), got '{target.id} '.",
    )


def test_cold_start_is_true_only_for_the_first_request_of_the_process(
    snapshot: SeededSnapshot,
) -> None:
    coldstart.reset()

    flags = [response_json(invoke(path="/sqlite-tmp-cached"))["cold_start"] for _ in range(3)]

    assert flags == [True, False, False]


def test_cold_start_belongs_to_the_first_request_of_any_route(snapshot: SeededSnapshot) -> None:
    coldstart.reset()
    first = invoke(path="/status")

    read = response_json(invoke(path="/sqlite-efs"))

    assert (first["statusCode"], read["cold_start"], coldstart.is_cold_start()) == (
        200,
        False,
        False,
    )


def test_a_host_that_is_not_a_function_url_is_refused(snapshot_dirs: SnapshotDirs) -> None:
    response = invoke(path="/status", headers={"host": "attacker.example"})

    assert response["statusCode"] == 400
