"""Estimated cost per million requests of each strategy, from a dated price table.

The default table holds the on-demand list prices of us-east-1 as published on the date in
``as_of``; prices change, so a report always prints the date and every figure can be overridden
by a JSON file (``load_price_table``) with any subset of the fields of ``PriceTable``, e.g.::

    {"as_of": "2026-01-15", "region": "eu-west-1", "lambda_gb_second_arm64": 0.0000133334}

What one request of a strategy is assumed to cost (``estimate``):

- Lambda: the request price plus memory (GB) x billed duration, where the billed duration is the
  strategy's mean server-side time rounded up to a whole millisecond (Lambda bills per 1 ms). The
  handler's own overhead, the free tier, tiered discounts and /tmp above the free 512 MB are left
  out. Memory and architecture come from the run when known, else ``assumed_memory_mb`` and
  ``assumed_architecture``.
- DynamoDB (``ddb`` only): eventually consistent reads cost half a read request unit per 4 KB
  read, rounded up per request: ``ceil(rows x ddb_item_bytes / 4096) x 0.5`` RRU.
- EFS Elastic throughput, billed per GiB read (upper bound: no NFS client cache):
  ``sqlite-tmp`` reads the whole file (``data rows x sqlite_bytes_per_row``) on every request;
  ``sqlite-tmp-cached`` only on the requests that copied; the ``sqlite-efs*`` strategies read the
  whole file for ``all``/``aggregate`` and a few pages (``sqlite_pages_per_lookup`` plus the pages
  holding the rows) for ``latest``/``point``.
"""

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from pathlib import Path

from bench.results import ResultRecord

RRU_BYTES = 4096
SQLITE_PAGE_BYTES = 4096
GIB = 1024**3
PER_MILLION = 1_000_000


class PriceTableError(ValueError):
    """A price-table file could not be read or holds a bad value; the message says which."""


@dataclass(frozen=True)
class PriceTable:
    as_of: str = "2025-06-01"
    region: str = "us-east-1"
    currency: str = "USD"
    lambda_request: float = 0.20 / PER_MILLION
    lambda_gb_second_x86_64: float = 0.0000166667
    lambda_gb_second_arm64: float = 0.0000133334
    ddb_read_request_unit: float = 0.125 / PER_MILLION  # on-demand, one RRU
    efs_elastic_read_gib: float = 0.03
    # Assumptions, overridable like the prices.
    assumed_memory_mb: int = 1024
    assumed_architecture: str = "x86_64"
    ddb_item_bytes: int = 210  # one random item with its keys, GSI keys and attribute names
    sqlite_bytes_per_row: int = 150  # table row plus the id and created_at index entries
    sqlite_pages_per_lookup: int = 4  # index and table b-tree pages for latest/point

    def gb_second(self, architecture: str) -> float:
        if architecture == "arm64":
            return self.lambda_gb_second_arm64
        return self.lambda_gb_second_x86_64


DEFAULT_PRICES = PriceTable()


def load_price_table(path: Path, *, base: PriceTable = DEFAULT_PRICES) -> PriceTable:
    """``base`` with the fields given in the JSON object at ``path`` replaced."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise PriceTableError(f"Cannot read the price table {path}: {exc.strerror}.") from exc
    except json.JSONDecodeError as exc:
        raise PriceTableError(f"The price table {path} is not valid JSON: {exc.msg}.") from exc
    if not isinstance(data, dict):
        raise PriceTableError(f"The price table {path} must hold a JSON object.")
    return price_table_from_mapping(data, base=base, source=str(path))


def price_table_from_mapping(
    data: Mapping[str, object], *, base: PriceTable = DEFAULT_PRICES, source: str = "prices"
) -> PriceTable:
    known = {field.name: field for field in fields(PriceTable)}
    unknown = sorted(set(data) - set(known))
    if unknown:
        raise PriceTableError(
            f"{source}: unknown field(s) {', '.join(unknown)}; known: {', '.join(known)}."
        )
    changes: dict[str, object] = {}
    for name, value in data.items():
        default = getattr(base, name)
        if isinstance(default, str):
            if not isinstance(value, str) or not value:
                raise PriceTableError(f"{source}: {name} must be a non-empty string.")
        elif isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
            raise PriceTableError(f"{source}: {name} must be a number >= 0, not {value!r}.")
        elif isinstance(default, int) and not float(value).is_integer():
            raise PriceTableError(f"{source}: {name} must be a whole number, not {value!r}.")
        else:
            value = type(default)(value)
        changes[name] = value
    if changes.get("assumed_architecture", "x86_64") not in ("x86_64", "arm64"):
        raise PriceTableError(f"{source}: assumed_architecture must be x86_64 or arm64.")
    return replace(base, **changes)  # type: ignore[arg-type]


@dataclass(frozen=True)
class CostEstimate:
    """USD (or the table's currency) per million requests of one strategy."""

    endpoint: str
    billed_ms: int
    lambda_compute: float
    lambda_requests: float
    dynamodb: float
    efs: float | None  # None when the file size is unknown

    @property
    def total(self) -> float:
        return self.lambda_compute + self.lambda_requests + self.dynamodb + (self.efs or 0.0)


def estimate(
    endpoint: str,
    records: list[ResultRecord],
    *,
    prices: PriceTable,
    data_count: int | None,
    memory_mb: int | None,
    architecture: str | None,
) -> CostEstimate | None:
    """The cost estimate of ``endpoint`` from its successful ``records``; None without any."""
    ok = [r for r in records if r.ok and r.endpoint == endpoint]
    times = [t for r in ok if (t := _server_ms(r)) is not None]
    if not times:
        return None
    billed_ms = max(1, math.ceil(math.fsum(times) / len(times)))
    memory_gb = (memory_mb or prices.assumed_memory_mb) / 1024
    gb_second = prices.gb_second(architecture or prices.assumed_architecture)
    compute = billed_ms / 1000 * memory_gb * gb_second
    rows_read = math.fsum(r.rows or 0 for r in ok) / len(ok)
    dynamodb = 0.0
    if endpoint == "ddb":
        units = math.ceil(rows_read * prices.ddb_item_bytes / RRU_BYTES) * 0.5 if rows_read else 0.5
        dynamodb = units * prices.ddb_read_request_unit
    efs_bytes = _efs_bytes_per_request(endpoint, ok, prices=prices, data_count=data_count)
    efs = None if efs_bytes is None else efs_bytes / GIB * prices.efs_elastic_read_gib
    return CostEstimate(
        endpoint=endpoint,
        billed_ms=billed_ms,
        lambda_compute=compute * PER_MILLION,
        lambda_requests=prices.lambda_request * PER_MILLION,
        dynamodb=dynamodb * PER_MILLION,
        efs=None if efs is None else efs * PER_MILLION,
    )


def _server_ms(record: ResultRecord) -> float | None:
    return record.server_total_ms if record.server_total_ms is not None else record.latency_ms


def _efs_bytes_per_request(
    endpoint: str, ok: list[ResultRecord], *, prices: PriceTable, data_count: int | None
) -> float | None:
    if endpoint == "ddb":
        return 0.0
    whole_file_query = ok[0].query in ("all", "aggregate")
    if data_count is not None:
        rows_in_file = data_count
    elif whole_file_query:
        rows_in_file = max((r.rows or 0) for r in ok)
    else:
        return None
    file_bytes = rows_in_file * prices.sqlite_bytes_per_row
    if endpoint == "sqlite-tmp":
        return float(file_bytes)
    if endpoint == "sqlite-tmp-cached":
        copied = sum(1 for r in ok if r.copy_ms is not None and r.copy_ms > 0)
        return file_bytes * copied / len(ok)
    if endpoint.startswith("sqlite-efs"):
        if whole_file_query:
            return float(file_bytes)
        rows_read = math.fsum(r.rows or 0 for r in ok) / len(ok)
        pages = prices.sqlite_pages_per_lookup + math.ceil(
            rows_read * prices.sqlite_bytes_per_row / SQLITE_PAGE_BYTES
        )
        return float(min(pages * SQLITE_PAGE_BYTES, max(file_bytes, SQLITE_PAGE_BYTES)))
    return None


def describe(prices: PriceTable) -> str:
    """The dated line every report prints under its cost table."""
    return (
        f"Prices: {prices.region} on-demand list prices as of {prices.as_of} ({prices.currency}): "
        f"Lambda {prices.lambda_request * PER_MILLION:.2f} per million requests, "
        f"{prices.lambda_gb_second_x86_64:.10f}/GB-s x86_64, "
        f"{prices.lambda_gb_second_arm64:.10f}/GB-s arm64; DynamoDB "
        f"{prices.ddb_read_request_unit * PER_MILLION:.3f} per million read request units "
        f"(eventually consistent: 0.5 RRU per 4 KB, {prices.ddb_item_bytes} B per item assumed); "
        f"EFS Elastic reads {prices.efs_elastic_read_gib:.3f} per GiB "
        f"({prices.sqlite_bytes_per_row} B per SQLite row assumed, no NFS cache). Billed duration "
        "is the mean server-side time rounded up to 1 ms; handler overhead, free tier and "
        "tiered discounts are left out."
    )
