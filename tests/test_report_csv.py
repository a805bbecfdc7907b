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
            "client_ms": "40.250",
            "server_total_ms": "15.500",
            "copy_ms": "12.346",
            "read_ms": "3.100",
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
            "server_total_ms": "15.500",
            "copy_ms": "",
            "read_ms": "3.100",
            "rows": "",
            "fingerprint": "",
            "cold_start": "false",
            "measured_at": "2026-12-04T20:00:01.250000Z",
        },
    ]


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
