"""The Markdown report: sections, verdicts that follow the numbers, a derived recommendation."""

import re
from datetime import UTC, datetime, timedelta

import pytest

from bench.reports import RunInfo, render_markdown
from bench.reports.analysis import (
    criterion_a,
    equivalence,
    recommendation,
    smarter_vs_original,
    speedup,
    strategy_figures,
)
from bench.reports.costs import CostEstimate
from bench.results import ResultRecord

T0 = datetime(2026, 12, 4, 20, 0, tzinfo=UTC)


def make_record(
    *,
    endpoint: str,
    iteration: int = 0,
    total_ms: float = 1.0,
    read_ms: float | None = None,
    copy_ms: float | None = None,
    client_ms: float | None = None,
    rows: int | None = 100,
    fingerprint: str | None = "fp-100",
    cold_start: bool = False,
    error: str | None = None,
    query: str = "all",
) -> ResultRecord:
    return ResultRecord(
        endpoint=endpoint,
        query=query,
        iteration=iteration,
        status=500 if error else 200,
        client_ms=client_ms,
        server_total_ms=total_ms,
        copy_ms=copy_ms,
        read_ms=total_ms if read_ms is None and copy_ms is None else read_ms,
        rows=rows,
        fingerprint=fingerprint,
        cold_start=cold_start,
        measured_at=T0 + timedelta(seconds=iteration),
        error=error,
    )


def make_run(
    *,
    efs_ms: float = 40.0,
    tmp_copy_ms: float = 60.0,
    tmp_read_ms: float = 3.0,
    ddb_ms: float = 20.0,
    cached_ms: float = 2.0,
    immutable_ms: float = 30.0,
    n: int = 5,
) -> list[ResultRecord]:
    """n interleaved rounds in which every strategy takes exactly the given time."""
    records = []
    for i in range(n):
        records += [
            make_record(endpoint="sqlite-efs", iteration=i, total_ms=efs_ms),
            make_record(
                endpoint="sqlite-tmp",
                iteration=i,
                total_ms=tmp_copy_ms + tmp_read_ms,
                copy_ms=tmp_copy_ms,
                read_ms=tmp_read_ms,
            ),
            make_record(endpoint="ddb", iteration=i, total_ms=ddb_ms),
            make_record(
                endpoint="sqlite-tmp-cached",
                iteration=i,
                total_ms=cached_ms,
                copy_ms=0.0,
                read_ms=cached_ms,
            ),
            make_record(endpoint="sqlite-efs-immutable", iteration=i, total_ms=immutable_ms),
        ]
    return records


def make_info(
    *,
    local: bool = False,
    source: str = "function",
    query: str = "all",
    interrupted: bool = False,
    memory: int | None = 1024,
    architecture: str | None = "arm64",
    notes: tuple[str, ...] = (),
) -> RunInfo:
    return RunInfo(
        started_at=T0,
        source=source,  # type: ignore[arg-type]
        where="local" if local else "us-east-1",
        local=local,
        data_count=100,
        iterations=5,
        concurrency=1,
        query=query,
        lambda_memory_mb=memory,
        lambda_architecture=architecture,
        interrupted=interrupted,
        notes=notes,
    )


def section(markdown: str, title: str) -> str:
    """The body of the ``## title`` section."""
    match = re.search(rf"^## {re.escape(title)}.*?\n(.*?)(?=^## |\Z)", markdown, re.M | re.S)
    assert match, f"no section {title!r} in:\n{markdown}"
    return match.group(1).strip()


def table_rows(body: str) -> dict[str, dict[str, str]]:
    """A Markdown table in ``body`` as first-cell -> {header: cell}."""
    lines = [line for line in body.splitlines() if line.startswith("|")]
    header = [cell.strip() for cell in lines[0].strip("|").split("|")]
    rows = {}
    for line in lines[2:]:
        cells = [cell.strip() for cell in line.strip("|").split("|")]
        rows[cells[0].strip("`")] = dict(zip(header, cells, strict=True))
    return rows


def test_report_states_both_criteria_met_with_their_numbers() -> None:
    markdown = render_markdown(make_info(), make_run(efs_ms=40, tmp_copy_ms=60, tmp_read_ms=3))

    assert section(markdown, "Success criteria") == (
        "- **A**: `sqlite-tmp` copy p50 < 100 ms AND `sqlite-efs` read p50 / `sqlite-tmp` read "
        "p50 > 10 (read = query time only, copy excluded, server-side). **met**: copy p50 60.00 "
        "ms (< 100 ms); read p50 `sqlite-efs` 40.00 ms / `sqlite-tmp` 3.00 ms = 13.33x (> 10x).\n"
        "- **B**: `sqlite-efs` server-side total p50 < 50 ms. **met**: p50 40.00 ms (< 50 ms).\n"
        "\n"
        "The plan succeeds when A or B is met: **success**."
    )


def test_report_states_both_criteria_not_met_with_their_numbers() -> None:
    markdown = render_markdown(make_info(), make_run(efs_ms=80, tmp_copy_ms=150, tmp_read_ms=9))

    assert section(markdown, "Success criteria") == (
        "- **A**: `sqlite-tmp` copy p50 < 100 ms AND `sqlite-efs` read p50 / `sqlite-tmp` read "
        "p50 > 10 (read = query time only, copy excluded, server-side). **not met**: copy p50 "
        "150.00 ms (>= 100 ms); read p50 `sqlite-efs` 80.00 ms / `sqlite-tmp` 9.00 ms = 8.89x "
        "(<= 10x).\n"
        "- **B**: `sqlite-efs` server-side total p50 < 50 ms. **not met**: p50 80.00 ms "
        "(>= 50 ms).\n"
        "\n"
        "The plan succeeds when A or B is met: **neither is met**."
    )


def test_criterion_a_needs_both_the_fast_copy_and_the_tenfold_read() -> None:
    fast_copy_slow_read = strategy_figures(make_run(efs_ms=20, tmp_copy_ms=50, tmp_read_ms=4))
    slow_copy_fast_read = strategy_figures(make_run(efs_ms=50, tmp_copy_ms=100, tmp_read_ms=1))

    assert criterion_a(fast_copy_slow_read).met is False
    assert criterion_a(slow_copy_fast_read).met is False


@pytest.mark.parametrize(
    ("efs_ms", "copy_ms", "read_ms"),
    [(40, 60, 3), (80, 150, 9), (49.99, 99.99, 4.99), (50, 100, 5), (200, 10, 25), (12, 5, 1)],
)
def test_verdict_follows_the_numbers_shown_in_the_tables(
    efs_ms: float, copy_ms: float, read_ms: float
) -> None:
    markdown = render_markdown(
        make_info(), make_run(efs_ms=efs_ms, tmp_copy_ms=copy_ms, tmp_read_ms=read_ms)
    )

    stats = table_rows(section(markdown, "Statistics (warm requests, ms)"))
    split = table_rows(section(markdown, "Copy / read split (warm, ms)"))
    efs_p50 = float(stats["sqlite-efs"]["p50"])
    copy_p50 = float(split["sqlite-tmp"]["copy p50"])
    read_p50 = float(split["sqlite-tmp"]["read p50"])
    a_met = copy_p50 < 100 and efs_p50 / read_p50 > 10
    b_met = efs_p50 < 50
    criteria = section(markdown, "Success criteria").splitlines()
    assert ("**met**" in criteria[0]) is a_met and ("**not met**" in criteria[0]) is not a_met
    assert ("**met**" in criteria[1]) is b_met and ("**not met**" in criteria[1]) is not b_met
    assert ("**success**" in criteria[-1]) is (a_met or b_met)


def test_criteria_are_not_evaluated_without_the_strategies_they_need() -> None:
    records = [make_record(endpoint="ddb", iteration=i, total_ms=5.0) for i in range(3)]

    markdown = render_markdown(make_info(), records)

    assert section(markdown, "Success criteria") == (
        "- **A**: `sqlite-tmp` copy p50 < 100 ms AND `sqlite-efs` read p50 / `sqlite-tmp` read "
        "p50 > 10 (read = query time only, copy excluded, server-side). not evaluated: not "
        "evaluated: no successful sqlite-tmp copy times, sqlite-tmp read times, sqlite-efs read "
        "times.\n"
        "- **B**: `sqlite-efs` server-side total p50 < 50 ms. not evaluated: not evaluated: no "
        "successful sqlite-efs requests."
    )


def test_statistics_table_has_every_figure_with_two_decimals() -> None:
    records = [
        make_record(endpoint="sqlite-efs", iteration=i, total_ms=ms)
        for i, ms in enumerate([1.0, 2.0, 3.0, 4.0, 10.0])
    ] + [make_record(endpoint="sqlite-efs", iteration=5, total_ms=9.0, error="boom")]

    markdown = render_markdown(make_info(), records)

    assert table_rows(section(markdown, "Statistics (warm requests, ms)")) == {
        "sqlite-efs": {
            "strategy": "`sqlite-efs`",
            "n": "5",
            "errors": "1",
            "mean": "4.00",
            "min": "1.00",
            "p50": "3.00",
            "p90": "7.60",
            "p95": "8.80",
            "p99": "9.76",
            "max": "10.00",
            "std": "3.54",
        }
    }
    assert section(markdown, "Errors") == "- `sqlite-efs`: 1x boom"


def test_local_run_says_local_numbers_are_not_aws_numbers() -> None:
    markdown = render_markdown(make_info(local=True, memory=None, architecture=None), make_run())

    environment = section(markdown, "Environment")
    assert "| Where | local (this machine) |" in environment
    assert (
        '> **Local run.** Local numbers are not AWS numbers: the app ran on this machine, so "EFS" '
        "was a local directory, not a network file system, and DynamoDB was a local stand-in or "
        "a table far from this machine. Use them to check the pipeline, not to choose a storage."
    ) in environment
    assert "| Lambda memory | unknown |" in environment
    assert "rerun against the deployed function before deciding" in section(
        markdown, "Recommendation"
    )


def test_aws_run_names_where_it_ran_and_its_lambda() -> None:
    markdown = render_markdown(make_info(notes=("Session X, status complete.",)), make_run())

    environment = section(markdown, "Environment")
    assert "| Where | AWS: us-east-1 |" in environment
    assert "| Lambda memory | 1024 MB |" in environment
    assert "| Lambda architecture | arm64 |" in environment
    assert "| Iterations | 5 per strategy (25 requests recorded) |" in environment
    assert "- Session X, status complete." in environment
    assert "Local run" not in markdown
    assert "deployed function" not in markdown


def test_partial_run_is_flagged() -> None:
    markdown = render_markdown(make_info(interrupted=True), make_run())

    assert "> **Partial run.** The run stopped early" in section(markdown, "Environment")


def test_cold_starts_are_kept_out_of_the_statistics_and_shown_apart() -> None:
    records = make_run(efs_ms=10) + [
        make_record(endpoint="sqlite-efs", iteration=5, total_ms=900.0, cold_start=True)
    ]

    markdown = render_markdown(make_info(), records)

    stats = table_rows(section(markdown, "Statistics (warm requests, ms)"))
    assert stats["sqlite-efs"]["n"] == "5" and stats["sqlite-efs"]["max"] == "10.00"
    cold = table_rows(section(markdown, "Cold starts"))
    assert cold == {
        "sqlite-efs": {
            "strategy": "`sqlite-efs`",
            "n": "1",
            "errors": "0",
            "mean ms": "900.00",
            "max ms": "900.00",
        }
    }


def test_no_cold_starts_is_said() -> None:
    markdown = render_markdown(make_info(), make_run())

    assert section(markdown, "Cold starts") == (
        "No cold-start requests were recorded; every figure above is warm."
    )


def test_client_runs_show_client_and_server_timings_side_by_side() -> None:
    records = [
        make_record(endpoint="ddb", iteration=i, total_ms=5.0, client_ms=30.0 + i) for i in range(5)
    ]

    markdown = render_markdown(make_info(source="client"), records)

    assert table_rows(section(markdown, "Client and server timings (warm, ms)")) == {
        "ddb": {
            "strategy": "`ddb`",
            "client p50": "32.00",
            "client p95": "33.80",
            "server p50": "5.00",
            "server p95": "5.00",
            "overhead p50": "27.00",
        }
    }
    assert "Latency is the client's round trip." in markdown


def test_function_runs_have_no_client_section() -> None:
    markdown = render_markdown(make_info(), make_run())

    assert "## Client and server timings" not in markdown
    assert "Latency is the strategy's own total." in markdown


def test_copy_read_split_counts_the_requests_that_copied() -> None:
    records = make_run(tmp_copy_ms=60, tmp_read_ms=3, cached_ms=2)
    records.append(
        make_record(
            endpoint="sqlite-tmp-cached", iteration=5, total_ms=52, copy_ms=50.0, read_ms=2.0
        )
    )

    markdown = render_markdown(make_info(), records)

    assert table_rows(section(markdown, "Copy / read split (warm, ms)")) == {
        "sqlite-tmp": {
            "strategy": "`sqlite-tmp`",
            "requests that copied": "5 of 5",
            "copy p50": "60.00",
            "copy p95": "60.00",
            "read p50": "3.00",
            "read p95": "3.00",
        },
        "sqlite-tmp-cached": {
            "strategy": "`sqlite-tmp-cached`",
            "requests that copied": "1 of 6",
            "copy p50": "50.00",
            "copy p95": "50.00",
            "read p50": "2.00",
            "read p95": "2.00",
        },
    }


def test_speedup_matrix_is_p50_based_and_says_so() -> None:
    markdown = render_markdown(make_info(), make_run(efs_ms=40, ddb_ms=20, cached_ms=2))

    body = section(markdown, "Speed-up ratios (p50)")
    rows = table_rows(body)
    assert "p50(column) / p50(row), warm latency p50" in body
    assert rows["sqlite-tmp-cached"]["`sqlite-efs`"] == "20.00x"
    assert rows["sqlite-efs"]["`sqlite-tmp-cached`"] == "0.05x"
    assert rows["ddb"]["`ddb`"] == "-"


def test_report_says_whether_the_smarter_strategies_beat_the_original_three() -> None:
    markdown = render_markdown(
        make_info(), make_run(efs_ms=40, ddb_ms=20, cached_ms=2, immutable_ms=30)
    )

    body = section(markdown, "Speed-up ratios (p50)")
    assert (
        "- `sqlite-tmp-cached` (p50 2.00 ms) against the best original, `ddb` (p50 20.00 ms): "
        "**yes**, 10.00x faster."
    ) in body
    assert (
        "- `sqlite-efs-immutable` (p50 30.00 ms) against the best original, `ddb` (p50 20.00 "
        "ms): **no**, 1.50x slower."
    ) in body


def test_equivalence_line_when_all_agree() -> None:
    markdown = render_markdown(make_info(), make_run())

    assert section(markdown, "Data equivalence") == (
        "All strategies (`sqlite-efs`, `sqlite-tmp`, `ddb`, `sqlite-tmp-cached`, "
        "`sqlite-efs-immutable`) returned the same rows and fingerprint on every request."
    )


def test_equivalence_line_names_the_strategy_that_differs() -> None:
    records = make_run()
    records.append(
        make_record(endpoint="ddb", iteration=9, rows=101, fingerprint="fp-101-abcdef-more")
    )

    markdown = render_markdown(make_info(), records)

    assert section(markdown, "Data equivalence") == (
        "Not all strategies returned the same data (compared on every request): `ddb` returned "
        "rows 101, fingerprint fp-101-abcde where the others returned rows 100, fingerprint "
        "fp-100.\n"
        "In agreement: `sqlite-efs`, `sqlite-tmp`, `sqlite-tmp-cached`, `sqlite-efs-immutable`."
    )


def test_point_queries_are_compared_round_by_round() -> None:
    records = [
        make_record(endpoint=name, iteration=i, fingerprint=f"id-{i}", rows=1, query="point")
        for i in range(3)
        for name in ("sqlite-efs", "ddb", "sqlite-tmp")
    ]

    result = equivalence(records, query="point")

    assert result.checked and result.differing == ()
    assert result.note == "in every round (same id per round)"


def test_point_queries_that_read_different_ids_cannot_be_compared() -> None:
    records = [
        make_record(endpoint=name, iteration=0, fingerprint=name, rows=1, query="point")
        for name in ("sqlite-efs", "ddb")
    ]

    markdown = render_markdown(make_info(query="point"), records)

    assert section(markdown, "Data equivalence") == (
        "Not checked: no two strategies read the same id in any round, so the answers cannot be "
        "compared."
    )


def test_equivalence_needs_two_strategies() -> None:
    markdown = render_markdown(make_info(), [make_record(endpoint="ddb")])

    assert section(markdown, "Data equivalence") == (
        "Not checked: fewer than two strategies returned a fingerprint, so there is nothing to "
        "compare."
    )


def test_cost_table_is_dated_and_totals_add_up() -> None:
    markdown = render_markdown(make_info(memory=2048, architecture="x86_64"), make_run(ddb_ms=20))

    body = section(markdown, "Estimated cost per million requests (USD)")
    rows = table_rows(body)
    ddb = rows["ddb"]
    assert ddb["billed ms"] == "20"
    assert float(ddb["Lambda GB-s"]) == pytest.approx(0.02 * 2 * 0.0000166667 * 1e6, abs=1e-4)
    parts = ("Lambda GB-s", "Lambda requests", "DynamoDB", "EFS")
    assert float(ddb["total"].strip("*")) == pytest.approx(
        sum(float(ddb[p]) for p in parts), abs=2e-4
    )
    assert "as of 2025-06-01" in body
    assert "Lambda at 2048 MB, x86_64. Prices:" in body


def test_cost_table_says_which_lambda_settings_were_assumed() -> None:
    markdown = render_markdown(make_info(memory=None, architecture=None), make_run())

    assert (
        "Lambda at 1024 MB, x86_64 (memory and architecture assumed: not known for this run)."
    ) in section(markdown, "Estimated cost per million requests (USD)")


def test_recommendation_picks_the_fastest_reliable_strategy() -> None:
    cached_wins = render_markdown(make_info(), make_run(cached_ms=2, ddb_ms=20))
    ddb_wins = render_markdown(make_info(), make_run(cached_ms=25, ddb_ms=1.5, immutable_ms=30))

    assert section(cached_wins, "Recommendation").startswith(
        "- Use `sqlite-tmp-cached`: warm p50 2.00 ms, p99 2.00 ms, 10.00x faster at the median "
        "than the runner-up `ddb` (20.00 ms)."
    )
    assert section(ddb_wins, "Recommendation").startswith(
        "- Use `ddb`: warm p50 1.50 ms, p99 1.50 ms, 16.67x faster at the median than the "
        "runner-up `sqlite-tmp-cached` (25.00 ms)."
    )


def test_recommendation_follows_the_criteria() -> None:
    met = section(
        render_markdown(make_info(), make_run(efs_ms=40, tmp_copy_ms=60, tmp_read_ms=3)),
        "Recommendation",
    )
    unmet = section(
        render_markdown(make_info(), make_run(efs_ms=80, tmp_copy_ms=150, tmp_read_ms=9)),
        "Recommendation",
    )

    assert "- Copying the snapshot to /tmp per request is practical at this data size" in met
    assert "- SQLite read straight from EFS is fast enough on its own (criterion B met" in met
    assert "- Copying the snapshot to /tmp on every request does not pay off" in unmet
    assert "- SQLite read straight from EFS is too slow on its own (criterion B not met" in unmet


def test_recommendation_skips_strategies_with_errors_or_different_data() -> None:
    records = make_run(cached_ms=2, ddb_ms=1, efs_ms=40, immutable_ms=30)
    records.append(make_record(endpoint="sqlite-tmp-cached", iteration=7, error="disk full"))
    records.append(make_record(endpoint="ddb", iteration=8, rows=99, fingerprint="other"))

    body = section(render_markdown(make_info(), records), "Recommendation")

    assert body.startswith("- Use `sqlite-efs-immutable`: warm p50 30.00 ms")
    assert (
        "- Not considered: `ddb` (returned different data), `sqlite-tmp-cached` (1 failed "
        "requests)."
    ) in body


def test_recommendation_is_provisional_when_every_strategy_failed_something() -> None:
    records = [
        make_record(endpoint="ddb", iteration=0, total_ms=5.0),
        make_record(endpoint="ddb", iteration=1, error="throttled"),
    ]

    body = section(render_markdown(make_info(), records), "Recommendation")

    assert body.splitlines()[0] == (
        "- Use `ddb`: warm p50 5.00 ms, p99 5.00 ms; every strategy failed some requests or "
        "returned different data, so this is provisional."
    )


def test_recommendation_with_nothing_successful() -> None:
    records = [make_record(endpoint="ddb", error="unreachable")]

    body = section(render_markdown(make_info(), records), "Recommendation")

    assert body == (
        "- No strategy completed a successful request, so there is nothing to recommend: fix "
        "the errors listed above and run again."
    )


def test_recommendation_names_a_cheaper_alternative() -> None:
    figures = strategy_figures(
        [make_record(endpoint="ddb", iteration=i, total_ms=1.0) for i in range(99)]
        + [make_record(endpoint="ddb", iteration=99, total_ms=500.0)]
        + [make_record(endpoint="sqlite-efs", iteration=i, total_ms=3.0) for i in range(100)]
    )
    costs = {
        "ddb": CostEstimate("ddb", 6, 1.0, 0.2, 3.0, 0.0),
        "sqlite-efs": CostEstimate("sqlite-efs", 3, 0.5, 0.2, 0.0, 0.1),
    }

    lines = recommendation(
        figures,
        equivalence=equivalence([], query="all"),
        verdicts=[],
        costs=costs,
        local=False,
    )

    assert lines == [
        "Use `ddb`: warm p50 1.00 ms, p99 5.99 ms, 3.00x faster at the median than the runner-up "
        "`sqlite-efs` (3.00 ms).",
        "`sqlite-efs` is cheaper: 0.80 against 4.20 per million requests; choose it if 2.00 ms "
        "more at the median is acceptable.",
    ]


def test_recommendation_warns_about_a_wide_tail() -> None:
    records = [make_record(endpoint="ddb", iteration=i, total_ms=1.0) for i in range(90)]
    records += [make_record(endpoint="ddb", iteration=90 + i, total_ms=100.0) for i in range(10)]

    lines = recommendation(
        strategy_figures(records),
        equivalence=equivalence([], query="all"),
        verdicts=[],
        costs={},
        local=False,
    )

    assert lines == [
        "Use `ddb`: warm p50 1.00 ms, p99 100.00 ms.",
        "Its tail is wide (p99 is 100.0x its p50): look at the chart and the cold starts before "
        "relying on the median.",
    ]


def test_speedup_handles_zero_and_missing_times() -> None:
    assert speedup(0.0, 5.0) == float("inf")
    assert speedup(0.0, 0.0) == 1.0
    assert speedup(None, 5.0) is None
    assert speedup(2.0, 5.0) == 2.5


def test_chart_link_is_included_only_when_given() -> None:
    with_chart = render_markdown(make_info(), make_run(), chart_file="run.png")
    without = render_markdown(make_info(), make_run())

    assert section(with_chart, "Chart") == ("![Latency per strategy and copy/read split](run.png)")
    assert "## Chart" not in without


def test_report_of_no_records_is_still_a_report() -> None:
    markdown = render_markdown(make_info(), [])

    assert section(markdown, "Statistics (warm requests, ms)").endswith(
        "No requests were recorded."
    )
    assert section(markdown, "Estimated cost per million requests (USD)") == (
        "No successful requests, so no estimate."
    )


def test_errors_section_shows_the_three_most_common_kinds() -> None:
    records = [
        make_record(endpoint="ddb", iteration=i, error=f"kind {i % 5}") for i in range(10)
    ] + [make_record(endpoint="ddb", iteration=11, error="kind 0")]

    markdown = render_markdown(make_info(), records)

    assert section(markdown, "Errors") == (
        "- `ddb`: 3x kind 0; 2x kind 1; 2x kind 2 (and 2 other kinds)"
    )


def test_smarter_strategies_alone_are_compared_with_nothing() -> None:
    records = [make_record(endpoint="sqlite-tmp-cached", iteration=i) for i in range(2)]
    records += [make_record(endpoint="sqlite-efs-immutable", iteration=i) for i in range(2)]

    markdown = render_markdown(make_info(), records)

    assert smarter_vs_original(strategy_figures(records)) == []
    assert "Do the two smarter strategies beat" not in markdown


def test_a_zero_time_is_infinitely_faster() -> None:
    records = [
        make_record(endpoint="sqlite-tmp-cached", iteration=i, total_ms=0.0) for i in range(2)
    ]
    records += [make_record(endpoint="ddb", iteration=i, total_ms=4.0) for i in range(2)]

    rows = table_rows(section(render_markdown(make_info(), records), "Speed-up ratios (p50)"))

    assert rows["sqlite-tmp-cached"]["`ddb`"] == "infx"
    assert rows["ddb"]["`sqlite-tmp-cached`"] == "0.00x"


def test_local_run_names_its_local_url() -> None:
    info = RunInfo(
        started_at=T0,
        source="client",
        where="http://127.0.0.1:8123",
        local=True,
        data_count=None,
        iterations=1,
        concurrency=2,
        query="all",
    )

    environment = section(render_markdown(info, make_run(n=1)), "Environment")

    assert "| Where | local (this machine: http://127.0.0.1:8123) |" in environment
    assert "| Data | unknown |" in environment
    assert "| Concurrency | 2 |" in environment


def test_a_url_elsewhere_is_named_without_claiming_aws_or_local() -> None:
    info = RunInfo(
        started_at=T0,
        source="client",
        where="https://bench.example.com/",
        local=False,
        elsewhere=True,
        data_count=None,
        iterations=1,
        concurrency=1,
        query="all",
    )

    markdown = render_markdown(info, make_run(n=1))

    assert "| Where | URL: https://bench.example.com/ (not a Lambda Function URL) |" in section(
        markdown, "Environment"
    )
    assert "AWS:" not in markdown
    assert "Local run" not in markdown


def test_equivalence_when_no_strategy_always_agrees() -> None:
    records = [
        make_record(endpoint=name, iteration=i, fingerprint=fp, rows=1)
        for name in ("ddb", "sqlite-efs")
        for i, fp in enumerate(("x", "y"))
    ]

    body = section(render_markdown(make_info(), records), "Data equivalence")

    assert body == (
        "Not all strategies returned the same data (compared on every request): `sqlite-efs` "
        "returned rows 1, fingerprint y where the others returned rows 1, fingerprint x; `ddb` "
        "returned rows 1, fingerprint y where the others returned rows 1, fingerprint x."
    )
