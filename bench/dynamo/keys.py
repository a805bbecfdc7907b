"""Key builders of the single-table design (SPEC.md, Data model).

Every key of every entity is built here; callers never format a key themselves.
"""

from datetime import UTC, datetime

GSI1_NAME = "GSI1"

RANDOM_GSI1PK = "RANDOM"
SESSION_PK = "BENCHMARK_SESSION"
SESSION_GSI1PK = "BENCHMARK_SESSION"
RESULT_GSI1PK = "BENCHMARK_RESULT"
CONFIG_PK = "CONFIG"
CONFIG_SK = "APP_SETTINGS"
LOCK_PK = "LOCK"
SNAPSHOT_LOCK_SK = "SNAPSHOT_BUILD"

RANDOM_PK_PREFIX = "RANDOM#"
RANDOM_SK_PREFIX = "ITEM#"
SESSION_SK_PREFIX = "SESSION#"
RESULT_PK_PREFIX = "BENCHMARK_RESULT#"
RESULT_SK_PREFIX = "RESULT#"


def iso_utc(moment: datetime) -> str:
    """ISO-8601 in UTC with fixed-width microseconds, so string order is time order."""
    if moment.tzinfo is None:
        raise ValueError("iso_utc needs an aware datetime")
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_iso_utc(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)


def random_pk(created_at: datetime) -> str:
    return f"{RANDOM_PK_PREFIX}{created_at.astimezone(UTC):%Y-%m-%d}"


def random_sk(item_id: str) -> str:
    return f"{RANDOM_SK_PREFIX}{item_id}"


def session_sk(session_id: str) -> str:
    return f"{SESSION_SK_PREFIX}{session_id}"


def result_pk(session_id: str) -> str:
    return f"{RESULT_PK_PREFIX}{session_id}"


def result_sk(result_id: str) -> str:
    return f"{RESULT_SK_PREFIX}{result_id}"
