"""What the report says about the run itself (its environment section)."""

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

Source = Literal["function", "client"]


@dataclass(frozen=True)
class RunInfo:
    started_at: datetime  # UTC
    source: Source  # "function": an in-function session; "client": runbenchmark over HTTP
    where: str  # the Function URL, the AWS region, "local", or the URL of another host
    local: bool  # measured on this machine: a local directory stood in for EFS
    data_count: int | None
    iterations: int
    concurrency: int
    query: str
    lambda_memory_mb: int | None = None
    lambda_architecture: str | None = None
    interrupted: bool = False  # stopped early (Ctrl-C, time limit): partial numbers
    notes: tuple[str, ...] = ()
    # Client runs against a URL that is neither a Lambda Function URL nor on this machine: the
    # report names the URL and claims neither AWS nor local.
    elsewhere: bool = False
