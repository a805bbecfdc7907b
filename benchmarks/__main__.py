"""``python -m benchmarks``: run every perf case and print ours vs baseline (``make perf``).

Writes ``var/perf/latest.json`` as ``{case: {ours_ms, baseline_ms, ratio, target, met}}`` and ends
with ``perf: K/N targets met``. Exits 0 even when a target is missed: it is a measurement.
"""

import argparse
import importlib
import json
import os
import sys
import tempfile
import time
import traceback
from pathlib import Path

from benchmarks.common import PerfResult

CASE_MODULES = ("seed", "readpath", "coldstart", "report")
ROOT = Path(__file__).resolve().parent.parent


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument(
        "--size", type=int, default=100_000, help="rows/items for the cases that take a size"
    )
    parser.add_argument(
        "--only", default="", help=f"comma-separated case modules ({', '.join(CASE_MODULES)})"
    )
    parser.add_argument("--output", type=Path, default=ROOT / "var" / "perf" / "latest.json")
    args = parser.parse_args(argv)
    if args.size < 1000:
        parser.error(f"--size {args.size} is too small: use at least 1000.")
    unknown = {name for name in args.only.split(",") if name} - set(CASE_MODULES)
    if unknown:
        parser.error(f"--only: unknown case module(s) {', '.join(sorted(unknown))}.")
    return args


def fmt(value: float | None, unit: str = "") -> str:
    return "-" if value is None else f"{value:,.2f}{unit}"


def print_table(results: list[PerfResult]) -> None:
    header = ("case", "ours", "baseline", "ratio", "target", "met")
    rows = [
        (
            r.case,
            fmt(r.ours_ms, " ms"),
            fmt(r.baseline_ms, " ms"),
            fmt(r.ratio, "x"),
            r.target,
            "yes" if r.met else "NO",
        )
        for r in results
    ]
    widths = [max(len(str(row[i])) for row in [header, *rows]) for i in range(len(header))]
    for row in [header, tuple("-" * w for w in widths), *rows]:
        print("  ".join(str(cell).ljust(width) for cell, width in zip(row, widths, strict=True)))
    for r in results:
        if r.note:
            print(f"  note [{r.case}]: {r.note}")


def write_json(path: Path, results: list[PerfResult]) -> None:
    payload = {
        r.case: {
            "ours_ms": r.ours_ms,
            "baseline_ms": r.baseline_ms,
            "ratio": r.ratio,
            "target": r.target,
            "met": r.met,
        }
        for r in results
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    with os.fdopen(fd, "w") as handle:
        json.dump(payload, handle, indent=2)
    Path(tmp).replace(path)


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    selected = [name for name in CASE_MODULES if not args.only or name in args.only.split(",")]
    results: list[PerfResult] = []
    failed: list[str] = []
    for name in selected:
        started = time.monotonic()
        print(f"== {name} (size {args.size:,}) ...", flush=True)
        try:
            module = importlib.import_module(f"benchmarks.{name}")
            results.extend(module.run(size=args.size))
        except KeyboardInterrupt:
            print("interrupted: writing what was measured so far", file=sys.stderr)
            break
        except Exception:
            traceback.print_exc()
            failed.append(name)
        print(f"   {name} took {time.monotonic() - started:.1f} s", flush=True)
    print()
    print_table(results)
    write_json(args.output, results)
    print(f"\nwrote {args.output}")
    missed = [r.case for r in results if not r.met]
    if missed:
        print(f"missed: {', '.join(missed)}")
    if failed:
        print(f"case modules that failed to run: {', '.join(failed)}")
    met = sum(r.met for r in results)
    print(f"perf: {met}/{len(results)} targets met")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
