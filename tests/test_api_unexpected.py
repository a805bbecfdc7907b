"""A failure nobody foresaw still answers with a sentence, never a traceback."""

import logging

import pytest
from django.test import Client

from bench import strategies
from bench.strategies.base import ReadRequest, ReadResult


def broken_read(request: ReadRequest) -> ReadResult:
    raise RuntimeError("disk on fire at /secret/path")


def test_unexpected_error_is_a_json_500_without_the_trace(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(strategies.get("sqlite-efs"), "read", broken_read)

    with caplog.at_level(logging.ERROR, logger="bench.api"):
        response = Client().get("/sqlite-efs")

    assert (response.status_code, response.json()) == (
        500,
        {
            "error": "internal_error",
            "detail": "The server failed unexpectedly (RuntimeError); see the function's log.",
        },
    )
    assert "disk on fire" not in response.content.decode()
    assert "RuntimeError: disk on fire" in caplog.text
