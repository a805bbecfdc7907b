"""``sqlite-tmp``: delete the /tmp copy, copy the snapshot EFS -> /tmp, then query the copy.

The copy is ``os.sendfile`` from the descriptor it opened (what ``shutil.copyfile`` does on
Linux), so what was copied is exactly the file that descriptor names: its identity is recorded
for ``sqlite-tmp-cached``, which reuses a copy while the snapshot on EFS is unchanged. The ``tmp``
connection is closed before the copy is deleted, so no connection reads a replaced file, and one
lock per process keeps two threads from copying over each other (Lambda serves one request at a
time per container; a threaded local server may not).
"""

import contextlib
import os
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from bench.errors import NoSnapshotError, StorageUnavailableError
from bench.snapshotfile import snapshot_path
from bench.strategies.sqlite import FileIdentity, SqliteStrategy, close, identity_of, use_file

_SENDFILE_CHUNK = 1 << 30


@dataclass
class TmpCopy:
    """What the /tmp copy holds: the EFS file it was copied from, and the copy itself."""

    source: FileIdentity | None = None
    copy: FileIdentity | None = None


TMP_COPY = TmpCopy()
TMP_LOCK = threading.Lock()


def tmp_path() -> Path:
    return Path(settings.BENCH_TMP_DIR) / settings.SNAPSHOT_FILE_NAME


def copy_snapshot(source: Path, target: Path) -> FileIdentity:
    """Copy ``source`` over ``target`` (deleted first); the identity of the file copied."""
    try:
        source_fd = os.open(source, os.O_RDONLY)
    except FileNotFoundError:
        raise NoSnapshotError() from None
    try:
        identity = identity_of(os.fstat(source_fd))
        target.parent.mkdir(parents=True, exist_ok=True)
        target.unlink(missing_ok=True)
        target_fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        try:
            offset = 0
            while sent := os.sendfile(target_fd, source_fd, offset, _SENDFILE_CHUNK):
                offset += sent
        finally:
            os.close(target_fd)
    finally:
        os.close(source_fd)
    return identity


def refresh_copy() -> None:
    """Replace the /tmp copy with a fresh copy of the snapshot on EFS (under TMP_LOCK)."""
    close("tmp")
    TMP_COPY.source = TMP_COPY.copy = None
    target = tmp_path()
    try:
        source = copy_snapshot(snapshot_path(), target)
    except BaseException as exc:
        with contextlib.suppress(FileNotFoundError):
            target.unlink()
        if isinstance(exc, OSError):
            raise StorageUnavailableError(
                f"Could not copy the snapshot to {target}: {exc}"
            ) from exc
        raise
    TMP_COPY.source = source
    TMP_COPY.copy = identity_of(target.stat())


class SqliteTmp(SqliteStrategy):
    name = "sqlite-tmp"
    alias = "tmp"

    def path(self) -> Path:
        return tmp_path()

    def lock(self) -> contextlib.AbstractContextManager[object]:
        return TMP_LOCK

    def prepare(self) -> int | None:
        start = time.perf_counter_ns()
        refresh_copy()
        return time.perf_counter_ns() - start

    def open(self) -> None:
        assert TMP_COPY.copy is not None  # refresh_copy sets it or raises
        use_file(self.alias, TMP_COPY.copy)
