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
