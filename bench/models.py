"""The SQLite side of the data: the ``randoms`` table of a snapshot."""

from django.db import models


class Random(models.Model):
    id = models.CharField(primary_key=True, max_length=26)
    random_value = models.FloatField()
    created_at = models.DateTimeField(db_index=True)

    class Meta:
        db_table = "randoms"
        managed = False

    def __str__(self) -> str:
        return self.id


class SnapshotMeta(models.Model):
    """The one row describing a snapshot file, written with it by ``bench.snapshot``."""

    version = models.CharField(primary_key=True, max_length=26)
    rows = models.IntegerField()
    fingerprint = models.CharField(max_length=64)
    built_at = models.DateTimeField()

    class Meta:
        db_table = "snapshot_meta"
        managed = False

    def __str__(self) -> str:
        return self.version
