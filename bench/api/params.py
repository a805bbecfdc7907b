"""Query parameters shared by the routes, each validated with an error that names its range.

Pydantic's own messages ("Input should be a valid integer") name the parameter but not what
is allowed; these validators run first and word the error the way the API promises: the value
given and the values allowed. The ``Field`` constraints stay, so the OpenAPI schema shows them.
"""

import re
from typing import Annotated

from ninja import Field
from pydantic import BeforeValidator

from bench.limits import MAX_ITERATIONS, MAX_PAGE, MAX_TREND_SESSIONS, MIN_ITERATIONS, MIN_PAGE
from bench.strategies.base import MAX_LIMIT, MIN_LIMIT, QUERY_SHAPES, QueryShape

ULID_ALPHABET = frozenset("0123456789ABCDEFGHJKMNPQRSTVWXYZ")
ULID_PATTERN = "^[0-7][0-9A-HJKMNP-TV-Z]{25}$"


WHOLE_NUMBER = re.compile(r"-?[0-9]+")
SHOWN_CHARS = 40


def shown(value: object) -> str:
    """The value as an error echoes it: repr, cut short so a huge value is not sent back whole."""
    text = repr(value)
    return text if len(text) <= SHOWN_CHARS else f"{text[:SHOWN_CHARS]}... ({len(text)} chars)"


def whole_number(minimum: int, maximum: int) -> BeforeValidator:
    """A validator for an int parameter whose error names it and its allowed range."""

    def check(value: object) -> int:
        allowed = f"must be a whole number from {minimum} to {maximum}"
        if isinstance(value, bool) or not isinstance(value, int | str):
            raise ValueError(f"{allowed}, got {shown(value)}.")
        # Plain ASCII digits only: int() would also take "+5", " 5", "1_000" and other scripts'
        # digits, which no client means to send.
        if isinstance(value, str) and not WHOLE_NUMBER.fullmatch(value):
            raise ValueError(f"{allowed}, got {shown(value)}.")
        number = int(value)
        if not minimum <= number <= maximum:
            raise ValueError(f"{allowed}, got {shown(number)}.")
        return number

    return BeforeValidator(check)


def ulid_text(value: object) -> str:
    # Runs only on a given id (an omitted one keeps its default, None).
    text = str(value).upper()
    if len(text) != 26 or not ULID_ALPHABET.issuperset(text) or text[0] > "7":
        raise ValueError(f"must be a ULID (26 characters of Crockford base32), got {value!r}.")
    return text


def query_shape(value: object) -> object:
    if value not in QUERY_SHAPES:
        raise ValueError(f"must be one of {', '.join(QUERY_SHAPES)}, got {value!r}.")
    return value


Shape = Annotated[QueryShape, BeforeValidator(query_shape)]
# Constraints first, then the validator: the schema shows minimum/maximum, and the validator
# (which runs first) words the error.
Limit = Annotated[
    int,
    Field(ge=MIN_LIMIT, le=MAX_LIMIT, description="Items in the response (1..1000)."),
    whole_number(MIN_LIMIT, MAX_LIMIT),
]

Iterations = Annotated[
    int,
    Field(ge=MIN_ITERATIONS, le=MAX_ITERATIONS, description="Reads per strategy, 1..1000."),
    whole_number(MIN_ITERATIONS, MAX_ITERATIONS),
]
PageSize = Annotated[
    int,
    Field(ge=MIN_PAGE, le=MAX_PAGE, description="Sessions per page, 1..100."),
    whole_number(MIN_PAGE, MAX_PAGE),
]
TrendSessions = Annotated[
    int,
    Field(ge=MIN_PAGE, le=MAX_TREND_SESSIONS, description="Newest sessions to use, 1..1000."),
    whole_number(MIN_PAGE, MAX_TREND_SESSIONS),
]
