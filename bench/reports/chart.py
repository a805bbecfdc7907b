"""The PNG chart of SPEC.md Reports: latency distribution per strategy and the copy/read split.

matplotlib is imported inside ``png_bytes`` (with the Agg backend, no display needed), so
importing this module, or ``bench.reports``, costs the Lambda nothing at start-up.
"""

import io
import math
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from bench.reports.analysis import order_endpoints, strategy_figures
from bench.results import ResultRecord
from bench.stats import summarize

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

LOG_SCALE_SPREAD = 20.0  # max / min above this: a linear axis would hide the fast strategies
FLOOR_MS = 0.001  # log axes cannot show 0 ms


def use_log_scale(values: Sequence[float]) -> bool:
    positive = [v for v in values if v > 0]
    return bool(positive) and max(positive) / min(positive) > LOG_SCALE_SPREAD


def png_bytes(records: Sequence[ResultRecord], *, title: str | None = None) -> bytes:
    buffer = io.BytesIO()
    build_figure(records, title=title).savefig(buffer, format="png", dpi=110)
    return buffer.getvalue()


def build_figure(records: Sequence[ResultRecord], *, title: str | None = None) -> "Figure":
    """The chart as a matplotlib Figure (Agg canvas attached)."""
    # The object API with the Agg canvas: no pyplot global state, no display, nothing to close.
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figures = strategy_figures(records)
    names = order_endpoints({r.endpoint for r in records})
    warm = {
        name: [
            max(v, FLOOR_MS)
            for r in records
            if r.endpoint == name and r.ok and not r.cold_start and (v := r.latency_ms) is not None
        ]
        for name in names
    }
    cold = {
        name: [
            max(v, FLOOR_MS)
            for r in records
            if r.endpoint == name and r.ok and r.cold_start and (v := r.latency_ms) is not None
        ]
        for name in names
    }
    if not names:
        fig = Figure(figsize=(6, 2), layout="constrained")
        fig.text(0.5, 0.5, "No requests were recorded.", ha="center", va="center")
        FigureCanvasAgg(fig)
        return fig
    fig = Figure(figsize=(13, 5.5), layout="constrained")
    FigureCanvasAgg(fig)  # attaches itself to the figure
    left, right = fig.subplots(1, 2, gridspec_kw={"width_ratios": [3, 2]})
    positions = list(range(1, len(names) + 1))
    left.boxplot(
        [warm[n] or [math.nan] for n in names],
        positions=positions,
        showfliers=True,
        flierprops={"markersize": 3, "alpha": 0.5},
    )
    labelled = False
    for position, name in zip(positions, names, strict=True):
        if cold[name]:
            left.scatter(
                [position] * len(cold[name]),
                cold[name],
                marker="x",
                color="tab:red",
                zorder=3,
                label=None if labelled else "cold start",
            )
            labelled = True
    if labelled:
        left.legend(loc="upper left")
    everything = [v for values in (*warm.values(), *cold.values()) for v in values]
    log = use_log_scale(everything)
    if log:
        left.set_yscale("log")
    left.set_xticks(
        positions,
        [_label(n, figures[n].latency.n) for n in names],
        rotation=20,
        ha="right",
        rotation_mode="anchor",
    )
    measured = (
        "client round trip"
        if any(r.client_ms is not None for r in records)
        else "server-side total"
    )
    left.set_ylabel(f"{measured} (ms" + (", log scale)" if log else ")"))
    left.set_title("Latency per strategy (warm requests; x = cold start)")
    left.grid(axis="y", which="both", alpha=0.3)

    _draw_split(right, records, names)
    if title:
        fig.suptitle(title)
    return fig


def _split_names(records: Sequence[ResultRecord], names: list[str]) -> list[str]:
    """The strategies that copy, with ``sqlite-efs`` as the reference criterion A compares."""
    copying = [n for n in names if any(r.endpoint == n and r.copy_ms is not None for r in records)]
    if not copying:
        return []
    return (["sqlite-efs"] if "sqlite-efs" in names else []) + copying


def _draw_split(axes: "Axes", records: Sequence[ResultRecord], names: list[str]) -> None:
    axes.set_title("Copy / read split")
    shown = _split_names(records, names)
    if not shown:
        axes.text(0.5, 0.5, "No strategy copied the snapshot.", ha="center", va="center")
        axes.set_axis_off()
        return
    figures = strategy_figures(records)
    read = [figures[n].read.p50 or 0.0 for n in shown]
    copy = [_typical_copy(records, n) for n in shown]
    rows = list(range(len(shown)))
    axes.barh(rows, read, color="tab:blue", label="read (query) p50")
    axes.barh(rows, copy, left=read, color="tab:orange", label="copy EFS -> /tmp p50")
    for row, (r, c) in enumerate(zip(read, copy, strict=True)):
        axes.annotate(
            f"{r + c:.2f} ms",
            (r + c, row),
            xytext=(4, 0),
            textcoords="offset points",
            va="center",
            fontsize=8,
        )
    axes.set_yticks(rows, shown)
    axes.invert_yaxis()
    axes.set_xlabel("server-side time (ms, p50 of warm requests)")
    axes.legend(loc="upper center", bbox_to_anchor=(0.5, -0.12), ncol=2, frameon=False)
    axes.margins(x=0.25)


def _typical_copy(records: Sequence[ResultRecord], endpoint: str) -> float:
    """p50 of the copy time over all warm requests, 0 where a request did not copy."""
    times = [
        r.copy_ms or 0.0
        for r in records
        if r.endpoint == endpoint and r.ok and not r.cold_start and r.copy_ms is not None
    ]
    return summarize(times).p50 or 0.0


def _label(name: str, n: int) -> str:
    return f"{name} (n={n})"


def render_png(records: Sequence[ResultRecord], path: Path, *, title: str | None = None) -> None:
    """Draw the chart of ``records`` into ``path`` (written atomically)."""
    from bench.reports.files import atomic_write

    atomic_write(path, png_bytes(records, title=title))
