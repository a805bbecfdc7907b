"""Keeps Django's migrations away from the snapshot aliases.

The snapshot files are built by ``bench.snapshot``, never migrated: ``efs``, ``efs_immutable`` and
``tmp`` are read-only views of one file each.
"""

from typing import Any

SNAPSHOT_ALIASES = frozenset({"efs", "efs_immutable", "tmp"})


class SnapshotRouter:
    def allow_migrate(
        self,
        db: str,
        app_label: str,
        model_name: str | None = None,
        **hints: Any,  # noqa: ANN401 - Django's router protocol passes arbitrary hints
    ) -> bool | None:
        if db in SNAPSHOT_ALIASES:
            return False
        return None
