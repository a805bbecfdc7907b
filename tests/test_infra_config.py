"""The stage configuration read from CDK context, and the names derived from it."""

import pytest
from aws_cdk import RemovalPolicy
from aws_cdk.aws_logs import RetentionDays

from infra.config import Architecture, ConfigError, Names, Removal, StageConfig, from_context


def make_config(**overrides: object) -> StageConfig:
    return from_context(overrides)


def test_empty_context_gives_the_documented_defaults() -> None:
    config = make_config()

    assert config == StageConfig(
        stage="dev",
        memory_mb=1024,
        architecture=Architecture.X86_64,
        removal=Removal.DESTROY,
        log_retention_days=30,
    )
    assert (config.removal_policy, config.log_retention) == (
        RemovalPolicy.DESTROY,
        RetentionDays.ONE_MONTH,
    )


def test_command_line_strings_are_accepted_like_cdk_json_numbers() -> None:
    config = make_config(
        stage="perf",
        memory="2048",
        architecture="ARM64",
        removalPolicy="Destroy",
        logRetentionDays="7",
    )

    assert config == StageConfig(
        stage="perf",
        memory_mb=2048,
        architecture=Architecture.ARM64,
        removal=Removal.DESTROY,
        log_retention_days=7,
    )


def test_a_stage_other_than_dev_keeps_its_data_by_default() -> None:
    config = make_config(stage="prod")

    assert (config.removal, config.removal_policy) == (Removal.RETAIN, RemovalPolicy.RETAIN)


def test_every_name_is_derived_from_the_stage() -> None:
    names = Names("perf")

    assert (
        names.stack,
        names.table,
        names.function,
        names.function_log_group,
        names.flow_log_group,
    ) == (
        "aws-lambda-sqlite-perf",
        "aws-lambda-sqlite-perf-main",
        "aws-lambda-sqlite-perf-api",
        "/aws/lambda/aws-lambda-sqlite-perf-api",
        "/aws-lambda-sqlite/perf/vpc-flow-rejects",
    )


def test_the_longest_stage_still_fits_lambdas_function_name_limit() -> None:
    config = make_config(stage="s" + "x" * 19)

    assert len(config.names.function) <= 64


def test_pip_platform_follows_the_architecture() -> None:
    assert (Architecture.X86_64.pip_platform, Architecture.ARM64.pip_platform) == (
        "manylinux2014_x86_64",
        "manylinux2014_aarch64",
    )


@pytest.mark.parametrize(
    ("context", "message"),
    [
        ({"stage": "Prod"}, "Context stage='Prod' is not a valid stage"),
        ({"stage": "1st"}, "Context stage='1st' is not a valid stage"),
        ({"stage": "s" * 21}, "is not a valid stage: use 1-20 lowercase letters"),
        ({"stage": 3}, "Context stage=3 is not a valid stage"),
        ({"memory": "lots"}, "Context memory='lots' is not a whole number."),
        ({"memory": True}, "Context memory=True is not a whole number."),
        ({"memory": 64}, "Context memory=64 is out of range: Lambda takes 128..10240 MB."),
        ({"memory": 10241}, "Context memory=10241 is out of range"),
        ({"architecture": "sparc"}, "Context architecture='sparc' is not one of x86_64, arm64."),
        ({"architecture": 64}, "Context architecture=64 is not one of x86_64, arm64."),
        ({"removalPolicy": "snapshot"}, "Context removalPolicy='snapshot' is not one of destroy"),
        ({"logRetentionDays": 2}, "Context logRetentionDays=2 is not a CloudWatch Logs retention"),
    ],
)
def test_a_bad_context_value_names_the_key_and_the_value(
    context: dict[str, object], message: str
) -> None:
    with pytest.raises(ConfigError) as raised:
        from_context(context)

    assert message in str(raised.value)
