"""``manage.py exportreport --format md|csv``: the report or raw results of a stored session."""

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from bench import sessions
from bench.dynamo import table
from bench.dynamo.models import BenchmarkSessionItem
from bench.errors import BenchError
from bench.management.arguments import check_output_dir
from bench.reports import csv_text, render_markdown
from bench.reports.costs import PriceTable, PriceTableError, load_price_table
from bench.reports.files import atomic_write, write_report_files
from bench.results import ResultRecord

FORMATS = ("md", "csv")
STDOUT = "-"


@dataclass(frozen=True)
class ExportPlan:
    format: str
    session_id: str | None  # None: the latest session
    output: Path | None  # None: a new file under output_dir; STDOUT is Path("-")
    output_dir: Path
    force: bool
    prices: PriceTable | None

    @property
    def to_stdout(self) -> bool:
        return self.output == Path(STDOUT)


class Command(BaseCommand):
    help = (
        "Write the Markdown report (with its chart) or the CSV of a stored benchmark session "
        "(the latest by default). Existing files are never overwritten unless --force."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        # Checked in handle(), so a bad value ends in one CommandError sentence (exit 1) rather
        # than argparse's usage error (exit 2).
        parser.add_argument("--format", required=True, help="md (report + PNG chart) or csv")
        parser.add_argument("--session", help="session id (a ULID); default the latest session")
        parser.add_argument(
            "--output",
            help="file to write, or - for stdout; default "
            "<output-dir>/YYYYMMDD-HHMMSS-session.<format> from the session's time",
        )
        parser.add_argument(
            "--output-dir",
            default="docs/benchmarks",
            help="directory for the default file name (default docs/benchmarks)",
        )
        parser.add_argument(
            "--force", action="store_true", help="overwrite --output (and its chart) if it exists"
        )
        parser.add_argument(
            "--prices", help="JSON file overriding the cost estimate's price table fields"
        )

    def handle(self, *args: str, **options: Any) -> None:  # noqa: ANN401 - Django's signature
        plan = self.validate(options)
        session, records = self.load(plan)
        written = self.write(plan, session, records)
        summary = (
            f"Exported session {session.session_id} ({len(records)} results, "
            f"{plan.format}) to {', '.join(written)}."
        )
        # On stdout the export itself is the output: the summary goes to stderr.
        out = self.stderr if plan.to_stdout else self.stdout
        out.write(self.style.SUCCESS(summary))

    def validate(self, options: dict[str, Any]) -> ExportPlan:
        fmt = str(options["format"]).lower()
        if fmt not in FORMATS:
            raise CommandError(f"--format {options['format']!r} is not supported: use md or csv.")
        session_id = None
        if options.get("session") is not None:
            try:
                session_id = sessions.parse_session_id(options["session"], parameter="--session")
            except BenchError as exc:
                raise CommandError(exc.detail) from None
        output = Path(options["output"]) if options.get("output") else None
        if fmt == "md" and output is not None and output.suffix.lower() == ".png":
            # The chart is written beside the report as <output>.png: it would be the report.
            raise CommandError(
                f"--output {output} ends in .png, the name of the report's chart: give the "
                "Markdown file a name such as report.md."
            )
        if output is not None and output != Path(STDOUT):
            if output.is_dir():
                raise CommandError(f"--output {output} is a directory: give a file name.")
            if not output.parent.is_dir():
                raise CommandError(
                    f"--output {output}: the directory {output.parent} does not exist."
                )
            if not options["force"]:
                for path in self.explicit_paths(fmt, output):
                    if path.exists():
                        raise CommandError(
                            f"{path} exists already: pass --force to overwrite it, or choose "
                            "another --output."
                        )
        output_dir = Path(options["output_dir"])
        if not output_dir.is_absolute():
            output_dir = Path(settings.BASE_DIR) / output_dir
        if output is None:  # the default file name goes there
            check_output_dir(output_dir)
        prices = None
        if options.get("prices"):
            try:
                prices = load_price_table(Path(options["prices"]))
            except PriceTableError as exc:
                raise CommandError(f"--prices: {exc}") from None
        return ExportPlan(
            format=fmt,
            session_id=session_id,
            output=output,
            output_dir=output_dir,
            force=bool(options["force"]),
            prices=prices,
        )

    @staticmethod
    def explicit_paths(fmt: str, output: Path) -> list[Path]:
        return [output, output.with_suffix(".png")] if fmt == "md" else [output]

    def load(self, plan: ExportPlan) -> tuple[BenchmarkSessionItem, list[ResultRecord]]:
        try:
            if plan.session_id is not None:
                session = sessions.get_session(plan.session_id)
            else:
                latest = sessions.latest_session()
                if latest is None:
                    raise CommandError(
                        f"No benchmark sessions are stored in {table.target().describe()} yet: "
                        "run one with GET /benchmark first."
                    )
                session = latest
            return session, sessions.session_records(session.session_id)
        except BenchError as exc:
            raise CommandError(exc.detail) from None

    def write(
        self, plan: ExportPlan, session: BenchmarkSessionItem, records: list[ResultRecord]
    ) -> list[str]:
        info = sessions.run_info(session)
        if plan.to_stdout:
            text = (
                render_markdown(info, records, prices=plan.prices)
                if plan.format == "md"
                else csv_text(records)
            )
            self.stdout.write(text, ending="")
            return ["stdout"]
        if plan.output is None:
            stem = f"{session.executed_at:%Y%m%d-%H%M%S}-session"
            formats = ("md", "png") if plan.format == "md" else ("csv",)
            paths = write_report_files(
                plan.output_dir,
                stem,
                info,
                records,
                formats=formats,
                force=plan.force,
                prices=plan.prices,
                title=f"Session {session.session_id}",
            )
            return [str(path) for path in paths.values()]
        if plan.format == "csv":
            self.put(plan.output, csv_text(records), force=plan.force)
            return [str(plan.output)]
        from bench.reports.chart import png_bytes

        chart = plan.output.with_suffix(".png")
        self.put(chart, png_bytes(records, title=f"Session {session.session_id}"), force=plan.force)
        markdown = render_markdown(info, records, chart_file=chart.name, prices=plan.prices)
        self.put(plan.output, markdown, force=plan.force)
        return [str(plan.output), str(chart)]

    @staticmethod
    def put(path: Path, data: str | bytes, *, force: bool) -> None:
        try:
            atomic_write(path, data, overwrite=force)
        except FileExistsError:
            raise CommandError(
                f"{path} appeared while exporting: pass --force to overwrite it, or choose "
                "another --output."
            ) from None
