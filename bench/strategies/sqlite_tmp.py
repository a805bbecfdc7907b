"""``sqlite-tmp``: delete the /tmp copy, copy the snapshot EFS -> /tmp, then query the copy.

Each tmp strategy owns its copy: its own file under ``BENCH_TMP_DIR``, its own read-only Django
alias and its own record of what the copy holds. ``sqlite-tmp`` copies to ``data.db`` and reads it
through ``tmp``; ``sqlite-tmp-cached`` uses ``data-cached.db`` and ``tmp_cached``. Interleaved in
one benchmark, neither reuses a copy or a warm connection the other made, so each is measured on
its own work.

The copy is ``os.sendfile`` from the descriptor it opened (what ``shutil.copyfile`` does on
Linux), so what was copied is exactly the file that descriptor names: its identity is recorded so
``sqlite-tmp-cached`` can reuse its copy while the snapshot on EFS is unchanged. The alias's
connection is closed before the copy is deleted, so no connection reads a replaced file, and one
lock per copy file and process keeps two threads from copying over each other (Lambda serves one
request at a time per container; a threaded local server may not).
"""

import contextlib
import os
import threading
import time
from abc import abstractmethod
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from django.conf import settings

from bench.errors import NoSnapshotError, StorageUnavailableError
from bench.snapshotfile import snapshot_path
from bench.strategies.sqlite import FileIdentity, SqliteStrategy, close, identity_of, use_file

_SENDFILE_CHUNK = 1 << 30


@dataclass
class TmpCopy:
    """What a /tmp copy holds: the EFS file it was copied from, and the copy itself."""

    source: FileIdentity | None = None
    copy: FileIdentity | None = None


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


class TmpCopyStrategy(SqliteStrategy):
    """Query a /tmp copy of the snapshot that only this strategy writes and reads."""

    copy_lock: ClassVar[threading.Lock]  # one per copy file and process

    def __init__(self) -> None:
        self.copied = TmpCopy()

    @property
    @abstractmethod
    def file_name(self) -> str:
        """The copy's name under BENCH_TMP_DIR: the file the alias opens."""

    def path(self) -> Path:
        return Path(settings.BENCH_TMP_DIR) / self.file_name

    def lock(self) -> contextlib.AbstractContextManager[object]:
        return self.copy_lock

    def refresh_copy(self) -> int:
        """Replace the copy with a fresh copy of the snapshot on EFS; the ns it took."""
        start = time.perf_counter_ns()
        close(self.alias)
        self.copied = TmpCopy()
        target = self.path()
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
        self.copied = TmpCopy(source=source, copy=identity_of(target.stat()))
        return time.perf_counter_ns() - start

    def open(self) -> None:
        assert self.copied.copy is not None  # prepare copies or raises
        use_file(self.alias, self.copied.copy)


class SqliteTmp(TmpCopyStrategy):
    name = "sqlite-tmp"
    alias = "tmp"
    copy_lock = threading.Lock()

    @property
    def file_name(self) -> str:
        return str(settings.SNAPSHOT_FILE_NAME)

    def prepare(self) -> int:
        return self.refresh_copy()
