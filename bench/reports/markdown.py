"""The Markdown report of SPEC.md Reports, the same for in-function sessions and client runs."""

import math
from collections.abc import Sequence

from bench.dynamo.keys import iso_utc
from bench.reports import analysis, costs
from bench.reports.analysis import StrategyFigures, Verdict
from bench.reports.info import RunInfo
from bench.results import ResultRecord
from bench.stats import PERCENTILE_METHOD, STD_METHOD, Summary

STAT_COLUMNS = ("n", "errors", "mean", "min", "p50", "p90", "p95", "p99", "max", "std")


def _num(value: float | None) -> str:
    if value is None:
        return "n/a"
    if math.isinf(value):
        return "inf"
    return f"{value:.2f}"


def _table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines.extend("| " + " | ".join(row) + " |" for row in rows)
    return lines


def _stat_cells(summary: Summary) -> list[str]:
    return [str(summary.n), str(summary.errors)] + [
        _num(getattr(summary, name)) for name in STAT_COLUMNS[2:]
    ]


def _met(verdict: Verdict) -> str:
    if verdict.met is None:
        return "not evaluated"
    return "**met**" if verdict.met else "**not met**"


def render_markdown(
    info: RunInfo,
    records: Sequence[ResultRecord],
    *,
    chart_file: str | None = None,
    prices: costs.PriceTable | None = None,
) -> str:
    """The whole report as Markdown text; ``chart_file`` is the image link, relative to it."""
    prices = prices or costs.DEFAULT_PRICES
    figures = analysis.strategy_figures(records)
    sections = [
        _title(info),
        _environment(info, records),
        _statistics(info, figures),
        _errors(figures),
        _cold_starts(figures),
        _client_server(figures),
        _copy_read(figures),
        _speedups(figures),
    ]
    equivalence = analysis.equivalence(records, query=info.query)
    verdicts = [analysis.criterion_a(figures), analysis.criterion_b(figures)]
    estimates = {
        endpoint: estimate
        for endpoint in figures
        if (
            estimate := costs.estimate(
                endpoint,
                list(records),
                prices=prices,
                data_count=info.data_count,
                memory_mb=info.lambda_memory_mb,
                architecture=info.lambda_architecture,
            )
        )
        is not None
    }
    sections += [
        _equivalence(equivalence),
        _criteria(verdicts),
        _costs(estimates, prices, info),
        ["## Recommendation", ""]
        + [
            f"- {line}"
            for line in analysis.recommendation(
                figures,
                equivalence=equivalence,
                verdicts=verdicts,
                costs=estimates,
                local=info.local,
            )
        ],
    ]
    if chart_file:
        sections.append(
            ["## Chart", "", f"![Latency per strategy and copy/read split]({chart_file})"]
        )
    return "\n\n".join("\n".join(section) for section in sections if section) + "\n"


def _title(info: RunInfo) -> list[str]:
    kind = "in-function session" if info.source == "function" else "client-side benchmark"
    return [f"# Benchmark report: {kind}, {info.started_at:%Y-%m-%d %H:%M:%S} UTC"]


def _environment(info: RunInfo, records: Sequence[ResultRecord]) -> list[str]:
    measured_by = (
        "inside the function (`/benchmark`): each strategy timed in-process, no network"
        if info.source == "function"
        else "the client (`runbenchmark`) over HTTP, with the function's own timings beside"
    )
    rows = [
        ["When", f"{iso_utc(info.started_at)} (UTC)"],
        ["Where", _where(info)],
        ["Measured by", measured_by],
        ["Data", "unknown" if info.data_count is None else f"{info.data_count} rows"],
        ["Query", f"`{info.query}`"],
        ["Iterations", f"{info.iterations} per strategy ({len(records)} requests recorded)"],
        ["Concurrency", str(info.concurrency)],
        [
            "Lambda memory",
            "unknown" if info.lambda_memory_mb is None else f"{info.lambda_memory_mb} MB",
        ],
        ["Lambda architecture", info.lambda_architecture or "unknown"],
    ]
    lines = ["## Environment", "", *_table(["", "value"], rows)]
    if info.local:
        lines += [
            "",
            "> **Local run.** Local numbers are not AWS numbers: the app ran on this machine, "
            'so "EFS" was a local directory, not a network file system, and DynamoDB was a '
            "local stand-in or a table far from this machine. Use them to check the pipeline, "
            "not to choose a storage.",
        ]
    if info.interrupted:
        lines += [
            "",
            "> **Partial run.** The run stopped early; the figures cover only the requests "
            "measured before it stopped.",
        ]
    if info.notes:
        lines += ["", *(f"- {note}" for note in info.notes)]
    return lines


def _where(info: RunInfo) -> str:
    if info.local:
        if info.where and info.where != "local":
            return f"local (this machine: {info.where})"
        return "local (this machine)"
    if info.elsewhere:
        return f"URL: {info.where} (not a Lambda Function URL)"
    return f"AWS: {info.where}"


def _statistics(info: RunInfo, figures: dict[str, StrategyFigures]) -> list[str]:
    latency = "the client's round trip" if info.source == "client" else "the strategy's own total"
    lines = [
        "## Statistics (warm requests, ms)",
        "",
        f"Latency is {latency}. Percentiles: {PERCENTILE_METHOD}; std: {STD_METHOD}. "
        "`errors` counts failed warm requests, which are left out of every other figure.",
        "",
    ]
    rows = [[f"`{name}`", *_stat_cells(f.latency)] for name, f in figures.items()]
    if not rows:
        return [*lines, "No requests were recorded."]
    return lines + _table(["strategy", *STAT_COLUMNS], rows)


def _errors(figures: dict[str, StrategyFigures]) -> list[str]:
    failing = [f for f in figures.values() if f.error_texts]
    if not failing:
        return []
    lines = ["## Errors", ""]
    for f in failing:
        shown = "; ".join(f"{count}x {text}" for text, count in f.error_texts[:3])
        more = len(f.error_texts) - 3
        lines.append(
            f"- `{f.endpoint}`: {shown}" + (f" (and {more} other kinds)" if more > 0 else "")
        )
    return lines


def _cold_starts(figures: dict[str, StrategyFigures]) -> list[str]:
    cold = [f for f in figures.values() if f.cold.n or f.cold.errors]
    lines = ["## Cold starts", ""]
    if not cold:
        return [*lines, "No cold-start requests were recorded; every figure above is warm."]
    rows = [
        [f"`{f.endpoint}`", str(f.cold.n), str(f.cold.errors), _num(f.cold.mean), _num(f.cold.max)]
        for f in cold
    ]
    return [
        *lines,
        "The first request a container serves also pays for loading the code; these are kept "
        "out of the statistics above.",
        "",
        *_table(["strategy", "n", "errors", "mean ms", "max ms"], rows),
    ]


def _client_server(figures: dict[str, StrategyFigures]) -> list[str]:
    timed = [f for f in figures.values() if f.overhead.n]
    if not timed:
        return []
    rows = [
        [
            f"`{f.endpoint}`",
            _num(f.latency.p50),
            _num(f.latency.p95),
            _num(f.server.p50),
            _num(f.server.p95),
            _num(f.overhead.p50),
        ]
        for f in timed
    ]
    header = ["strategy", "client p50", "client p95", "server p50", "server p95", "overhead p50"]
    return [
        "## Client and server timings (warm, ms)",
        "",
        "Client: the round trip measured by `runbenchmark`; server: the strategy's own total as "
        "the function reported it; overhead: client minus server per request (network, Function "
        "URL, handler).",
        "",
        *_table(header, rows),
    ]


def _copy_read(figures: dict[str, StrategyFigures]) -> list[str]:
    split = [f for f in figures.values() if f.copy.n]
    if not split:
        return []
    rows = [
        [
            f"`{f.endpoint}`",
            f"{f.copies} of {f.latency.n}",
            _num(f.copy.p50),
            _num(f.copy.p95),
            _num(f.read.p50),
            _num(f.read.p95),
        ]
        for f in split
    ]
    header = ["strategy", "requests that copied", "copy p50", "copy p95", "read p50", "read p95"]
    return [
        "## Copy / read split (warm, ms)",
        "",
        "Copy: the EFS -> /tmp file copy, over the requests that copied; read: the query on "
        "the copy, over all requests. Server-side times.",
        "",
        *_table(header, rows),
    ]


def _speedups(figures: dict[str, StrategyFigures]) -> list[str]:
    names = [name for name, f in figures.items() if f.p50 is not None]
    if len(names) < 2:
        return []
    rows = [
        [
            f"`{row}`",
            *(
                "-"
                if row == column
                else _num(analysis.speedup(figures[row].p50, figures[column].p50)) + "x"
                for column in names
            ),
        ]
        for row in names
    ]
    lines = [
        "## Speed-up ratios (p50)",
        "",
        "Each cell: how many times faster the row strategy is than the column strategy, "
        "p50(column) / p50(row), warm latency p50; above 1 means the row is faster.",
        "",
        *_table(["faster \\ than", *(f"`{n}`" for n in names)], rows),
    ]
    comparisons = analysis.smarter_vs_original(figures)
    if comparisons:
        lines += ["", "Do the two smarter strategies beat the original three?", ""]
        for c in comparisons:
            ratio = analysis.speedup(c.smarter_p50, c.best_original_p50)
            verdict = (
                f"**yes**, {_num(ratio)}x faster"
                if c.beats
                else f"**no**, {_num(analysis.speedup(c.best_original_p50, c.smarter_p50))}x slower"
            )
            lines.append(
                f"- `{c.smarter}` (p50 {_num(c.smarter_p50)} ms) against the best original, "
                f"`{c.best_original}` (p50 {_num(c.best_original_p50)} ms): {verdict}."
            )
    return lines


def _equivalence(eq: analysis.Equivalence) -> list[str]:
    lines = ["## Data equivalence", ""]
    if not eq.checked:
        return [*lines, f"Not checked: {eq.note}."]
    if not eq.differing:
        names = ", ".join(f"`{n}`" for n in eq.agreeing)
        return [
            *lines,
            f"All strategies ({names}) returned the same rows and fingerprint {eq.note}.",
        ]
    lines.append(
        f"Not all strategies returned the same data (compared {eq.note}): "
        + "; ".join(f"`{name}` returned {what}" for name, what in eq.differing)
        + "."
    )
    if eq.agreeing:
        lines.append(f"In agreement: {', '.join(f'`{n}`' for n in eq.agreeing)}.")
    return lines


def _criteria(verdicts: Sequence[Verdict]) -> list[str]:
    lines = ["## Success criteria", ""]
    for v in verdicts:
        lines.append(f"- **{v.name}**: {v.definition}. {_met(v)}: {v.evidence}.")
    decided = [v for v in verdicts if v.met is not None]
    if decided:
        success = any(v.met for v in decided)
        lines += [
            "",
            "The plan succeeds when A or B is met: "
            + ("**success**." if success else "**neither is met**."),
        ]
    return lines


def _costs(
    estimates: dict[str, costs.CostEstimate], prices: costs.PriceTable, info: RunInfo
) -> list[str]:
    lines = [f"## Estimated cost per million requests ({prices.currency})", ""]
    if not estimates:
        return [*lines, "No successful requests, so no estimate."]
    rows = [
        [
            f"`{e.endpoint}`",
            str(e.billed_ms),
            f"{e.lambda_compute:.4f}",
            f"{e.lambda_requests:.4f}",
            f"{e.dynamodb:.4f}",
            "n/a" if e.efs is None else f"{e.efs:.4f}",
            f"**{e.total:.4f}**",
        ]
        for e in estimates.values()
    ]
    memory = info.lambda_memory_mb or prices.assumed_memory_mb
    architecture = info.lambda_architecture or prices.assumed_architecture
    assumed = [
        what
        for what, known in (
            ("memory", info.lambda_memory_mb),
            ("architecture", info.lambda_architecture),
        )
        if known is None
    ]
    header = ["strategy", "billed ms", "Lambda GB-s", "Lambda requests", "DynamoDB", "EFS", "total"]
    return [
        *lines,
        *_table(header, rows),
        "",
        f"Lambda at {memory} MB, {architecture}"
        + (f" ({' and '.join(assumed)} assumed: not known for this run)" if assumed else "")
        + ". "
        + costs.describe(prices),
    ]
