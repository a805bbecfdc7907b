"""Report files written atomically and never overwritten by accident.

Every file is written to a temporary name in its own directory, flushed to disk and then put in
place in one step, so a reader never sees half a report. ``write_report_files`` writes a set of
files (``<stem>.csv``, ``.md``, ``.png``) that belong together: when any of them exists already,
the whole set moves to the next free suffix (``<stem>-2``, ``<stem>-3``, ...).
"""

import contextlib
import os
import tempfile
from collections.abc import Sequence
from pathlib import Path

from bench.reports.costs import PriceTable
from bench.reports.csvtext import csv_text
from bench.reports.info import RunInfo
from bench.reports.markdown import render_markdown
from bench.results import ResultRecord

FORMATS = ("csv", "md", "png")
MAX_SUFFIX = 1000


def atomic_write(path: Path, data: str | bytes, *, overwrite: bool = True) -> None:
    """Write ``data`` to ``path`` via a temporary file in the same directory.

    With ``overwrite=False`` an existing ``path`` is left alone and ``FileExistsError`` raised,
    also when another process creates it at the same moment (a hard link never replaces).
    """
    payload = data.encode("utf-8") if isinstance(data, str) else data
    fd, temp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    temp = Path(temp_name)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(payload)
            handle.flush()
            os.fsync(handle.fileno())
        temp.chmod(0o644)
        if overwrite:
            temp.replace(path)
        else:
            path.hardlink_to(temp)
    finally:
        with contextlib.suppress(FileNotFoundError):
            temp.unlink()


def stem_paths(output_dir: Path, stem: str, formats: Sequence[str]) -> dict[str, Path]:
    return {fmt: output_dir / f"{stem}.{fmt}" for fmt in formats}


def free_stem(output_dir: Path, stem: str, formats: Sequence[str]) -> str:
    """``stem`` or the first ``stem-N`` (N >= 2) for which none of the files exists."""
    for number in range(1, MAX_SUFFIX + 1):
        candidate = stem if number == 1 else f"{stem}-{number}"
        if not any(path.exists() for path in stem_paths(output_dir, candidate, formats).values()):
            return candidate
    raise FileExistsError(f"{output_dir} already holds {MAX_SUFFIX} reports named {stem}-N.")


def write_report_files(
    output_dir: Path,
    stem: str,
    info: RunInfo,
    records: Sequence[ResultRecord],
    *,
    formats: Sequence[str] = FORMATS,
    force: bool = False,
    prices: PriceTable | None = None,
    title: str | None = None,
) -> dict[str, Path]:
    """Write ``<stem>.<format>`` for each format into ``output_dir``; returns format -> path.

    The Markdown links the PNG when both are written. Without ``force`` nothing is overwritten:
    the set takes the next free suffix.
    """
    unknown = [fmt for fmt in formats if fmt not in FORMATS]
    if unknown or not formats:
        raise ValueError(f"Report formats must be among {', '.join(FORMATS)}; got {formats}.")
    output_dir.mkdir(parents=True, exist_ok=True)
    fixed: dict[str, str | bytes] = {}
    if "csv" in formats:
        fixed["csv"] = csv_text(records)
    if "png" in formats:
        from bench.reports.chart import png_bytes

        fixed["png"] = png_bytes(records, title=title)
    chosen = stem if force else free_stem(output_dir, stem, formats)
    while True:
        paths = stem_paths(output_dir, chosen, formats)
        contents = dict(fixed)
        if "md" in paths:
            chart = paths["png"].name if "png" in paths else None
            contents["md"] = render_markdown(info, records, chart_file=chart, prices=prices)
        written: list[Path] = []
        try:
            for fmt, path in paths.items():
                atomic_write(path, contents[fmt], overwrite=force)
                written.append(path)
        except FileExistsError:
            # Someone took one of the names meanwhile: give the whole set the next suffix.
            for path in written:
                path.unlink()
            chosen = free_stem(output_dir, stem, formats)
            continue
        return paths
