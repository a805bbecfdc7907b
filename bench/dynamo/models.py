"""PynamoDB models of the single table, one per entity (SPEC.md, Data model).

All four share one table; ``bench.dynamo.table.configure`` points them at it. Keys are built by
``bench.dynamo.keys``, so use the ``build`` class methods rather than setting keys by hand.
"""

from datetime import UTC, datetime
from typing import Any

from pynamodb.attributes import (
    Attribute,
    BooleanAttribute,
    JSONAttribute,
    MapAttribute,
    NumberAttribute,
    UnicodeAttribute,
)
from pynamodb.constants import STRING
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model

from bench.dynamo import keys, table

DEFAULT_TABLE_NAME = "aws-lambda-sqlite-dev-main"


class IsoDateTimeAttribute(Attribute[datetime]):
    """A datetime stored as ``keys.iso_utc`` text (sortable, ISO-8601, UTC)."""

    attr_type = STRING

    def serialize(self, value: datetime) -> str:
        return keys.iso_utc(value)

    def deserialize(self, value: str) -> datetime:
        return keys.parse_iso_utc(value)


# PynamoDB's index is generic over its model and its __init_subclass__ is untyped.
class Gsi1(GlobalSecondaryIndex[Any]):  # type: ignore[no-untyped-call]
    class Meta:
        index_name = keys.GSI1_NAME
        projection = AllProjection()

    GSI1PK = UnicodeAttribute(hash_key=True)
    GSI1SK = UnicodeAttribute(range_key=True)


class TableMeta:
    table_name = DEFAULT_TABLE_NAME
    region = "us-east-1"
    host: str | None = None
    # Set by bench.dynamo.table.configure: placeholders for a local endpoint without credentials.
    aws_access_key_id: str | None = None
    aws_secret_access_key: str | None = None
    connect_timeout_seconds = 3
    read_timeout_seconds = 10
    max_retry_attempts = 2


class BaseItem(Model):
    class Meta(TableMeta):
        pass

    PK = UnicodeAttribute(hash_key=True)
    SK = UnicodeAttribute(range_key=True)
    GSI1PK = UnicodeAttribute()
    GSI1SK = UnicodeAttribute()
    entity = UnicodeAttribute()


class RandomItem(BaseItem):
    class Meta(TableMeta):
        pass

    gsi1 = Gsi1()
    id = UnicodeAttribute()
    random_value = NumberAttribute()
    created_at = IsoDateTimeAttribute()

    ENTITY = "random"

    @classmethod
    def build(cls, *, item_id: str, random_value: float, created_at: datetime) -> "RandomItem":
        return cls(
            keys.random_pk(created_at),
            keys.random_sk(item_id),
            GSI1PK=keys.RANDOM_GSI1PK,
            GSI1SK=keys.iso_utc(created_at),
            entity=cls.ENTITY,
            id=item_id,
            random_value=random_value,
            created_at=created_at,
        )


class BenchmarkSessionItem(BaseItem):
    class Meta(TableMeta):
        pass

    gsi1 = Gsi1()
    session_id = UnicodeAttribute()
    executed_at = IsoDateTimeAttribute()
    iterations = NumberAttribute()
    data_count = NumberAttribute()
    status = UnicodeAttribute()
    endpoints = JSONAttribute()
    # "query" would shadow Model.query(): stored under that name, read as query_shape.
    query_shape = UnicodeAttribute(attr_name="query", default="all")
    summary = JSONAttribute(default=dict)  # endpoint -> {n, errors, mean, min, p50, ...}
    environment = JSONAttribute(default=dict)

    ENTITY = "benchmark_session"
    STATUSES = ("running", "complete", "partial", "failed")

    @classmethod
    def build(
        cls,
        *,
        session_id: str,
        executed_at: datetime,
        iterations: int,
        data_count: int,
        endpoints: list[str],
        query: str = "all",
        status: str = "running",
    ) -> "BenchmarkSessionItem":
        if status not in cls.STATUSES:
            raise ValueError(f"status {status!r} is not one of {', '.join(cls.STATUSES)}")
        return cls(
            keys.SESSION_PK,
            keys.session_sk(session_id),
            GSI1PK=keys.SESSION_GSI1PK,
            GSI1SK=keys.iso_utc(executed_at),
            entity=cls.ENTITY,
            session_id=session_id,
            executed_at=executed_at,
            iterations=iterations,
            data_count=data_count,
            endpoints=endpoints,
            query_shape=query,
            status=status,
        )


class BenchmarkResultItem(BaseItem):
    class Meta(TableMeta):
        pass

    gsi1 = Gsi1()
    session_id = UnicodeAttribute()
    result_id = UnicodeAttribute()
    endpoint = UnicodeAttribute()
    query_shape = UnicodeAttribute(attr_name="query")
    iteration = NumberAttribute(default=0)
    response_time_ms = NumberAttribute()
    copy_time_ms = NumberAttribute(null=True)
    read_time_ms = NumberAttribute(null=True)
    rows = NumberAttribute(null=True)  # None: the read failed
    fingerprint = UnicodeAttribute(null=True)
    cold_start = BooleanAttribute(default=False)
    ok = BooleanAttribute()
    error = UnicodeAttribute(null=True)
    measured_at = IsoDateTimeAttribute()

    ENTITY = "benchmark_result"

    @classmethod
    def build(
        cls,
        *,
        session_id: str,
        result_id: str,
        measured_at: datetime,
        **attributes: Any,  # noqa: ANN401 - the remaining attributes, checked by PynamoDB
    ) -> "BenchmarkResultItem":
        return cls(
            keys.result_pk(session_id),
            keys.result_sk(result_id),
            GSI1PK=keys.RESULT_GSI1PK,
            GSI1SK=keys.iso_utc(measured_at),
            entity=cls.ENTITY,
            session_id=session_id,
            result_id=result_id,
            measured_at=measured_at,
            **attributes,
        )


class SnapshotInfo(MapAttribute[str, Any]):
    version = UnicodeAttribute()
    rows = NumberAttribute()
    fingerprint = UnicodeAttribute()
    built_at = IsoDateTimeAttribute()
    build_ms = NumberAttribute()


class ConfigItem(BaseItem):
    class Meta(TableMeta):
        pass

    gsi1 = Gsi1()
    sqlite_file_path = UnicodeAttribute()
    benchmark_enabled = BooleanAttribute(default=True)
    data_generation_count = NumberAttribute(default=0)
    snapshot = SnapshotInfo(null=True)  # type: ignore[no-untyped-call]

    ENTITY = "config"

    @classmethod
    def build(cls, *, sqlite_file_path: str) -> "ConfigItem":
        return cls(
            keys.CONFIG_PK,
            keys.CONFIG_SK,
            GSI1PK=keys.CONFIG_PK,
            GSI1SK=keys.CONFIG_SK,
            entity=cls.ENTITY,
            sqlite_file_path=sqlite_file_path,
        )


ALL_MODELS: tuple[type[BaseItem], ...] = (
    RandomItem,
    BenchmarkSessionItem,
    BenchmarkResultItem,
    ConfigItem,
)


def utc_now() -> datetime:
    return datetime.now(UTC)


# Whatever target bench.dynamo.table holds (the settings', or a test's) applies from the start.
table.point_models_at_target()
