"""The cost estimate: hand-computed figures, the dated table and its JSON override."""

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bench.reports.costs import (
    DEFAULT_PRICES,
    CostEstimate,
    PriceTable,
    PriceTableError,
    describe,
    estimate,
    load_price_table,
)
from bench.results import ResultRecord


def make_record(
    *,
    endpoint: str,
    total_ms: float | None = 10.0,
    client_ms: float | None = None,
    rows: int | None = 1000,
    copy_ms: float | None = None,
    query: str = "all",
    error: str | None = None,
) -> ResultRecord:
    return ResultRecord(
        endpoint=endpoint,
        query=query,
        iteration=0,
        status=500 if error else 200,
        client_ms=client_ms,
        server_total_ms=total_ms,
        copy_ms=copy_ms,
        read_ms=total_ms,
        rows=rows,
        fingerprint="f",
        cold_start=False,
        measured_at=datetime(2026, 1, 1, tzinfo=UTC),
        error=error,
    )


PRICES = PriceTable(
    as_of="2030-01-01",
    lambda_request=0.2 / 1e6,
    lambda_gb_second_x86_64=0.00001,
    lambda_gb_second_arm64=0.000008,
    ddb_read_request_unit=0.125 / 1e6,
    efs_elastic_read_gib=0.03,
    ddb_item_bytes=200,
    sqlite_bytes_per_row=100,
    sqlite_pages_per_lookup=4,
)


def run(endpoint: str, records: list[ResultRecord], **kwargs: object) -> CostEstimate | None:
    options: dict[str, object] = {
        "prices": PRICES,
        "data_count": 10_000,
        "memory_mb": 2048,
        "architecture": "x86_64",
    }
    options.update(kwargs)
    return estimate(endpoint, records, **options)  # type: ignore[arg-type]


def test_ddb_pays_half_a_read_unit_per_4_kb_read() -> None:
    records = [make_record(endpoint="ddb", total_ms=9.2, rows=1000)]

    cost = run("ddb", records)

    # 1000 items x 200 B = 200,000 B -> ceil(/4096) = 49 units of 4 KB -> 24.5 RRU
    assert cost == CostEstimate(
        endpoint="ddb",
        billed_ms=10,
        lambda_compute=pytest.approx(0.010 * 2 * 0.00001 * 1e6),  # type: ignore[arg-type]
        lambda_requests=pytest.approx(0.2),  # type: ignore[arg-type]
        dynamodb=pytest.approx(24.5 * 0.125),  # type: ignore[arg-type]
        efs=0.0,
    )


def test_ddb_point_read_costs_half_a_unit() -> None:
    cost = run("ddb", [make_record(endpoint="ddb", rows=1, query="point")])

    assert cost is not None and cost.dynamodb == pytest.approx(0.5 * 0.125)


def test_ddb_read_of_nothing_still_costs_half_a_unit() -> None:
    cost = run("ddb", [make_record(endpoint="ddb", rows=0)])

    assert cost is not None and cost.dynamodb == pytest.approx(0.5 * 0.125)


def test_sqlite_tmp_reads_the_whole_file_from_efs_every_time() -> None:
    cost = run("sqlite-tmp", [make_record(endpoint="sqlite-tmp", copy_ms=5.0)])

    # 10,000 rows x 100 B = 1,000,000 B per request
    assert cost is not None
    assert cost.efs == pytest.approx(1_000_000 / 1024**3 * 0.03 * 1e6)
    assert cost.dynamodb == 0.0


def test_sqlite_tmp_cached_pays_efs_only_for_the_requests_that_copied() -> None:
    records = [make_record(endpoint="sqlite-tmp-cached", copy_ms=40.0)] + [
        make_record(endpoint="sqlite-tmp-cached", copy_ms=0.0) for _ in range(3)
    ]

    cost = run("sqlite-tmp-cached", records)

    assert cost is not None
    assert cost.efs == pytest.approx(1_000_000 / 4 / 1024**3 * 0.03 * 1e6)


def test_sqlite_efs_lookup_reads_a_few_pages() -> None:
    records = [make_record(endpoint="sqlite-efs-immutable", rows=10, query="latest")]

    cost = run("sqlite-efs-immutable", records)

    # 4 lookup pages + ceil(10 x 100 / 4096) = 5 pages of 4096 B
    assert cost is not None and cost.efs == pytest.approx(5 * 4096 / 1024**3 * 0.03 * 1e6)


def test_sqlite_efs_full_read_reads_the_whole_file() -> None:
    cost = run("sqlite-efs", [make_record(endpoint="sqlite-efs", query="aggregate", rows=10_000)])

    assert cost is not None and cost.efs == pytest.approx(1_000_000 / 1024**3 * 0.03 * 1e6)


def test_file_size_falls_back_to_the_rows_of_a_full_read() -> None:
    full = run("sqlite-efs", [make_record(endpoint="sqlite-efs", rows=500)], data_count=None)
    lookup = run(
        "sqlite-efs",
        [make_record(endpoint="sqlite-efs", rows=1, query="point")],
        data_count=None,
    )

    assert full is not None and full.efs == pytest.approx(50_000 / 1024**3 * 0.03 * 1e6)
    assert lookup is not None and lookup.efs is None
    assert lookup.total == lookup.lambda_compute + lookup.lambda_requests


def test_unknown_strategy_has_no_efs_figure() -> None:
    cost = run("sqlite-other", [make_record(endpoint="sqlite-other")])

    assert cost is not None and cost.efs is None


def test_arm64_and_assumed_settings_change_the_compute_cost() -> None:
    records = [make_record(endpoint="ddb", total_ms=100.0)]

    arm = run("ddb", records, architecture="arm64", memory_mb=1024)
    assumed = run("ddb", records, architecture=None, memory_mb=None)

    assert arm is not None and arm.lambda_compute == pytest.approx(0.1 * 1 * 0.000008 * 1e6)
    # PriceTable defaults: 1024 MB, x86_64
    assert assumed is not None
    assert assumed.lambda_compute == pytest.approx(0.1 * 1 * 0.00001 * 1e6)


def test_billed_duration_rounds_the_server_mean_up_to_a_millisecond() -> None:
    records = [
        make_record(endpoint="ddb", total_ms=0.2, client_ms=50.0),
        make_record(endpoint="ddb", total_ms=0.3, client_ms=60.0),
        make_record(endpoint="ddb", total_ms=None, client_ms=2.5),
    ]

    cost = run("ddb", records)

    # server times where known, else the client's: mean(0.2, 0.3, 2.5) = 1.0 -> 1 ms
    assert cost is not None and cost.billed_ms == 1


def test_no_successful_records_no_estimate() -> None:
    assert run("ddb", [make_record(endpoint="ddb", error="down")]) is None
    assert run("ddb", [make_record(endpoint="sqlite-efs")]) is None


def test_default_table_is_dated_and_described() -> None:
    text = describe(DEFAULT_PRICES)

    assert DEFAULT_PRICES.as_of == "2025-06-01"
    assert text.startswith("Prices: us-east-1 on-demand list prices as of 2025-06-01 (USD):")
    assert "Lambda 0.20 per million requests" in text
    assert "0.0000166667/GB-s x86_64, 0.0000133334/GB-s arm64" in text
    assert "DynamoDB 0.125 per million read request units" in text
    assert "EFS Elastic reads 0.030 per GiB" in text


def test_json_file_overrides_some_fields(tmp_path: Path) -> None:
    path = tmp_path / "prices.json"
    path.write_text(
        json.dumps(
            {
                "as_of": "2031-02-03",
                "region": "eu-west-1",
                "efs_elastic_read_gib": 0.05,
                "ddb_item_bytes": 300.0,
            }
        )
    )

    prices = load_price_table(path)

    assert prices == PriceTable(
        as_of="2031-02-03", region="eu-west-1", efs_elastic_read_gib=0.05, ddb_item_bytes=300
    )
    assert isinstance(prices.ddb_item_bytes, int)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", r"is not valid JSON: Expecting property name"),
        ("[1, 2]", r"must hold a JSON object"),
        ('{"lambda_price": 1}', r"unknown field\(s\) lambda_price; known: as_of, region"),
        ('{"efs_elastic_read_gib": -1}', r"efs_elastic_read_gib must be a number >= 0, not -1"),
        ('{"efs_elastic_read_gib": "cheap"}', r"must be a number >= 0, not 'cheap'"),
        ('{"efs_elastic_read_gib": true}', r"must be a number >= 0, not True"),
        ('{"as_of": ""}', r"as_of must be a non-empty string"),
        ('{"ddb_item_bytes": 2.5}', r"ddb_item_bytes must be a whole number, not 2.5"),
        ('{"assumed_architecture": "mips"}', r"assumed_architecture must be x86_64 or arm64"),
    ],
)
def test_bad_price_files_are_refused_with_a_sentence(
    tmp_path: Path, content: str, message: str
) -> None:
    path = tmp_path / "prices.json"
    path.write_text(content)

    with pytest.raises(PriceTableError, match=message):
        load_price_table(path)


def test_missing_price_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(PriceTableError, match=r"Cannot read the price table .*missing.json"):
        load_price_table(tmp_path / "missing.json")
