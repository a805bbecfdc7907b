"""The NinjaAPI, its routers and the one place errors become responses.

Every error is JSON ``{"error": code, "detail": sentence}``. Domain errors (``bench.errors``)
carry their own status; request validation errors become 422 naming the parameter.
"""

import logging

from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import HttpError, ValidationError

from bench.dynamo.table import DynamoUnavailableError
from bench.errors import BenchError, StorageUnavailableError

logger = logging.getLogger(__name__)

api = NinjaAPI(
    title="lambda-sqlite-bench",
    version="1.0",
    description="Times reads of the same data from SQLite on EFS, SQLite copied to /tmp, "
    "and DynamoDB, from inside AWS Lambda.",
)


def error_response(request: HttpRequest, *, status: int, code: str, detail: str) -> HttpResponse:
    return api.create_response(request, {"error": code, "detail": detail}, status=status)


PARAMETER_SOURCES = frozenset({"query", "path", "header", "cookie", "body", "form", "file"})
PYDANTIC_VALUE_ERROR = "Value error, "


def parameter_name(location: tuple[object, ...]) -> str:
    """``("query", "limit")`` -> ``limit``; ``("body", "payload", "count")`` -> ``count``.

    Only the leading source is dropped (a parameter may itself be called ``query``); for a body
    the view's argument name that follows it is dropped too (the body itself is ``body``).
    """
    parts = [str(part) for part in location]
    if parts and parts[0] in PARAMETER_SOURCES:
        source, parts = parts[0], parts[1:]
        if source == "body":
            parts = parts[1:]
    return ".".join(parts) or "body"


def describe_validation_error(exc: ValidationError) -> str:
    """One sentence per invalid parameter: which one, and what was wrong with it."""
    sentences = []
    for error in exc.errors:
        name = parameter_name(tuple(error.get("loc", ())))
        message = str(error.get("msg", "is invalid")).removeprefix(PYDANTIC_VALUE_ERROR)
        sentences.append(f"{name}: {message}")
    return "; ".join(sentences) or "The request is invalid."


@api.exception_handler(BenchError)
def on_bench_error(request: HttpRequest, exc: BenchError) -> HttpResponse:
    return error_response(request, status=exc.status, code=exc.code, detail=exc.detail)


@api.exception_handler(DynamoUnavailableError)
def on_dynamo_unavailable(request: HttpRequest, exc: DynamoUnavailableError) -> HttpResponse:
    return on_bench_error(request, StorageUnavailableError(str(exc)))


@api.exception_handler(ValidationError)
def on_validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    return error_response(
        request, status=422, code="bad_parameter", detail=describe_validation_error(exc)
    )


# django-ninja raises HttpError(400, "Cannot parse request body...") for a body that is not JSON.
UNPARSABLE_BODY = "Cannot parse request body"
NOT_JSON = 'body: the request body is not JSON; send a JSON object such as {"count": 100}.'


@api.exception_handler(HttpError)
def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    if exc.status_code == 400 and str(exc.message).startswith(UNPARSABLE_BODY):
        return error_response(
            request,
            status=400,
            code="bad_parameter",
            detail=NOT_JSON,
        )
    return error_response(
        request, status=exc.status_code, code="http_error", detail=str(exc.message)
    )


@api.exception_handler(Exception)
def on_unexpected_error(request: HttpRequest, exc: Exception) -> HttpResponse:
    # Logged with its traceback for the operator; the caller gets a sentence, never the trace.
    logger.exception("Unhandled error serving %s %s", request.method, request.path)
    return error_response(
        request,
        status=500,
        code="internal_error",
        detail=f"The server failed unexpectedly ({type(exc).__name__}); see the function's log.",
    )


# Routers, one module each; adding one is one line here.
api.add_router("", "bench.api.benchmark.router")
api.add_router("", "bench.api.reads.router")
