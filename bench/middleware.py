"""Every error a caller can cause is JSON ``{"error", "detail"}``, also outside the API routes.

django-ninja answers a wrong method with a plain-text 405; Django answers an unknown path with an
HTML 404 (a debug page when DEBUG is on) and a request it refuses outright (a Host header not in
ALLOWED_HOSTS) with an HTML 400. These are rewritten here, in one place, keeping the status and
the ``Allow`` header.
"""

import json
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

JSON_TYPE = "application/json"


class JsonErrorsMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.status_code not in (400, 404, 405):
            return response
        if response.get("Content-Type", "").startswith(JSON_TYPE):
            return response
        if response.status_code == 400:
            body = {
                "error": "bad_request",
                "detail": "The request was refused (for example a Host header this deployment "
                "does not serve).",
            }
        elif response.status_code == 404:
            body = {
                "error": "not_found",
                "detail": f"There is no route {request.path!r}: see /docs for the API.",
            }
        else:
            allowed = response.get("Allow", "")
            body = {
                "error": "method_not_allowed",
                "detail": f"{request.method} is not allowed on {request.path}: use {allowed}.",
            }
        rewritten = HttpResponse(
            json.dumps(body), status=response.status_code, content_type=JSON_TYPE
        )
        if "Allow" in response:
            rewritten["Allow"] = response["Allow"]
        return rewritten
