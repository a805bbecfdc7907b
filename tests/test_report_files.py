"""Report files: atomic writes, never an overwrite by accident, sets that stay together."""

from datetime import UTC, datetime
from pathlib import Path

import pytest

from bench.reports import RunInfo
from bench.reports import files as report_files
from bench.reports.files import atomic_write, free_stem, write_report_files
from bench.results import ResultRecord

STEM = "20261204-200000-benchmark"


def make_info() -> RunInfo:
    return RunInfo(
        started_at=datetime(2026, 12, 4, 20, 0, tzinfo=UTC),
        source="client",
        where="local",
        local=True,
        data_count=10,
        iterations=2,
        concurrency=1,
        query="all",
    )


def make_records() -> list[ResultRecord]:
    return [
        ResultRecord(
            endpoint=name,
            query="all",
            iteration=i,
            status=200,
            client_ms=10.0 + i,
            server_total_ms=2.0 + i,
            copy_ms=None,
            read_ms=2.0 + i,
            rows=10,
            fingerprint="f",
            cold_start=False,
            measured_at=datetime(2026, 12, 4, 20, 0, i, tzinfo=UTC),
        )
        for i in range(2)
        for name in ("sqlite-efs", "ddb")
    ]


def test_atomic_write_leaves_only_the_file(tmp_path: Path) -> None:
    target = tmp_path / "a.md"

    atomic_write(target, "hello")
    atomic_write(target, b"bytes")

    assert target.read_bytes() == b"bytes"
    assert [p.name for p in tmp_path.iterdir()] == ["a.md"]
    assert target.stat().st_mode & 0o777 == 0o644


def test_atomic_write_without_overwrite_keeps_the_existing_file(tmp_path: Path) -> None:
    target = tmp_path / "a.md"
    target.write_text("mine")

    with pytest.raises(FileExistsError):
        atomic_write(target, "theirs", overwrite=False)

    assert target.read_text() == "mine"
    assert [p.name for p in tmp_path.iterdir()] == ["a.md"]


def test_atomic_write_cleans_up_when_the_write_fails(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken_fsync(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("bench.reports.files.os.fsync", broken_fsync)

    with pytest.raises(OSError, match="No space left"):
        atomic_write(tmp_path / "a.md", "data")

    assert list(tmp_path.iterdir()) == []


def test_report_set_is_written_with_the_chart_linked(tmp_path: Path) -> None:
    paths = write_report_files(tmp_path / "out", STEM, make_info(), make_records())

    assert paths == {
        "csv": tmp_path / "out" / f"{STEM}.csv",
        "md": tmp_path / "out" / f"{STEM}.md",
        "png": tmp_path / "out" / f"{STEM}.png",
    }
    assert paths["png"].read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    assert f"![Latency per strategy and copy/read split]({STEM}.png)" in paths["md"].read_text()
    assert paths["csv"].read_text().count("\n") == 5


def test_a_collision_moves_the_whole_set_to_the_next_suffix(tmp_path: Path) -> None:
    (tmp_path / f"{STEM}.png").write_bytes(b"old chart")
    (tmp_path / f"{STEM}-2.csv").write_text("old csv")

    paths = write_report_files(tmp_path, STEM, make_info(), make_records())

    assert {p.name for p in paths.values()} == {f"{STEM}-3.csv", f"{STEM}-3.md", f"{STEM}-3.png"}
    assert (tmp_path / f"{STEM}.png").read_bytes() == b"old chart"
    assert (tmp_path / f"{STEM}-2.csv").read_text() == "old csv"
    assert f"]({STEM}-3.png)" in paths["md"].read_text()


def test_force_overwrites_in_place(tmp_path: Path) -> None:
    (tmp_path / f"{STEM}.csv").write_text("old")

    paths = write_report_files(
        tmp_path, STEM, make_info(), make_records(), formats=("csv",), force=True
    )

    assert paths == {"csv": tmp_path / f"{STEM}.csv"}
    assert paths["csv"].read_text().startswith("endpoint,query,")


def test_markdown_alone_has_no_chart_link(tmp_path: Path) -> None:
    paths = write_report_files(tmp_path, STEM, make_info(), make_records(), formats=("md",))

    assert list(paths) == ["md"]
    assert "## Chart" not in paths["md"].read_text()


def test_a_name_taken_during_the_write_moves_the_set_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_write = report_files.atomic_write
    raced: list[Path] = []

    def racing_write(path: Path, data: str | bytes, *, overwrite: bool = True) -> None:
        if path.name == f"{STEM}.md" and not raced:
            raced.append(path)
            path.write_text("someone else's")  # another process wins the name now
        real_write(path, data, overwrite=overwrite)

    monkeypatch.setattr(report_files, "atomic_write", racing_write)

    paths = write_report_files(tmp_path, STEM, make_info(), make_records(), formats=("csv", "md"))

    assert {p.name for p in paths.values()} == {f"{STEM}-2.csv", f"{STEM}-2.md"}
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        f"{STEM}-2.csv",
        f"{STEM}-2.md",
        f"{STEM}.md",
    ]
    assert (tmp_path / f"{STEM}.md").read_text() == "someone else's"


def test_unknown_formats_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"must be among csv, md, png; got \('pdf',\)"):
        write_report_files(tmp_path, STEM, make_info(), [], formats=("pdf",))
    with pytest.raises(ValueError, match="must be among"):
        write_report_files(tmp_path, STEM, make_info(), [], formats=())


def test_free_stem_gives_up_after_many_suffixes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(report_files, "MAX_SUFFIX", 3)
    for name in (f"{STEM}.md", f"{STEM}-2.md", f"{STEM}-3.md"):
        (tmp_path / name).write_text("x")

    with pytest.raises(FileExistsError, match=f"already holds 3 reports named {STEM}-N"):
        free_stem(tmp_path, STEM, ("md",))
