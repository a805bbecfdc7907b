"""The CSV of SPEC.md Reports: header, one row per request, readable by csv and pandas."""

import csv
import io
from datetime import UTC, datetime

import pandas as pd

from bench.reports import csv_text
from bench.results import CSV_COLUMNS, ResultRecord


def make_record(
    *,
    endpoint: str = "sqlite-tmp",
    iteration: int = 0,
    client_ms: float | None = None,
    copy_ms: float | None = 12.3456,
    rows: int | None = 1000,
    fingerprint: str | None = "abc",
    cold_start: bool = False,
    status: int = 200,
) -> ResultRecord:
    return ResultRecord(
        endpoint=endpoint,
        query="all",
        iteration=iteration,
        status=status,
        client_ms=client_ms,
        server_total_ms=15.5,
        copy_ms=copy_ms,
        read_ms=3.1,
        rows=rows,
        fingerprint=fingerprint,
        cold_start=cold_start,
        measured_at=datetime(2026, 12, 4, 20, 0, 1, 250000, tzinfo=UTC),
    )


def test_csv_has_the_spec_header_and_one_row_per_record() -> None:
    records = [make_record(iteration=i) for i in range(3)]

    rows = list(csv.reader(io.StringIO(csv_text(records))))

    assert rows[0] == list(CSV_COLUMNS)
    assert rows[0] == [
        "endpoint",
        "query",
        "iteration",
        "status",
        "client_ms",
        "server_total_ms",
        "copy_ms",
        "read_ms",
        "rows",
        "fingerprint",
        "cold_start",
        "measured_at",
    ]
    assert len(rows) == 4


def test_csv_cells_are_plain_values_with_empty_for_missing() -> None:
    records = [
        make_record(client_ms=40.25, cold_start=True),
        make_record(endpoint="ddb", copy_ms=None, rows=None, fingerprint=None, status=599),
    ]

    rows = list(csv.DictReader(io.StringIO(csv_text(records))))

    assert rows == [
        {
            "endpoint": "sqlite-tmp",
            "query": "all",
            "iteration": "0",
            "status": "200",
            "client_ms": "40.250000",
            "server_total_ms": "15.500000",
            "copy_ms": "12.345600",
            "read_ms": "3.100000",
            "rows": "1000",
            "fingerprint": "abc",
            "cold_start": "true",
            "measured_at": "2026-12-04T20:00:01.250000Z",
        },
        {
            "endpoint": "ddb",
            "query": "all",
            "iteration": "0",
            "status": "599",
            "client_ms": "",
            "server_total_ms": "15.500000",
            "copy_ms": "",
            "read_ms": "3.100000",
            "rows": "",
            "fingerprint": "",
            "cold_start": "false",
            "measured_at": "2026-12-04T20:00:01.250000Z",
        },
    ]


def test_durations_in_whole_nanoseconds_read_back_as_the_same_floats() -> None:
    # 1.005499 ms: three decimals ("1.005") would round to 1.00 where the report shows 1.01.
    nanoseconds = [1_005_499, 2_675_000, 123_456_789_123, 1, 999_999_999]
    records = [make_record(iteration=i, client_ms=ns / 1e6) for i, ns in enumerate(nanoseconds)]

    rows = list(csv.DictReader(io.StringIO(csv_text(records))))

    assert [row["client_ms"] for row in rows] == [
        "1.005499",
        "2.675000",
        "123456.789123",
        "0.000001",
        "999.999999",
    ]
    assert [float(row["client_ms"]) for row in rows] == [ns / 1e6 for ns in nanoseconds]


def test_pandas_reads_the_csv_with_proper_types() -> None:
    records = [make_record(iteration=i, client_ms=10.0 + i) for i in range(5)]
    records.append(make_record(endpoint="ddb", copy_ms=None, cold_start=True))

    frame = pd.read_csv(io.StringIO(csv_text(records)), parse_dates=["measured_at"])

    assert list(frame.columns) == list(CSV_COLUMNS)
    assert len(frame) == 6
    assert frame["client_ms"].tolist()[:5] == [10.0, 11.0, 12.0, 13.0, 14.0]
    assert frame["cold_start"].dtype == bool
    assert frame["cold_start"].tolist() == [False] * 5 + [True]
    assert frame["copy_ms"].isna().tolist() == [False] * 5 + [True]
    assert str(frame["measured_at"].dt.tz) == "UTC"


def test_csv_of_no_records_is_just_the_header() -> None:
    assert csv_text([]) == ",".join(CSV_COLUMNS) + "\n"
