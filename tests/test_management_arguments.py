"""``bench.management.arguments``: numbers from the command line as CommandError sentences."""

import re

import pytest
from django.core.management.base import CommandError

from bench.management.arguments import parse_int


@pytest.mark.parametrize(("raw", "expected"), [("7", 7), ("10", 10), (1, 1), ("0010", 10)])
def test_parse_int_accepts_whole_numbers_in_range(raw: object, expected: int) -> None:
    assert parse_int("--n", raw, minimum=1, maximum=10) == expected


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("abc", "--n 'abc' is not a whole number: use 1..10."),
        ("", "--n '' is not a whole number: use 1..10."),
        ("2.5", "--n '2.5' is not a whole number: use 1..10."),
        (" 5", "--n ' 5' is not a whole number: use 1..10."),
        ("1_0", "--n '1_0' is not a whole number: use 1..10."),
        ("\u0665", "--n '\u0665' is not a whole number: use 1..10."),
        ("-3", "--n -3 is out of range: use 1..10."),
        (None, "--n None is not a whole number: use 1..10."),
        (True, "--n True is not a whole number: use 1..10."),
        ("0", "--n 0 is out of range: use 1..10."),
        (11, "--n 11 is out of range: use 1..10."),
    ],
)
def test_parse_int_names_the_bad_value(raw: object, message: str) -> None:
    with pytest.raises(CommandError, match=f"^{re.escape(message)}$"):
        parse_int("--n", raw, minimum=1, maximum=10)


def test_parse_int_adds_the_note_to_the_allowed_range() -> None:
    with pytest.raises(
        CommandError, match=r"^--memory 'x' is not a whole number: use 1\.\.2 \(MB\)\.$"
    ):
        parse_int("--memory", "x", minimum=1, maximum=2, note="(MB)")


def test_parse_int_refuses_a_number_too_long_to_convert() -> None:
    with pytest.raises(CommandError, match=r"^--n has 5000 digits: use 1\.\.10\.$"):
        parse_int("--n", "9" * 5000, minimum=1, maximum=10)
