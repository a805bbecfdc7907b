"""``sqlite-tmp-cached``: copy EFS -> /tmp only when the snapshot on EFS changed.

Change detection is one ``stat`` of ``data.db`` on EFS per request (device, inode, size, mtime,
ctime against those of the file last copied, recorded from the copying descriptor) plus one local
``stat`` of the copy; a rebuild replaces ``data.db`` with a new file, so it always shows. Asking
DynamoDB for the config item instead would cost a network round trip per request. The same
attribute-cache caveat as ``sqlite-efs-immutable`` applies on NFS. ``copy_ms`` is the check plus
the copy when there was one, so a cache hit reports what the check cost.
"""

import contextlib
import time
from pathlib import Path

from bench.snapshotfile import snapshot_path
from bench.strategies.sqlite import SqliteStrategy, file_identity, identity_of, use_file
from bench.strategies.sqlite_tmp import TMP_COPY, TMP_LOCK, refresh_copy, tmp_path


def copy_is_current() -> bool:
    if TMP_COPY.source is None or TMP_COPY.source != file_identity(snapshot_path()):
        return False
    try:
        return TMP_COPY.copy == identity_of(tmp_path().stat())
    except FileNotFoundError:
        return False


class SqliteTmpCached(SqliteStrategy):
    name = "sqlite-tmp-cached"
    alias = "tmp"

    def path(self) -> Path:
        return tmp_path()

    def lock(self) -> contextlib.AbstractContextManager[object]:
        return TMP_LOCK

    def prepare(self) -> int | None:
        start = time.perf_counter_ns()
        if not copy_is_current():
            refresh_copy()
        return time.perf_counter_ns() - start

    def open(self) -> None:
        assert TMP_COPY.copy is not None  # prepare copies or raises
        use_file(self.alias, TMP_COPY.copy)
