from bench.dynamo import keys
from bench.dynamo.models import RandomItem
from bench.dynamo.table import Target


def test_random_item_round_trips_through_the_table(ddb: Target) -> None:
    from datetime import UTC, datetime

    created = datetime(2026, 1, 2, 3, 4, 5, 678901, tzinfo=UTC)
    RandomItem.build(
        item_id="01J0000000000000000000000A", random_value=0.25, created_at=created
    ).save()

    got = RandomItem.get("RANDOM#2026-01-02", keys.random_sk("01J0000000000000000000000A"))

    assert (got.random_value, got.created_at, got.GSI1SK) == (
        0.25,
        created,
        "2026-01-02T03:04:05.678901Z",
    )
