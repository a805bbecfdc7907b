"""The PNG chart: drawn only on demand, readable, log scale when ranges differ widely."""

import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

from bench.reports.chart import build_figure, png_bytes, render_png, use_log_scale
from bench.results import ResultRecord

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def make_record(
    *,
    endpoint: str,
    total_ms: float,
    copy_ms: float | None = None,
    client_ms: float | None = None,
    cold_start: bool = False,
    error: str | None = None,
) -> ResultRecord:
    return ResultRecord(
        endpoint=endpoint,
        query="all",
        iteration=0,
        status=500 if error else 200,
        client_ms=client_ms,
        server_total_ms=total_ms,
        copy_ms=copy_ms,
        read_ms=total_ms - (copy_ms or 0.0),
        rows=10,
        fingerprint="f",
        cold_start=cold_start,
        measured_at=datetime(2026, 12, 4, tzinfo=UTC),
        error=error,
    )


def png_size(data: bytes) -> tuple[int, int]:
    return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")


def test_importing_the_report_modules_does_not_import_matplotlib() -> None:
    code = (
        "import sys, django, os\n"
        "os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'benchsite.settings')\n"
        "django.setup()\n"
        "import bench.reports, bench.reports.chart, bench.reports.files, bench.sessions\n"
        "import bench.api.benchmark\n"
        "print('matplotlib' in sys.modules)\n"
    )

    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )

    assert result.stdout.strip().splitlines()[-1] == "False"


def test_chart_is_a_png_of_readable_size(tmp_path: Path) -> None:
    records = [make_record(endpoint="sqlite-efs", total_ms=5.0 + i) for i in range(10)]
    records += [make_record(endpoint="sqlite-tmp", total_ms=60.0, copy_ms=55.0) for _ in range(10)]
    records += [make_record(endpoint="ddb", total_ms=20.0, cold_start=True)]
    records += [make_record(endpoint="ddb", total_ms=1.0, error="boom")]
    target = tmp_path / "chart.png"

    render_png(records, target, title="test")

    data = target.read_bytes()
    assert data.startswith(PNG_SIGNATURE)
    assert png_size(data) == (1430, 605)
    assert [p.name for p in tmp_path.iterdir()] == ["chart.png"]


def test_chart_of_client_timings_and_no_records_still_draws() -> None:
    client = [make_record(endpoint="ddb", total_ms=2.0, client_ms=30.0) for _ in range(3)]

    assert png_bytes(client).startswith(PNG_SIGNATURE)
    assert png_bytes([]).startswith(PNG_SIGNATURE)


def test_log_scale_only_when_values_span_orders_of_magnitude() -> None:
    assert use_log_scale([0.5, 120.0]) is True
    assert use_log_scale([19.0, 190.0]) is False
    assert use_log_scale([0.0, 0.0]) is False
    assert use_log_scale([]) is False


def test_wide_ranges_get_a_log_axis_with_units_and_counts() -> None:
    records = [make_record(endpoint="sqlite-efs", total_ms=0.4) for _ in range(5)]
    records += [make_record(endpoint="ddb", total_ms=150.0) for _ in range(5)]

    left, right = build_figure(records).axes

    assert left.get_yscale() == "log"
    assert left.get_ylabel() == "server-side total (ms, log scale)"
    assert [t.get_text() for t in left.get_xticklabels()] == ["sqlite-efs (n=5)", "ddb (n=5)"]
    assert [t.get_text() for t in right.texts] == ["No strategy copied the snapshot."]
    assert right.axison is False


def test_close_ranges_keep_a_linear_axis_labelled_for_the_client() -> None:
    records = [make_record(endpoint="ddb", total_ms=5.0, client_ms=30.0 + i) for i in range(5)]

    left, _ = build_figure(records, title="client run").axes

    assert left.get_yscale() == "linear"
    assert left.get_ylabel() == "client round trip (ms)"


def test_copy_split_shows_the_typical_request() -> None:
    records = [make_record(endpoint="sqlite-tmp", total_ms=12.0, copy_ms=10.0) for _ in range(3)]
    records += [make_record(endpoint="sqlite-tmp-cached", total_ms=2.0, copy_ms=0.0)] * 3
    records += [make_record(endpoint="sqlite-tmp-cached", total_ms=52.0, copy_ms=50.0)]
    records += [make_record(endpoint="sqlite-efs", total_ms=7.0)]
    records += [make_record(endpoint="ddb", total_ms=70.0)]

    _, right = build_figure(records).axes

    # sqlite-efs stands beside the copying strategies as criterion A's reference; ddb does not
    assert [t.get_text() for t in right.get_yticklabels()] == [
        "sqlite-efs",
        "sqlite-tmp",
        "sqlite-tmp-cached",
    ]
    assert right.get_xlabel() == "server-side time (ms, p50 of warm requests)"
    read_bars, copy_bars = right.containers
    assert [bar.get_width() for bar in read_bars] == [7.0, 2.0, 2.0]
    # the cached strategy copied once in four requests: its typical request copies nothing
    assert [bar.get_width() for bar in copy_bars] == [0.0, 10.0, 0.0]
