"""Reports of real tmp-strategy reads: a copy is counted and charged only when one was made."""

import pytest

from bench import strategies
from bench.reports import render_markdown
from bench.reports.analysis import strategy_figures
from bench.reports.costs import DEFAULT_PRICES, estimate
from bench.results import ResultRecord
from bench.sessions import SessionPlan, measured_record, run_reads
from tests.conftest import SNAPSHOT_SEED_COUNT, SeededSnapshot
from tests.test_report_markdown import make_info, section, table_rows

TMP_STRATEGIES = ("sqlite-tmp", "sqlite-tmp-cached")
ROUNDS = 6


def interleaved_session(*, rounds: int) -> list[ResultRecord]:
    """``rounds`` rounds of sqlite-tmp then sqlite-tmp-cached, as the in-function runner does."""
    plan = SessionPlan(iterations=rounds, endpoints=TMP_STRATEGIES, query="all")
    outcome = run_reads(plan, {name: strategies.get(name) for name in TMP_STRATEGIES})
    return [measured_record(measured, query="all") for measured in outcome.measured]


def test_a_session_counts_one_copy_for_sqlite_tmp_cached_and_one_per_read_for_sqlite_tmp(
    snapshot: SeededSnapshot,
) -> None:
    records = interleaved_session(rounds=ROUNDS)

    figures = strategy_figures(records)
    copy_split = table_rows(
        section(render_markdown(make_info(), records), "Copy / read split (warm, ms)")
    )

    assert {name: (f.copies, f.copy.n, f.read.n) for name, f in figures.items()} == {
        "sqlite-tmp": (ROUNDS, ROUNDS, ROUNDS),
        "sqlite-tmp-cached": (1, 1, ROUNDS),
    }
    assert {name: row["requests that copied"] for name, row in copy_split.items()} == {
        "sqlite-tmp": f"{ROUNDS} of {ROUNDS}",
        "sqlite-tmp-cached": f"1 of {ROUNDS}",
    }


def test_a_session_charges_sqlite_tmp_cached_one_whole_file_efs_read_in_all(
    snapshot: SeededSnapshot,
) -> None:
    records = interleaved_session(rounds=ROUNDS)

    costs = {
        name: estimate(
            name,
            records,
            prices=DEFAULT_PRICES,
            data_count=SNAPSHOT_SEED_COUNT,
            memory_mb=1024,
            architecture="arm64",
        )
        for name in TMP_STRATEGIES
    }

    whole_file = SNAPSHOT_SEED_COUNT * DEFAULT_PRICES.sqlite_bytes_per_row
    per_million = whole_file / 1024**3 * DEFAULT_PRICES.efs_elastic_read_gib * 1e6
    assert {name: cost.efs if cost else None for name, cost in costs.items()} == {
        "sqlite-tmp": pytest.approx(per_million),
        "sqlite-tmp-cached": pytest.approx(per_million / ROUNDS),
    }
