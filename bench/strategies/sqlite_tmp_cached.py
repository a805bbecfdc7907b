"""``sqlite-tmp-cached``: copy EFS -> /tmp only when the snapshot on EFS changed.

Its copy is its own (``data-cached.db`` under ``BENCH_TMP_DIR``, read through the ``tmp_cached``
alias, see ``bench.strategies.sqlite_tmp``): ``sqlite-tmp`` running beside it neither copies for it
nor warms its connection. Change detection is one ``stat`` of ``data.db`` on EFS per request
(device, inode, size, mtime, ctime against those of the file last copied, recorded from the
copying descriptor) plus one local ``stat`` of the copy; a rebuild replaces ``data.db`` with a new
file, so it always shows. Asking DynamoDB for the config item instead would cost a network round
trip per request. The same attribute-cache caveat as ``sqlite-efs-immutable`` applies on NFS.

``copy_ms`` is the copy's time when the request copied and ``0.0`` when the copy was reused: the
reports count ``copy_ms > 0`` as a copy (and charge its EFS read). The change check is in
``total`` either way.
"""

import threading

from django.conf import settings

from bench.snapshotfile import snapshot_path
from bench.strategies.sqlite import file_identity, identity_of
from bench.strategies.sqlite_tmp import TmpCopyStrategy


class SqliteTmpCached(TmpCopyStrategy):
    name = "sqlite-tmp-cached"
    alias = "tmp_cached"
    copy_lock = threading.Lock()

    @property
    def file_name(self) -> str:
        return str(settings.TMP_CACHED_FILE_NAME)

    def copy_is_current(self) -> bool:
        source = self.copied.source
        if source is None or source != file_identity(snapshot_path()):
            return False
        try:
            return self.copied.copy == identity_of(self.path().stat())
        except FileNotFoundError:
            return False

    def prepare(self) -> int:
        if self.copy_is_current():
            return 0
        return self.refresh_copy()
