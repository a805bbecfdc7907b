"""Speed measurements of lambda-sqlite-bench against raw baselines (``make perf``).

Each case module exposes ``run(*, size: int) -> list[PerfResult]``; ``python -m benchmarks`` runs
them all. These are measurements, not tests: ratios against a baseline taken in the same run.
"""
