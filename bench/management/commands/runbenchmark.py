"""``python manage.py runbenchmark``: the client-side benchmark, against AWS or ``--local``."""

import random
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from bench.client.http import (
    FunctionUrlClient,
    Reply,
    describe_error,
    item_ids,
    record_from_reply,
)
from bench.client.local import LocalEnvironment, display_path, local_environment
from bench.client.runner import WARMUP_ITERATION, Outcome, Plan, Runner
from bench.client.signing import Signer, SigningError, load_signer
from bench.client.target import (
    FUNCTION_NAME_OUTPUT,
    HostKind,
    TargetError,
    function_configuration,
    function_url_from_stack,
    host_kind,
    normalize_base_url,
)
from bench.dynamo.table import DynamoUnavailableError, TableMissingError
from bench.errors import BenchError
from bench.localdynamo import LocalDynamoError
from bench.management.arguments import check_output_dir, parse_int
from bench.management.commands.runlambda import load_handler
from bench.reports import RunInfo
from bench.reports.analysis import criterion_a, criterion_b, strategy_figures
from bench.reports.files import write_report_files
from bench.results import ResultRecord
from bench.seeding import SeedError
from bench.stats import summarize
from bench.strategies import STRATEGY_NAMES
from bench.strategies.base import MAX_LIMIT, QUERY_SHAPES

DEFAULT_STACK = "aws-lambda-sqlite-dev"
DEFAULT_ITERATIONS = 100
MAX_ITERATIONS = 10_000
DEFAULT_WARMUP = 1
MAX_WARMUP = 100
MAX_CONCURRENCY = 64
DEFAULT_COUNT = 1000
MAX_COUNT = 1_000_000
PROGRESS_WIDTH = 30
POINT_ID_SEED = 0  # the same ids in every run over the same data
LISTING_QUERY = "latest"  # query=point draws its ids from the newest MAX_LIMIT items


@dataclass(frozen=True)
class Options:
    """The validated arguments."""

    local: bool
    url: str | None
    stack: str
    region: str | None
    sign: bool
    count: int
    plan: Plan
    output_dir: Path


@dataclass(frozen=True)
class Target:
    base_url: str
    signer: Signer | None
    where: str
    memory_mb: int | None = None
    architecture: str | None = None
    notes: tuple[str, ...] = field(default=())

    @property
    def kind(self) -> HostKind:
        """What serves the target, from its host: the report says AWS only for a Function URL."""
        return host_kind(self.base_url)


class Progress:
    """A one-line progress bar on a terminal; silent otherwise."""

    def __init__(self, write: Callable[[str], None], *, total: int, enabled: bool) -> None:
        self.write = write
        self.total = total
        self.enabled = enabled
        self.done = 0
        self.failed = 0

    def __call__(self, record: ResultRecord) -> None:
        self.done += 1
        self.failed += 0 if record.ok else 1
        if not self.enabled:
            return
        filled = PROGRESS_WIDTH * self.done // self.total
        bar = "#" * filled + "-" * (PROGRESS_WIDTH - filled)
        self.write(f"\r[{bar}] {self.done}/{self.total} requests, {self.failed} failed")

    def close(self) -> None:
        if self.enabled and self.done:
            self.write("\n")


class Command(BaseCommand):
    help = (
        "Time every read strategy over HTTP against the deployed Function URL (found from the "
        "CloudFormation stack, or --url), or with --local against this machine, and write "
        "docs/benchmarks/YYYYMMDD-HHMMSS-benchmark.csv, .md and .png."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        # Numbers are parsed as text in validate(), so a bad value ends in one CommandError
        # sentence (exit 1) rather than argparse's usage error (exit 2).
        where = parser.add_argument_group("target")
        where.add_argument(
            "--url", help="The Function URL to benchmark (instead of reading it from --stack)."
        )
        where.add_argument(
            "--stack",
            help=f"CloudFormation stack whose FunctionUrl output is the target "
            f"(default {DEFAULT_STACK}).",
        )
        where.add_argument(
            "--region",
            help="AWS region of the stack, and for signing when the URL does not name one "
            "(default: the AWS configuration's).",
        )
        where.add_argument(
            "--no-sign",
            action="store_true",
            help="Send requests unsigned (a Function URL with auth type NONE, or a local URL).",
        )
        where.add_argument(
            "--local",
            action="store_true",
            help="Run the whole experiment on this machine: local DynamoDB, seed, snapshot, the "
            "app through the Lambda handler on a free loopback port.",
        )
        where.add_argument(
            "--count",
            help=f"With --local: seed the table up to this many items, 1..{MAX_COUNT} "
            f"(default {DEFAULT_COUNT}).",
        )
        run = parser.add_argument_group("run")
        run.add_argument(
            "--iterations",
            default=DEFAULT_ITERATIONS,
            help=f"Timed requests per strategy, 1..{MAX_ITERATIONS} "
            f"(default {DEFAULT_ITERATIONS}).",
        )
        run.add_argument(
            "--warmup",
            default=DEFAULT_WARMUP,
            help=f"Untimed requests per strategy first, 0..{MAX_WARMUP} (default "
            f"{DEFAULT_WARMUP}); a container's first (cold-start) answer is still reported.",
        )
        run.add_argument(
            "--concurrency",
            default=1,
            help=f"Parallel workers, each with its own keep-alive connection, "
            f"1..{MAX_CONCURRENCY} (default 1).",
        )
        run.add_argument(
            "--endpoints",
            default=",".join(STRATEGY_NAMES),
            help=f"Comma-separated strategies to time (default all: {','.join(STRATEGY_NAMES)}).",
        )
        run.add_argument(
            "--query",
            default="all",
            help=f"Query shape for every request: {', '.join(QUERY_SHAPES)} (default all).",
        )
        run.add_argument(
            "--output-dir",
            type=Path,
            help="Directory for the report files (default docs/benchmarks in the project).",
        )

    def handle(self, *args: object, **raw: Any) -> None:  # noqa: ANN401 - Django's command signature
        options = self.validate(raw)
        verbose = raw["verbosity"] > 0
        try:
            if options.local:
                outcome, info = self.run_local(options, verbose=verbose)
            else:
                target = self.resolve_target(options)
                outcome = self.measure(target, options.plan, verbose=verbose)
                info = self.run_info(outcome, options, target=target)
        except KeyboardInterrupt:
            raise CommandError(
                "Interrupted before any request was measured: nothing was written."
            ) from None
        self.finish(outcome, info, options)

    # --- validation: every argument, before any work ---

    def validate(self, raw: dict[str, Any]) -> Options:
        iterations = parse_int("--iterations", raw["iterations"], minimum=1, maximum=MAX_ITERATIONS)
        warmup = parse_int("--warmup", raw["warmup"], minimum=0, maximum=MAX_WARMUP)
        concurrency = parse_int(
            "--concurrency", raw["concurrency"], minimum=1, maximum=MAX_CONCURRENCY
        )
        endpoints = parse_endpoints(raw["endpoints"])
        query = raw["query"]
        if query not in QUERY_SHAPES:
            raise CommandError(
                f"--query {query!r} is not a query shape: use {', '.join(QUERY_SHAPES)}."
            )
        local: bool = raw["local"]
        if local and (raw["url"] is not None or raw["stack"] is not None):
            raise CommandError("--local runs against this machine: drop --url and --stack.")
        if raw["url"] is not None and raw["stack"] is not None:
            raise CommandError("Give either --url or --stack, not both.")
        if raw["count"] is not None and not local:
            raise CommandError("--count only applies to --local (it seeds the local table).")
        count = parse_int(
            "--count",
            DEFAULT_COUNT if raw["count"] is None else raw["count"],
            minimum=1,
            maximum=MAX_COUNT,
        )
        url = None
        if raw["url"] is not None:
            try:
                url = normalize_base_url(raw["url"])
            except TargetError as exc:
                raise CommandError(str(exc)) from None
        region = raw["region"]
        if region is not None and not region.strip():
            raise CommandError("--region is empty: give a region such as us-east-1.")
        output_dir = check_output_dir(
            raw["output_dir"] or Path(settings.BASE_DIR) / "docs" / "benchmarks"
        )
        return Options(
            local=local,
            url=url,
            stack=raw["stack"] or DEFAULT_STACK,
            region=region,
            sign=not raw["no_sign"] and not local,
            count=count,
            plan=Plan(
                endpoints=endpoints,
                query=query,
                iterations=iterations,
                warmup=warmup,
                concurrency=concurrency,
            ),
            output_dir=output_dir,
        )

    # --- against AWS (or any URL) ---

    def resolve_target(self, options: Options) -> Target:
        """The base URL, its signer and what the report says about it."""
        memory = architecture = None
        notes: list[str] = []
        try:
            if options.url is not None:
                base_url = options.url
                where = base_url
            else:
                base_url, outputs = function_url_from_stack(options.stack, region=options.region)
                where = f"{base_url} (stack {options.stack})"
                name = outputs.get(FUNCTION_NAME_OUTPUT)
                if name:
                    memory, architecture = function_configuration(name, region=options.region)
            signer = load_signer(base_url, region=options.region) if options.sign else None
        except (TargetError, SigningError) as exc:
            raise CommandError(str(exc)) from None
        if signer is not None:
            notes.append(
                f"Requests were signed with SigV4 (service lambda, region {signer.region})."
            )
        else:
            notes.append("Requests were sent unsigned (--no-sign).")
        kind = host_kind(base_url)
        if kind == "this-machine":
            notes.append(f"{base_url} is served by this machine (loopback), not by AWS Lambda.")
        elif kind == "other":
            notes.append(
                f"{base_url} is not a Lambda Function URL (<id>.lambda-url.<region>.on.aws): "
                "these are the numbers of whatever serves it."
            )
        return Target(base_url, signer, where, memory, architecture, tuple(notes))

    def measure(self, target: Target, plan: Plan, *, verbose: bool) -> Outcome:
        """The preflight read, then the run; the preflight's answer when it was a cold start."""
        plan, cold = self.preflight(target, plan)
        outcome = self.run_plan(target, plan, verbose=verbose)
        outcome.records[:0] = cold
        return outcome

    def preflight(self, target: Target, plan: Plan) -> tuple[Plan, list[ResultRecord]]:
        """One untimed read of the first strategy before the run; returns the plan to run and
        the read's record when it was the container's cold start (iteration -1), else nothing.

        Unreachable, refused or not the app -> CommandError. A read, not ``/status``: whatever
        the function serves first takes its cold start, and only a read reports it. For
        query=point the read lists the newest items, and each round reads one of their ids.
        """
        source = plan.endpoints[0]
        point = plan.query == "point"
        query = LISTING_QUERY if point else plan.query
        params = {"query": query, "limit": str(MAX_LIMIT)} if point else {"query": query}
        client = FunctionUrlClient(target.base_url, signer=target.signer)
        measured_at = datetime.now(UTC)
        try:
            reply = client.request("GET", source, params=params)
        finally:
            client.close()
        self.check_reply(target, target.base_url + source, reply)
        if point:
            try:
                ids = item_ids(reply)
            except ValueError as exc:
                raise CommandError(
                    f"query=point reads existing ids, but listing them from {source} failed: {exc}"
                ) from None
            rng = random.Random(POINT_ID_SEED)
            plan = replace(plan, point_ids=tuple(rng.choice(ids) for _ in range(plan.iterations)))
        first = record_from_reply(
            reply, endpoint=source, query=query, iteration=WARMUP_ITERATION, measured_at=measured_at
        )
        return plan, [first] if first.cold_start else []

    @staticmethod
    def check_reply(target: Target, url: str, reply: Reply) -> None:
        """CommandError when the preflight got no answer, was refused, or hit something else."""
        if reply.error is not None:
            raise CommandError(f"Cannot reach {url}: {reply.error}")
        if reply.status in (401, 403):
            advice = (
                "check the AWS credentials and the region the request is signed for "
                f"({target.signer.region})"
                if target.signer is not None
                else "the Function URL needs IAM auth: run without --no-sign"
            )
            raise CommandError(
                f"{url} refused the request ({describe_error(reply.status, reply.body)}): {advice}."
            )
        if reply.status == 404:
            raise CommandError(
                f"{url} answered 404: is {target.base_url} the lambda-sqlite-bench Function URL?"
            )

    def run_plan(self, target: Target, plan: Plan, *, verbose: bool) -> Outcome:
        progress = Progress(
            lambda text: self.stdout.write(text, ending=""),
            total=plan.planned,
            enabled=verbose and self.stdout.isatty(),
        )

        def make_reader() -> FunctionUrlClient:
            return FunctionUrlClient(target.base_url, signer=target.signer)

        if verbose:
            self.stdout.write(
                f"Timing {', '.join(plan.endpoints)} against {target.base_url}: "
                f"{plan.iterations} x {len(plan.endpoints)} requests (query={plan.query}, "
                f"warm-up {plan.warmup}, concurrency {plan.concurrency})."
            )
        try:
            return Runner(plan, make_reader, on_record=progress).run()
        finally:
            progress.close()

    # --- on this machine ---

    def run_local(self, options: Options, *, verbose: bool) -> tuple[Outcome, RunInfo]:
        say = self.stdout.write if verbose else (lambda line: None)
        progress = verbose and self.stdout.isatty()
        try:
            with local_environment(
                count=options.count,
                handler=load_handler(),
                say=say,
                seed=lambda count: self.seed(count, progress=progress),
            ) as env:
                target = Target(env.url, None, env.where(), notes=env.notes())
                outcome = self.measure(target, options.plan, verbose=verbose)
                info = self.run_info(outcome, options, target=target, local=env)
        except (
            LocalDynamoError,
            DynamoUnavailableError,
            TableMissingError,
            BenchError,
            SeedError,
        ) as exc:
            raise CommandError(f"The local run could not start: {describe(exc)}") from None
        return outcome, info

    def seed(self, count: int, *, progress: bool = False) -> int:
        """Write ``count`` random items; with ``progress``, the seed command's bar."""
        from bench.management.commands.seed import ProgressBar
        from bench.seeding import seed

        if not progress:
            return seed(count=count).written
        bar = ProgressBar(self, total=count)
        try:
            return seed(count=count, on_progress=bar.update).written
        finally:
            bar.finish()

    # --- the report ---

    def run_info(
        self,
        outcome: Outcome,
        options: Options,
        *,
        target: Target,
        local: LocalEnvironment | None = None,
    ) -> RunInfo:
        plan = options.plan
        notes = list(target.notes)
        notes.append(
            f"Warm-up: one untimed read of `{plan.endpoints[0]}` checked the target, then "
            f"{plan.warmup} untimed request(s) per strategy came before the timed ones; a "
            "container's first (cold-start) answer is kept and shown apart, with iteration "
            f"{WARMUP_ITERATION} in the CSV."
        )
        if plan.query == "point":
            notes.append(
                f"query=point: in each round every strategy read the same id, drawn from the "
                f"newest {MAX_LIMIT} items."
            )
            if any(r.cold_start and r.query == LISTING_QUERY for r in outcome.records):
                notes.append(
                    "The container's first answer was the listing of those ids (query="
                    f"{LISTING_QUERY}, limit {MAX_LIMIT}): it is the cold start shown, with query "
                    f"{LISTING_QUERY} in the CSV."
                )
        if outcome.interrupted:
            notes.append(
                f"Interrupted: {len(outcome.timed)} of {outcome.planned} timed requests were "
                "measured."
            )
        return RunInfo(
            started_at=outcome.started_at,
            source="client",
            where=target.where,
            local=local is not None or target.kind == "this-machine",
            elsewhere=target.kind == "other",
            data_count=data_count(outcome.records, query=plan.query, local=local),
            iterations=plan.iterations,
            concurrency=plan.concurrency,
            query=plan.query,
            lambda_memory_mb=target.memory_mb,
            lambda_architecture=target.architecture,
            interrupted=outcome.interrupted,
            notes=tuple(notes),
        )

    def finish(self, outcome: Outcome, info: RunInfo, options: Options) -> None:
        """Write the files, print their paths and the verdict; CommandError when nothing worked."""
        ok = [record for record in outcome.records if record.ok]
        if not ok:
            raise CommandError(why_nothing_worked(outcome))
        stem = f"{outcome.started_at:%Y%m%d-%H%M%S}-benchmark"
        paths = write_report_files(options.output_dir, stem, info, outcome.records)
        for path in paths.values():
            self.stdout.write(f"Wrote {display_path(path)}")
        overhead = overhead_p50(outcome.records)
        if overhead is not None:
            self.stdout.write(
                "Overhead outside the strategy (client time - server total), p50: "
                f"{overhead:.2f} ms"
            )
        failed = len(outcome.records) - len(ok)
        summary = (
            f"{verdict_line(outcome.records)} ({len(outcome.timed)} timed requests, "
            f"{failed} failed)"
        )
        if outcome.interrupted:
            self.stdout.write(self.style.WARNING(summary))
            raise CommandError(
                f"Interrupted after {len(outcome.timed)} of {outcome.planned} timed requests: "
                "the report above is partial."
            )
        self.stdout.write(self.style.SUCCESS(summary))


def parse_endpoints(raw: str) -> tuple[str, ...]:
    names = [part.strip() for part in raw.split(",") if part.strip()]
    if not names:
        raise CommandError(f"--endpoints is empty: use one or more of {', '.join(STRATEGY_NAMES)}.")
    for name in names:
        if name not in STRATEGY_NAMES:
            raise CommandError(
                f"Unknown endpoint {name!r} in --endpoints: use one or more of "
                f"{', '.join(STRATEGY_NAMES)}."
            )
    duplicates = sorted({name for name in names if names.count(name) > 1})
    if duplicates:
        raise CommandError(f"--endpoints names {', '.join(duplicates)} more than once.")
    return tuple(names)


def data_count(
    records: Sequence[ResultRecord], *, query: str, local: LocalEnvironment | None
) -> int | None:
    """Rows in the snapshot: known locally; for query=all, what the strategies answered."""
    if local is not None:
        return local.build.snapshot.rows
    if query != "all":
        return None
    counts = Counter(record.rows for record in records if record.ok and record.rows is not None)
    return counts.most_common(1)[0][0] if counts else None


def overhead_p50(records: Sequence[ResultRecord]) -> float | None:
    values = [
        record.client_ms - record.server_total_ms
        for record in records
        if record.ok
        and not record.cold_start
        and record.client_ms is not None
        and record.server_total_ms is not None
    ]
    return summarize(values).p50


def verdict_line(records: Sequence[ResultRecord]) -> str:
    """``Verdict: ...`` from the success criteria of the report (bench.reports.analysis)."""
    figures = strategy_figures(records)
    verdicts = [criterion_a(figures), criterion_b(figures)]
    parts = []
    for verdict in verdicts:
        state = {True: "met", False: "not met", None: "not evaluated"}[verdict.met]
        parts.append(f"{verdict.name} {state} ({verdict.evidence})")
    decided = [verdict for verdict in verdicts if verdict.met is not None]
    if not decided:
        conclusion = "not evaluated"
    elif any(verdict.met for verdict in decided):
        conclusion = "success"
    else:
        conclusion = "neither criterion met"
    return f"Verdict: {conclusion}: {'; '.join(parts)}"


def why_nothing_worked(outcome: Outcome) -> str:
    failures = [record for record in outcome.records if not record.ok] or outcome.warmup_failed
    if not failures:
        return "Interrupted before any request was measured: nothing was written."
    reasons = Counter(record.error or f"HTTP {record.status}" for record in failures)
    reason, times = reasons.most_common(1)[0]
    return (
        f"Every request failed, so no report was written. Most common failure ({times} of "
        f"{len(failures)}): {reason}"
    )


def describe(exc: BaseException) -> str:
    return getattr(exc, "detail", None) or str(exc)
