"""``sqlite-efs-immutable``: the EFS file opened with ``mode=ro&immutable=1``.

SQLite then takes no locks and never checks the file for changes, which is safe only because a
snapshot is replaced whole, never modified. The connection is kept for the container's life (its
page cache is the point) and reopened when ``data.db`` names another file than the one it opened:
one ``stat`` per request. On NFS that stat may be answered from the client's attribute cache
(``acregmin``/``acdirmin``, seconds), so a container can keep reading the previous complete
snapshot that long after a rebuild by another container; it never reads a mix.
"""

from pathlib import Path

from bench.snapshotfile import snapshot_path
from bench.strategies.sqlite import SqliteStrategy, file_identity, use_file


class SqliteEfsImmutable(SqliteStrategy):
    name = "sqlite-efs-immutable"
    alias = "efs_immutable"

    def path(self) -> Path:
        return snapshot_path()

    def open(self) -> None:
        use_file(self.alias, file_identity(self.path()))
