"""The CSV of SPEC.md Reports: one row per request, columns ``bench.results.CSV_COLUMNS``.

Empty cells for missing values, durations in ms with six decimals, booleans as ``true``/``false``
and times as ISO-8601 UTC, so pandas and spreadsheets read it without options.

Six decimals are whole nanoseconds: every duration here is measured in ns and divided by 1e6, so
the cell reads back as the very float the report was computed from, and statistics recomputed
from the CSV match the Markdown's to the last digit shown.
"""

import csv
import io
from collections.abc import Iterable

from bench.dynamo.keys import iso_utc
from bench.results import CSV_COLUMNS, ResultRecord


def _ms(value: float | None) -> str:
    return "" if value is None else f"{value:.6f}"


def csv_row(record: ResultRecord) -> list[str]:
    return [
        record.endpoint,
        record.query,
        str(record.iteration),
        str(record.status),
        _ms(record.client_ms),
        _ms(record.server_total_ms),
        _ms(record.copy_ms),
        _ms(record.read_ms),
        "" if record.rows is None else str(record.rows),
        record.fingerprint or "",
        "true" if record.cold_start else "false",
        iso_utc(record.measured_at),
    ]


def csv_text(records: Iterable[ResultRecord]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    writer.writerows(csv_row(record) for record in records)
    return buffer.getvalue()
