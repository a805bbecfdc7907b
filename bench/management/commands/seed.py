"""``manage.py seed --count N [--reset] [--workers K]``: bulk-write random items to DynamoDB."""

import time
from collections.abc import Callable
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from bench import seeding
from bench.dynamo import table


class Command(BaseCommand):
    help = (
        "Write N new random items to the DynamoDB table (batched, parallel writes). Creates the "
        "table on a local endpoint when it is missing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        # Parsed as text and checked in handle(), so a bad value ends in one CommandError
        # sentence (exit 1) rather than argparse's usage error (exit 2).
        parser.add_argument(
            "--count",
            help=f"how many items to write ({seeding.MIN_COUNT}..{seeding.MAX_COUNT:,})",
        )
        parser.add_argument(
            "--workers",
            default=str(seeding.DEFAULT_WORKERS),
            help=(
                f"parallel writers ({seeding.MIN_WORKERS}..{seeding.MAX_WORKERS}, "
                f"default {seeding.DEFAULT_WORKERS})"
            ),
        )
        parser.add_argument(
            "--reset",
            action="store_true",
            help="delete every existing random item first (other items are kept)",
        )

    def handle(self, *args: str, **options: Any) -> None:  # noqa: ANN401 - Django's signature
        try:
            count = seeding.parse_count(options["count"])
            workers = seeding.parse_workers(options["workers"])
        except seeding.SeedArgumentError as exc:
            raise CommandError(str(exc)) from None
        self.verbosity = int(options["verbosity"])
        self.prepare_table()
        if options["reset"]:
            self.reset(workers=workers)
        report = self.seed(count=count, workers=workers)
        if self.verbosity == 0:  # Django's convention: verbosity 0 prints nothing on success
            return
        self.stdout.write(
            self.style.SUCCESS(
                f"Wrote {report.written:,} random items to {table.target().describe()} in "
                f"{report.seconds:.2f} s ({report.items_per_second:,.0f} items/s)."
            )
        )

    def prepare_table(self) -> None:
        """Make sure the table exists (created on a local endpoint, else: deploy)."""
        try:
            table.ensure_table()
        except (table.DynamoUnavailableError, table.TableMissingError) as exc:
            raise CommandError(str(exc)) from None

    def reset(self, *, workers: int) -> seeding.SeedReport:
        try:
            report = seeding.reset(workers=workers)
        except seeding.SeedError as exc:
            raise CommandError(
                f"Reset stopped: {exc} Random items left in the table stay whole; run seed "
                "--reset again."
            ) from None
        if self.verbosity > 0:
            self.stdout.write(f"Deleted {report.written:,} existing random items.")
        return report

    def seed(self, *, count: int, workers: int) -> seeding.SeedReport:
        bar = ProgressBar(self, total=count) if self.show_progress() else None
        try:
            return seeding.seed(
                count=count, workers=workers, on_progress=bar.update if bar else _no_progress
            )
        except seeding.SeedError as exc:
            raise CommandError(f"{exc} Re-run seed to write more.") from None
        finally:
            if bar:
                bar.finish()

    def show_progress(self) -> bool:
        return self.verbosity > 0 and self.stdout.isatty()


def _no_progress(written: int) -> None:
    pass


class ProgressBar:
    """A one-line bar on a terminal, redrawn at most ten times a second."""

    WIDTH = 30
    INTERVAL_SECONDS = 0.1

    def __init__(
        self, command: BaseCommand, *, total: int, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.command = command
        self.total = total
        self.clock = clock
        self.started = clock()
        self.drawn_at = float("-inf")
        self.written = 0

    def update(self, written: int) -> None:
        self.written = written
        now = self.clock()
        if now - self.drawn_at >= self.INTERVAL_SECONDS or written >= self.total:
            self.drawn_at = now
            self.command.stdout.write(self.line(now), ending="")
            self.command.stdout.flush()

    def line(self, now: float) -> str:
        done = min(1.0, self.written / self.total)
        filled = round(done * self.WIDTH)
        elapsed = now - self.started
        rate = self.written / elapsed if elapsed > 0 else 0.0
        return (
            f"\r[{'#' * filled}{'.' * (self.WIDTH - filled)}] {done:4.0%} "
            f"{self.written:,}/{self.total:,} items, {rate:,.0f} items/s"
        )

    def finish(self) -> None:
        self.command.stdout.write("")
