"""The digest every strategy reports for what it read (SPEC.md: Snapshot, fingerprint).

A fingerprint covers ``(id, random_value)`` pairs in id order. DynamoDB hands numbers back as
text (``"0.5"``), SQLite as ``float``: both are normalised to the IEEE-754 double they denote, so
equal data gives an equal digest whatever the storage. Doubles are hashed as their 8 little-endian
bytes, which is exactly as strict as comparing ``repr(float)`` (repr round-trips) and far cheaper
for 100k rows than formatting every value.
"""

import hashlib
import sys
from array import array
from collections.abc import Sequence

from bench.strategies.base import Aggregate

DIGEST_CHARS = 32  # 128 bits of SHA-256: collisions are not a concern for a consistency check
AVG_DECIMALS = 10  # sums in a different order differ in the last bits; 1e-10 hides that


def fingerprint(ids: Sequence[str], values: Sequence[float]) -> str:
    """Digest of ``ids[i], values[i]`` pairs; the caller passes them sorted by id."""
    if len(ids) != len(values):
        raise ValueError(f"{len(ids)} ids but {len(values)} values")
    doubles = array("d", values)
    if sys.byteorder != "little":  # pragma: no cover - every Lambda architecture is little-endian
        doubles.byteswap()
    digest = hashlib.sha256()
    digest.update(len(ids).to_bytes(8, "little"))
    digest.update("\n".join(ids).encode())
    digest.update(b"\0")
    digest.update(doubles.tobytes())
    return digest.hexdigest()[:DIGEST_CHARS]


def fingerprint_rows(rows: list[tuple[str, float]]) -> str:
    """Digest of ``(id, value)`` rows in any order (sorted here; cheap when already sorted)."""
    rows.sort()
    return fingerprint([row[0] for row in rows], [row[1] for row in rows])


def round_avg(avg: float | None) -> float | None:
    return None if avg is None else round(avg, AVG_DECIMALS)


def fingerprint_aggregate(aggregate: Aggregate) -> str:
    text = f"{aggregate.count}|{aggregate.avg!r}|{aggregate.min!r}|{aggregate.max!r}"
    return hashlib.sha256(text.encode()).hexdigest()[:DIGEST_CHARS]
