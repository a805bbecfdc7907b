"""The CDK app: ``cd infra && npx cdk synth`` (or ``deploy``) runs this file (see cdk.json)."""

import os
import sys
from collections.abc import Mapping
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
# cdk.json runs `python app.py` inside infra/: make the `infra` package importable from there.
sys.path.insert(0, str(PROJECT_ROOT))

from aws_cdk import App, Environment, Validations  # noqa: E402
from cdk_nag import AwsSolutionsChecks  # noqa: E402

from infra.bundling import lambda_code  # noqa: E402
from infra.config import CONTEXT_KEYS, from_context  # noqa: E402
from infra.stack import BenchStack  # noqa: E402


def context_values(app: App) -> dict[str, object]:
    """The stage settings found in the app's context (cdk.json, then ``-c`` on the command line)."""
    values = {key: app.node.try_get_context(key) for key in CONTEXT_KEYS}
    return {key: value for key, value in values.items() if value is not None}


def build_app(
    *,
    context: Mapping[str, object] | None = None,
    environ: Mapping[str, str] = os.environ,
    outdir: str | None = None,
) -> tuple[App, BenchStack]:
    """The app with its one stack, checked by cdk-nag's AWS Solutions rules at synth.

    The stack is bound to the account and region the CDK CLI found (``CDK_DEFAULT_ACCOUNT``,
    ``CDK_DEFAULT_REGION``), else left environment-agnostic.
    """
    app = App(context=dict(context) if context is not None else None, outdir=outdir)
    config = from_context(context_values(app))
    account, region = environ.get("CDK_DEFAULT_ACCOUNT"), environ.get("CDK_DEFAULT_REGION")
    stack = BenchStack(
        app,
        config=config,
        code=lambda_code(project_root=PROJECT_ROOT, architecture=config.architecture),
        env=Environment(account=account, region=region) if account and region else None,
    )
    Validations.of(app).add_plugins(AwsSolutionsChecks(app))
    return app, stack


def main() -> None:
    app, _stack = build_app()
    app.synth()


if __name__ == "__main__":  # pragma: no cover - run by the CDK CLI
    main()
