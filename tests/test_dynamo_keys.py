"""Key builders of the single table: the exact shapes of SPEC.md, and text order = time order."""

from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bench.dynamo import keys

MOMENTS = st.datetimes(
    min_value=datetime(2000, 1, 1), max_value=datetime(2099, 12, 31), timezones=st.just(UTC)
)


def test_iso_utc_has_fixed_width_microseconds_and_a_z() -> None:
    assert keys.iso_utc(datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)) == "2026-01-02T03:04:05.000000Z"


def test_iso_utc_converts_other_time_zones_to_utc() -> None:
    tokyo = timezone(timedelta(hours=9))

    assert keys.iso_utc(datetime(2026, 1, 2, 8, 0, 0, 5, tzinfo=tokyo)) == (
        "2026-01-01T23:00:00.000005Z"
    )


def test_iso_utc_refuses_a_naive_datetime() -> None:
    with pytest.raises(ValueError, match="^iso_utc needs an aware datetime$"):
        keys.iso_utc(datetime(2026, 1, 2))


@given(MOMENTS, MOMENTS)
def test_iso_utc_text_sorts_like_time(first: datetime, second: datetime) -> None:
    assert (keys.iso_utc(first) < keys.iso_utc(second)) == (first < second)


@given(MOMENTS)
def test_parse_iso_utc_reverses_iso_utc(moment: datetime) -> None:
    assert keys.parse_iso_utc(keys.iso_utc(moment)) == moment


def test_random_keys_use_the_utc_date_and_the_id() -> None:
    late_evening_in_new_york = datetime(2026, 3, 1, 20, 0, tzinfo=timezone(timedelta(hours=-5)))

    assert keys.random_pk(late_evening_in_new_york) == "RANDOM#2026-03-02"
    assert keys.random_sk("01J0000000000000000000000A") == "ITEM#01J0000000000000000000000A"


def test_session_result_and_constant_keys_have_the_spec_shapes() -> None:
    assert [
        keys.session_sk("S1"),
        keys.result_pk("S1"),
        keys.result_sk("R1"),
        keys.SESSION_PK,
        keys.CONFIG_PK,
        keys.CONFIG_SK,
        keys.RANDOM_GSI1PK,
        keys.GSI1_NAME,
    ] == [
        "SESSION#S1",
        "BENCHMARK_RESULT#S1",
        "RESULT#R1",
        "BENCHMARK_SESSION",
        "CONFIG",
        "APP_SETTINGS",
        "RANDOM",
        "GSI1",
    ]
