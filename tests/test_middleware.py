"""Unknown paths and wrong methods answer JSON errors through the Lambda handler too."""

import pytest
from django.test import Client
from pytest_django.fixtures import Settings as SettingsWrapper

from bench import strategies
from bench.errors import NotFoundError
from bench.strategies.base import ReadRequest, ReadResult
from benchsite.wsgi import lambda_handler
from tests.events import FakeLambdaContext, make_function_url_event, response_json


def test_an_unknown_path_is_a_json_404_through_the_handler(settings: SettingsWrapper) -> None:
    settings.ALLOWED_HOSTS = [".lambda-url.us-east-1.on.aws"]

    response = lambda_handler(make_function_url_event(path="/nope"), FakeLambdaContext())

    assert (response["statusCode"], response_json(response)) == (
        404,
        {"error": "not_found", "detail": "There is no route '/nope': see /docs for the API."},
    )


def test_a_wrong_method_is_a_json_405_that_keeps_the_allow_header() -> None:
    response = Client().delete("/status")

    assert (response.status_code, response.json(), response["Allow"]) == (
        405,
        {
            "error": "method_not_allowed",
            "detail": "DELETE is not allowed on /status: use GET.",
        },
        "GET",
    )


def missing_item(request: ReadRequest) -> ReadResult:
    raise NotFoundError("id='01KJNWY4200000000000000000' is not an item of snapshot X.")


def test_a_json_404_of_the_api_passes_through_unchanged(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(strategies.get("sqlite-efs"), "read", missing_item)

    response = Client().get("/sqlite-efs")

    assert (response.status_code, response.json()) == (
        404,
        {
            "error": "not_found",
            "detail": "id='01KJNWY4200000000000000000' is not an item of snapshot X.",
        },
    )


def test_a_refused_host_is_a_json_400() -> None:
    response = Client(HTTP_HOST="evil.example").get("/status")

    assert (response.status_code, response.json()) == (
        400,
        {
            "error": "bad_request",
            "detail": "The request was refused (for example a Host header this deployment "
            "does not serve).",
        },
    )


def test_a_successful_response_is_left_alone() -> None:
    response = Client().get("/openapi.json")

    assert (response.status_code, response["Content-Type"]) == (200, "application/json")
    assert "/status" in response.json()["paths"]
