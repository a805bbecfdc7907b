"""Everything a deployment can vary, read once from the CDK context, and every name derived from it.

``cdk.json`` holds the defaults; ``cdk deploy -c stage=prod -c memory=2048`` overrides them. A bad
value fails the synth with a sentence naming the context key, before any resource is built.
"""

import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from aws_cdk import RemovalPolicy
from aws_cdk.aws_logs import RetentionDays

PROJECT = "aws-lambda-sqlite"
DEFAULT_STAGE = "dev"
DEFAULT_MEMORY_MB = 1024
DEFAULT_ARCHITECTURE = "x86_64"
DEFAULT_LOG_RETENTION_DAYS = 30
CONTEXT_KEYS = ("stage", "memory", "architecture", "removalPolicy", "logRetentionDays")
GSI1_NAME = "GSI1"
EFS_MOUNT_PATH = "/mnt/efs"
EFS_ACCESS_POINT_PATH = "/lambda"
EFS_POSIX_ID = "1001"
LAMBDA_TMP_DIR = "/tmp"
HANDLER = "benchsite.wsgi.lambda_handler"
FUNCTION_TIMEOUT_MINUTES = 15

# Lambda's limits (MB) and the retention periods CloudWatch Logs accepts (days).
MEMORY_RANGE = (128, 10240)
LOG_RETENTION_DAYS = {
    1: RetentionDays.ONE_DAY,
    3: RetentionDays.THREE_DAYS,
    5: RetentionDays.FIVE_DAYS,
    7: RetentionDays.ONE_WEEK,
    14: RetentionDays.TWO_WEEKS,
    30: RetentionDays.ONE_MONTH,
    60: RetentionDays.TWO_MONTHS,
    90: RetentionDays.THREE_MONTHS,
    180: RetentionDays.SIX_MONTHS,
    365: RetentionDays.ONE_YEAR,
    731: RetentionDays.TWO_YEARS,
    1827: RetentionDays.FIVE_YEARS,
    3653: RetentionDays.TEN_YEARS,
}
# Short enough that "<project>-<stage>-api" fits Lambda's 64-character function name.
_STAGE_PATTERN = re.compile(r"[a-z][a-z0-9-]{0,19}")


class ConfigError(ValueError):
    """A context value the stack cannot be built from."""


class Architecture(StrEnum):
    X86_64 = "x86_64"
    ARM64 = "arm64"

    @property
    def pip_platform(self) -> str:
        machine = "aarch64" if self is Architecture.ARM64 else "x86_64"
        return f"manylinux2014_{machine}"


class Removal(StrEnum):
    DESTROY = "destroy"
    RETAIN = "retain"


@dataclass(frozen=True)
class Names:
    """Every physical name, derived from the stage in this one place."""

    stage: str

    @property
    def stack(self) -> str:
        return f"{PROJECT}-{self.stage}"

    @property
    def table(self) -> str:
        return f"{self.stack}-main"

    @property
    def function(self) -> str:
        return f"{self.stack}-api"

    @property
    def function_log_group(self) -> str:
        return f"/aws/lambda/{self.function}"

    @property
    def flow_log_group(self) -> str:
        return f"/{PROJECT}/{self.stage}/vpc-flow-rejects"


@dataclass(frozen=True)
class StageConfig:
    stage: str
    memory_mb: int
    architecture: Architecture
    removal: Removal
    log_retention_days: int

    @property
    def names(self) -> Names:
        return Names(self.stage)

    @property
    def removal_policy(self) -> RemovalPolicy:
        return RemovalPolicy.DESTROY if self.removal is Removal.DESTROY else RemovalPolicy.RETAIN

    @property
    def log_retention(self) -> RetentionDays:
        return LOG_RETENTION_DAYS[self.log_retention_days]


def _choice[E: StrEnum](key: str, raw: object, enum: type[E]) -> E:
    allowed = ", ".join(member.value for member in enum)
    if not isinstance(raw, str):
        raise ConfigError(f"Context {key}={raw!r} is not one of {allowed}.")
    try:
        return enum(raw.strip().lower())
    except ValueError:
        raise ConfigError(f"Context {key}={raw!r} is not one of {allowed}.") from None


def _integer(key: str, raw: object) -> int:
    # `cdk -c memory=2048` passes a string, cdk.json a number; a bool is neither.
    if isinstance(raw, int) and not isinstance(raw, bool):
        return raw
    if isinstance(raw, str) and raw.strip().isdigit():
        return int(raw)
    raise ConfigError(f"Context {key}={raw!r} is not a whole number.")


def from_context(context: Mapping[str, object]) -> StageConfig:
    """The stage configuration from CDK context values (``cdk.json`` merged with ``-c``)."""
    stage = context.get("stage", DEFAULT_STAGE)
    if not isinstance(stage, str) or not _STAGE_PATTERN.fullmatch(stage):
        raise ConfigError(
            f"Context stage={stage!r} is not a valid stage: use 1-20 lowercase letters, digits "
            "or hyphens, starting with a letter."
        )
    memory = _integer("memory", context.get("memory", DEFAULT_MEMORY_MB))
    if not MEMORY_RANGE[0] <= memory <= MEMORY_RANGE[1]:
        raise ConfigError(
            f"Context memory={memory} is out of range: Lambda takes {MEMORY_RANGE[0]}.."
            f"{MEMORY_RANGE[1]} MB."
        )
    architecture = _choice(
        "architecture", context.get("architecture", DEFAULT_ARCHITECTURE), Architecture
    )
    # Data of a throwaway dev stage goes with it; any other stage keeps its data by default.
    default_removal = Removal.DESTROY if stage == DEFAULT_STAGE else Removal.RETAIN
    removal = _choice("removalPolicy", context.get("removalPolicy", default_removal), Removal)
    retention = _integer(
        "logRetentionDays", context.get("logRetentionDays", DEFAULT_LOG_RETENTION_DAYS)
    )
    if retention not in LOG_RETENTION_DAYS:
        raise ConfigError(
            f"Context logRetentionDays={retention} is not a CloudWatch Logs retention period: "
            f"use one of {', '.join(map(str, LOG_RETENTION_DAYS))}."
        )
    return StageConfig(
        stage=stage,
        memory_mb=memory,
        architecture=architecture,
        removal=removal,
        log_retention_days=retention,
    )
