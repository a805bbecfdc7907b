"""What a report concludes, computed once from the records; the Markdown and the chart render it.

Definitions (also printed in every report):

- Statistics are on warm requests; cold-start requests are summarized apart. The latency of a
  request is the client's time when the client measured it, else the strategy's own total.
- Criterion A: the ``sqlite-tmp`` copy p50 is under 100 ms AND the ``sqlite-efs`` read p50
  divided by the ``sqlite-tmp`` read p50 (query time only, the copy excluded; both server-side)
  is above 10.
- Criterion B: the ``sqlite-efs`` server-side total p50 is under 50 ms.
- The plan succeeds when A or B is met.
- Speed-up ratios and the smarter-versus-original comparison use the warm latency p50.
"""

import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from bench.reports.costs import CostEstimate
from bench.results import ResultRecord
from bench.stats import Summary, summarize
from bench.strategies import STRATEGY_NAMES

ORIGINAL_STRATEGIES = ("sqlite-efs", "sqlite-tmp", "ddb")
SMARTER_STRATEGIES = ("sqlite-tmp-cached", "sqlite-efs-immutable")
COPY_LIMIT_MS = 100.0
READ_SPEEDUP_MIN = 10.0
EFS_P50_LIMIT_MS = 50.0

CRITERION_A = (
    f"`sqlite-tmp` copy p50 < {COPY_LIMIT_MS:.0f} ms AND `sqlite-efs` read p50 / `sqlite-tmp` "
    f"read p50 > {READ_SPEEDUP_MIN:.0f} (read = query time only, copy excluded, server-side)"
)
CRITERION_B = f"`sqlite-efs` server-side total p50 < {EFS_P50_LIMIT_MS:.0f} ms"


@dataclass(frozen=True)
class StrategyFigures:
    endpoint: str
    latency: Summary  # warm requests; errors = failed warm requests
    server: Summary  # warm, the strategy's own total
    copy: Summary  # warm requests that copied (copy_ms > 0)
    read: Summary  # warm, read_ms
    copies: int  # warm successful requests that copied (copy_ms > 0)
    cold: Summary  # cold-start requests; errors = failed cold-start requests
    overhead: Summary  # warm, client time minus server time, per request (client runs)
    error_texts: tuple[
        tuple[str, int], ...
    ]  # distinct failure texts with counts, most common first

    @property
    def errors(self) -> int:
        return self.latency.errors + self.cold.errors

    @property
    def p50(self) -> float | None:
        return self.latency.p50


def order_endpoints(names: Iterable[str]) -> list[str]:
    """Registry order for the known strategies, then any other name alphabetically."""
    seen = set(names)
    known = [name for name in STRATEGY_NAMES if name in seen]
    return known + sorted(seen - set(known))


def strategy_figures(records: Sequence[ResultRecord]) -> dict[str, StrategyFigures]:
    by_endpoint: dict[str, list[ResultRecord]] = {}
    for record in records:
        by_endpoint.setdefault(record.endpoint, []).append(record)
    return {
        endpoint: _figures(endpoint, by_endpoint[endpoint])
        for endpoint in order_endpoints(by_endpoint)
    }


def _figures(endpoint: str, records: list[ResultRecord]) -> StrategyFigures:
    warm = [r for r in records if not r.cold_start]
    cold = [r for r in records if r.cold_start]
    warm_ok = [r for r in warm if r.ok]

    def values(getter: str) -> list[float]:
        return [v for r in warm_ok if (v := getattr(r, getter)) is not None]

    overhead = [
        r.client_ms - r.server_total_ms
        for r in warm_ok
        if r.client_ms is not None and r.server_total_ms is not None
    ]
    failures = Counter(r.error or f"HTTP {r.status}" for r in records if not r.ok)
    return StrategyFigures(
        endpoint=endpoint,
        latency=summarize(values("latency_ms"), errors=len(warm) - len(warm_ok)),
        server=summarize(values("server_total_ms")),
        copy=summarize([v for v in values("copy_ms") if v > 0]),
        read=summarize(values("read_ms")),
        copies=sum(1 for r in warm_ok if r.copy_ms is not None and r.copy_ms > 0),
        cold=summarize(
            [v for r in cold if r.ok and (v := r.latency_ms) is not None],
            errors=sum(1 for r in cold if not r.ok),
        ),
        overhead=summarize(overhead),
        error_texts=tuple(failures.most_common()),
    )


def speedup(faster: float | None, slower: float | None) -> float | None:
    """How many times faster ``faster`` is than ``slower`` (slower / faster); None if unknown."""
    if faster is None or slower is None:
        return None
    if faster == 0:
        return math.inf if slower > 0 else 1.0
    return slower / faster


@dataclass(frozen=True)
class Equivalence:
    checked: bool
    agreeing: tuple[str, ...]
    differing: tuple[tuple[str, str], ...]  # endpoint, what it returned against the majority
    note: str


def equivalence(records: Sequence[ResultRecord], *, query: str) -> Equivalence:
    """Whether every strategy returned the same rows and fingerprint.

    Compared per iteration for ``point`` (each round reads one id), else across the whole run:
    a strategy differs when any of its successful answers is not the majority answer.
    """
    answers = [r for r in records if r.ok and r.fingerprint is not None]
    endpoints = order_endpoints({r.endpoint for r in answers})
    if len(endpoints) < 2:
        return Equivalence(
            checked=False,
            agreeing=tuple(endpoints),
            differing=(),
            note="fewer than two strategies returned a fingerprint, so there is nothing to compare",
        )
    per_iteration = query == "point"
    groups: dict[int | None, list[ResultRecord]] = {}
    for record in answers:
        groups.setdefault(record.iteration if per_iteration else None, []).append(record)
    differing: dict[str, str] = {}
    compared = False
    for group in groups.values():
        counts = Counter((r.rows, r.fingerprint) for r in group)
        (majority, majority_count), *_ = counts.most_common(1)
        if majority_count < 2:
            continue  # nobody agrees with anybody: the round did not read one shared id
        compared = True
        for record in group:
            if (record.rows, record.fingerprint) != majority and record.endpoint not in differing:
                differing[record.endpoint] = (
                    f"rows {record.rows}, fingerprint {str(record.fingerprint)[:12]} "
                    f"where the others returned rows {majority[0]}, "
                    f"fingerprint {str(majority[1])[:12]}"
                )
    if not compared:
        return Equivalence(
            checked=False,
            agreeing=(),
            differing=(),
            note="no two strategies read the same id in any round, so the answers cannot be "
            "compared",
        )
    agreeing = tuple(e for e in endpoints if e not in differing)
    scope = "in every round (same id per round)" if per_iteration else "on every request"
    return Equivalence(
        checked=True,
        agreeing=agreeing,
        differing=tuple((e, differing[e]) for e in endpoints if e in differing),
        note=scope,
    )


@dataclass(frozen=True)
class Verdict:
    name: str
    definition: str
    met: bool | None  # None: could not be evaluated
    evidence: str


def _ms(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.2f} ms"


def criterion_a(figures: dict[str, StrategyFigures]) -> Verdict:
    tmp, efs = figures.get("sqlite-tmp"), figures.get("sqlite-efs")
    copy_p50 = tmp.copy.p50 if tmp else None
    tmp_read = tmp.read.p50 if tmp else None
    efs_read = None
    if efs is not None:
        efs_read = efs.read.p50 if efs.read.n else efs.server.p50
    if copy_p50 is None or tmp_read is None or efs_read is None:
        missing = [
            label
            for label, value in (
                ("sqlite-tmp copy times", copy_p50),
                ("sqlite-tmp read times", tmp_read),
                ("sqlite-efs read times", efs_read),
            )
            if value is None
        ]
        return Verdict("A", CRITERION_A, None, f"not evaluated: no successful {', '.join(missing)}")
    ratio = speedup(tmp_read, efs_read)
    assert ratio is not None
    copy_ok = copy_p50 < COPY_LIMIT_MS
    read_ok = ratio > READ_SPEEDUP_MIN
    evidence = (
        f"copy p50 {_ms(copy_p50)} ({'<' if copy_ok else '>='} {COPY_LIMIT_MS:.0f} ms); "
        f"read p50 `sqlite-efs` {_ms(efs_read)} / `sqlite-tmp` {_ms(tmp_read)} = "
        f"{_ratio(ratio)} ({'>' if read_ok else '<='} {READ_SPEEDUP_MIN:.0f}x)"
    )
    return Verdict("A", CRITERION_A, copy_ok and read_ok, evidence)


def criterion_b(figures: dict[str, StrategyFigures]) -> Verdict:
    efs = figures.get("sqlite-efs")
    p50 = efs.server.p50 if efs else None
    if p50 is None:
        return Verdict("B", CRITERION_B, None, "not evaluated: no successful sqlite-efs requests")
    met = p50 < EFS_P50_LIMIT_MS
    evidence = f"p50 {_ms(p50)} ({'<' if met else '>='} {EFS_P50_LIMIT_MS:.0f} ms)"
    return Verdict("B", CRITERION_B, met, evidence)


def _ratio(value: float) -> str:
    return "inf" if math.isinf(value) else f"{value:.2f}x"


@dataclass(frozen=True)
class Comparison:
    smarter: str
    smarter_p50: float
    best_original: str
    best_original_p50: float

    @property
    def beats(self) -> bool:
        return self.smarter_p50 < self.best_original_p50


def smarter_vs_original(figures: dict[str, StrategyFigures]) -> list[Comparison]:
    originals = [
        (f.p50, name)
        for name in ORIGINAL_STRATEGIES
        if (f := figures.get(name)) is not None and f.p50 is not None
    ]
    if not originals:
        return []
    best_p50, best = min(originals)
    return [
        Comparison(name, f.p50, best, best_p50)
        for name in SMARTER_STRATEGIES
        if (f := figures.get(name)) is not None and f.p50 is not None
    ]


def recommendation(
    figures: dict[str, StrategyFigures],
    *,
    equivalence: Equivalence,
    verdicts: Sequence[Verdict],
    costs: dict[str, CostEstimate],
    local: bool,
) -> list[str]:
    """Sentences that follow from the numbers: the pick, its cost trade-off, what A/B imply."""
    measured = [f for f in figures.values() if f.p50 is not None]
    if not measured:
        return [
            "No strategy completed a successful request, so there is nothing to recommend: fix "
            "the errors listed above and run again."
        ]
    differing = dict(equivalence.differing)
    reliable = [f for f in measured if f.errors == 0 and f.endpoint not in differing]
    pool = reliable or measured
    ranked = sorted(pool, key=lambda f: (f.p50, f.endpoint))
    best = ranked[0]
    assert best.p50 is not None
    pick = f"Use `{best.endpoint}`: warm p50 {_ms(best.p50)}, p99 {_ms(best.latency.p99)}"
    if len(ranked) > 1:
        runner_up = ranked[1]
        ratio = speedup(best.p50, runner_up.p50)
        assert ratio is not None
        pick += (
            f", {_ratio(ratio)} faster at the median than the runner-up `{runner_up.endpoint}` "
            f"({_ms(runner_up.p50)})"
        )
    if not reliable:
        pick += "; every strategy failed some requests or returned different data, so this is "
        pick += "provisional"
    lines = [pick + "."]
    excluded = [
        f"`{f.endpoint}` ({f.errors} failed requests)"
        if f.errors
        else f"`{f.endpoint}` (returned different data)"
        for f in measured
        if reliable and f not in reliable
    ]
    if excluded:
        lines.append(f"Not considered: {', '.join(excluded)}.")
    priced = [(costs[f.endpoint].total, f.endpoint) for f in pool if f.endpoint in costs]
    if best.endpoint in costs and len(priced) > 1:
        cheapest_cost, cheapest = min(priced)
        best_cost = costs[best.endpoint].total
        if cheapest != best.endpoint and cheapest_cost < best_cost:
            slower = figures[cheapest].p50
            assert slower is not None
            lines.append(
                f"`{cheapest}` is cheaper: {cheapest_cost:.2f} against {best_cost:.2f} per "
                f"million requests; choose it if {slower - best.p50:.2f} ms more at the median "
                "is acceptable."
            )
        else:
            lines.append(
                f"It is also the cheapest of those measured: {best_cost:.2f} per million requests."
            )
    if best.latency.p99 is not None and best.p50 > 0 and best.latency.p99 > 10 * best.p50:
        lines.append(
            f"Its tail is wide (p99 is {best.latency.p99 / best.p50:.1f}x its p50): look at "
            "the chart and the cold starts before relying on the median."
        )
    lines.extend(_criteria_advice(verdicts))
    if local:
        lines.append(
            "These are local numbers (a local directory stood in for EFS): rerun against the "
            "deployed function before deciding."
        )
    return lines


def _criteria_advice(verdicts: Sequence[Verdict]) -> list[str]:
    advice = []
    for verdict in verdicts:
        if verdict.met is None:
            continue
        if verdict.name == "A":
            advice.append(
                "Copying the snapshot to /tmp per request is practical at this data size "
                f"(criterion A met: {verdict.evidence})."
                if verdict.met
                else "Copying the snapshot to /tmp on every request does not pay off at this data "
                f"size (criterion A not met: {verdict.evidence})."
            )
        else:
            advice.append(
                f"SQLite read straight from EFS is fast enough on its own (criterion B met: "
                f"{verdict.evidence})."
                if verdict.met
                else "SQLite read straight from EFS is too slow on its own (criterion B not met: "
                f"{verdict.evidence})."
            )
    return advice
