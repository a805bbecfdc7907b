"""``sqlite-efs``: open the snapshot on the EFS mount and query it there, every request.

The connection is closed after each read, so every request opens the file and reads its pages
over NFS, as the original experiment did (and a replaced snapshot is never read through an old
connection).
"""

from pathlib import Path

from bench.snapshotfile import snapshot_path
from bench.strategies.sqlite import SqliteStrategy, close


class SqliteEfs(SqliteStrategy):
    name = "sqlite-efs"
    alias = "efs"

    def path(self) -> Path:
        return snapshot_path()

    def finish(self) -> None:
        close(self.alias)
