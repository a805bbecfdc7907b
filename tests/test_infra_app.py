"""The CDK app entry point, in process and through the pinned CDK CLI, offline."""

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

from infra import app as cdk_app

PROJECT_ROOT = Path(__file__).resolve().parent.parent
INFRA_DIR = PROJECT_ROOT / "infra"
CDK_CLI = PROJECT_ROOT / "node_modules" / ".bin" / "cdk"


def offline_environment(**extra: str) -> dict[str, str]:
    """The caller's environment without any AWS credentials, and nothing that phones home."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "CDK_"))}
    env.update(
        {
            # With no credentials and no instance metadata the CLI does not look up an account.
            "AWS_EC2_METADATA_DISABLED": "true",
            "AWS_CONFIG_FILE": os.devnull,
            "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
            "CDK_DISABLE_VERSION_CHECK": "1",
            "CDK_DISABLE_CLI_TELEMETRY": "true",
            "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION": "20",
            **extra,
        }
    )
    return env


def read_template(outdir: Path, stack_name: str) -> Any:
    return json.loads((outdir / f"{stack_name}.template.json").read_text())


def test_main_synthesizes_the_app_into_the_output_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The CLI hands the app its context and output directory through environment variables the
    # already running jsii process cannot see any more; hand them over as arguments instead.
    build_app = cdk_app.build_app
    context = {"stage": "ci", "aws:cdk:bundling-stacks": []}
    monkeypatch.setattr(
        cdk_app,
        "build_app",
        lambda: build_app(context=context, environ={}, outdir=str(tmp_path)),
    )

    cdk_app.main()

    template = read_template(tmp_path, "aws-lambda-sqlite-ci")
    assert sorted(template["Outputs"]) == [
        "FileSystemId",
        "FunctionName",
        "FunctionUrl",
        "TableName",
    ]


def test_without_an_account_the_stack_is_environment_agnostic(tmp_path: Path) -> None:
    app, stack = cdk_app.build_app(
        context={"aws:cdk:bundling-stacks": []}, environ={}, outdir=str(tmp_path)
    )

    template = app.synth().get_stack_by_name(stack.stack_name).template

    subnets = [r for r in template["Resources"].values() if r["Type"] == "AWS::EC2::Subnet"]
    assert [s["Properties"]["AvailabilityZone"] for s in subnets] == [
        {"Fn::Select": [index, {"Fn::GetAZs": ""}]} for index in (0, 1)
    ]


def test_a_bad_context_value_stops_the_app_before_any_resource(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="Context memory=64 is out of range"):
        cdk_app.build_app(context={"memory": 64}, environ={}, outdir=str(tmp_path))


def test_npx_from_infra_runs_the_pinned_cli() -> None:
    # infra/ has no package.json of its own, so npx resolves `cdk` in the project's node_modules
    # (elsewhere it would fetch an unrelated package called "cdk").
    pinned = json.loads((PROJECT_ROOT / "package-lock.json").read_text())["packages"][
        "node_modules/aws-cdk"
    ]["version"]

    result = subprocess.run(
        ["npx", "--no-install", "cdk", "--version"],
        cwd=INFRA_DIR,
        env=offline_environment(),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert (result.returncode, result.stdout.split()[0]) == (0, pinned)
    assert not (INFRA_DIR / "package.json").exists()


@pytest.mark.slow
def test_pinned_cli_synthesizes_offline_with_a_fake_account_and_bundles_the_asset(
    tmp_path: Path,
) -> None:
    env = offline_environment(CDK_DEFAULT_ACCOUNT="123456789012", CDK_DEFAULT_REGION="us-east-1")

    result = subprocess.run(
        [str(CDK_CLI), "synth", "--no-notices", "--quiet", "--output", str(tmp_path)],
        cwd=INFRA_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )

    assert result.returncode == 0, result.stderr[-3000:]
    template = read_template(tmp_path, "aws-lambda-sqlite-dev")
    subnets = [r for r in template["Resources"].values() if r["Type"] == "AWS::EC2::Subnet"]
    # The availability zones come from cdk.json: no lookup reached AWS.
    assert sorted(s["Properties"]["AvailabilityZone"] for s in subnets) == [
        "us-east-1a",
        "us-east-1b",
    ]
    (asset,) = tmp_path.glob("asset.*")
    assert (asset / "benchsite" / "wsgi.py").is_file()
    assert [p.name for p in asset.iterdir() if p.name in {"tests", "infra", ".venv"}] == []
