"""Command-line values checked before any work, so a bad one is a CommandError sentence (exit 1).

Numbers are parsed from text here rather than by argparse's ``type=int``, which ends a bad value
in a usage error with exit status 2; SPEC.md asks every command to fail with one sentence that
names the value instead.
"""

import os
import re
from pathlib import Path

from django.core.management.base import CommandError

_WHOLE_NUMBER = re.compile(r"-?[0-9]+")


def parse_int(option: str, raw: object, *, minimum: int, maximum: int, note: str = "") -> int:
    """``raw`` (text from the command line, or an int from ``call_command``) as an int in
    ``minimum..maximum``; CommandError naming ``option`` and the value otherwise.

    ``note`` is appended to the allowed range in the message, e.g. ``"(MB)"``.
    """
    allowed = f"use {minimum}..{maximum}" + (f" {note}" if note else "")
    # Plain ASCII digits only: int() would also take " 5", "1_000" and other scripts' digits.
    if isinstance(raw, bool) or not (
        isinstance(raw, int) or (isinstance(raw, str) and _WHOLE_NUMBER.fullmatch(raw))
    ):
        raise CommandError(f"{option} {raw!r} is not a whole number: {allowed}.")
    try:
        value = int(raw)
    except ValueError:  # more digits than Python converts from text: out of any range here
        raise CommandError(f"{option} has {len(str(raw))} digits: {allowed}.") from None
    if not minimum <= value <= maximum:
        raise CommandError(f"{option} {value} is out of range: {allowed}.")
    return value


def check_output_dir(path: Path) -> Path:
    """``path`` if report files can be written there (it may not exist yet); else CommandError."""
    if path.exists() and not path.is_dir():
        raise CommandError(f"--output-dir {path} is a file, not a directory.")
    existing = path
    while not existing.exists():
        existing = existing.parent
    if not existing.is_dir():
        raise CommandError(f"--output-dir {path} cannot be created: {existing} is a file.")
    if not os.access(existing, os.W_OK | os.X_OK):
        raise CommandError(f"--output-dir {path} is not writable.")
    return path
