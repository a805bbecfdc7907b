"""The proof that the Lambda zip works: the real asset, bundled for x86_64, serving requests.

The asset is bundled exactly as ``cdk deploy`` bundles it. A fresh Python 3.12 interpreter with
no site-packages and only the asset on ``sys.path`` (as Lambda's /var/task) imports
``benchsite.wsgi.lambda_handler`` with the environment the stack gives the function, except that
DynamoDB is the local dynalite and "EFS" a temporary directory, and serves Function URL events:
the first run of docs/deploy.md (``/status``, ``POST /insert``, a read, ``/status`` again).
"""

import json
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pytest

from infra.app import build_app
from tests.events import make_function_url_event

INFRA_DIR = Path(__file__).resolve().parent.parent / "infra"
REGION = "us-east-1"
MAX_ASSET_MB = 150  # Lambda takes 250 MB unzipped; keep room for the code to grow

# Runs inside the fresh interpreter: argv = asset dir, events file, responses file.
SERVE = """
import json, sys, sysconfig
asset = sys.argv[1]
sys.path.insert(0, asset)
from benchsite.wsgi import lambda_handler
with open(sys.argv[2]) as f:
    events = json.load(f)
responses = [lambda_handler(event, None) for event in events]
stdlib = (sysconfig.get_path("stdlib"), sysconfig.get_path("platstdlib"))
outside = sorted(
    name for name, module in list(sys.modules.items())
    if getattr(module, "__file__", None)
    and not module.__file__.startswith((asset, *stdlib))
)
with open(sys.argv[3], "w") as f:
    json.dump({"python": list(sys.version_info[:2]), "site": "site" in sys.modules,
               "outside": outside, "responses": responses}, f)
"""


@dataclass(frozen=True)
class Bundle:
    asset: Path
    environment: dict[str, str]


def resolve(value: Any, resources: dict[str, Any]) -> str:  # noqa: ANN401 - template JSON
    """A function environment value of the template, as CloudFormation would resolve it."""
    if isinstance(value, str):
        return value
    (table_id,) = value.values()  # only the table name is a reference
    table_name: str = resources[table_id]["Properties"]["TableName"]
    return table_name


@pytest.fixture(scope="module")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> Bundle:
    context = json.loads((INFRA_DIR / "cdk.json").read_text())["context"]
    outdir = tmp_path_factory.mktemp("cdk-bundled")
    app, stack = build_app(
        context={**context, "architecture": "x86_64"},
        environ={"CDK_DEFAULT_ACCOUNT": "123456789012", "CDK_DEFAULT_REGION": REGION},
        outdir=str(outdir),
    )
    template = app.synth().get_stack_by_name(stack.stack_name).template
    (function,) = [
        r for r in template["Resources"].values() if r["Type"] == "AWS::Lambda::Function"
    ]
    variables = function["Properties"]["Environment"]["Variables"]
    (asset,) = outdir.glob("asset.*")
    return Bundle(
        asset=asset,
        environment={
            name: resolve(value, template["Resources"]) for name, value in variables.items()
        },
    )


@pytest.fixture
def stack_table(dynalite_endpoint: str, bundle: Bundle) -> Iterator[str]:
    """The stack's table (its name, keys and index) on the local DynamoDB, empty."""
    client = boto3.client("dynamodb", endpoint_url=dynalite_endpoint, region_name=REGION)
    name = bundle.environment["BENCH_TABLE_NAME"]
    if name in client.list_tables()["TableNames"]:
        client.delete_table(TableName=name)
    client.create_table(
        TableName=name,
        AttributeDefinitions=[
            {"AttributeName": a, "AttributeType": "S"} for a in ("PK", "SK", "GSI1PK", "GSI1SK")
        ],
        KeySchema=[
            {"AttributeName": "PK", "KeyType": "HASH"},
            {"AttributeName": "SK", "KeyType": "RANGE"},
        ],
        GlobalSecondaryIndexes=[
            {
                "IndexName": "GSI1",
                "KeySchema": [
                    {"AttributeName": "GSI1PK", "KeyType": "HASH"},
                    {"AttributeName": "GSI1SK", "KeyType": "RANGE"},
                ],
                "Projection": {"ProjectionType": "ALL"},
            }
        ],
        BillingMode="PAY_PER_REQUEST",
    )
    client.get_waiter("table_exists").wait(TableName=name)
    yield name
    client.delete_table(TableName=name)


def serve(
    bundle: Bundle, events: list[dict[str, Any]], *, environment: dict[str, str], work: Path
) -> dict[str, Any]:
    (work / "events.json").write_text(json.dumps(events))
    result = subprocess.run(
        [sys.executable, "-I", "-S", "-c", SERVE, str(bundle.asset), "events.json", "out.json"],
        cwd=work,
        env=environment,
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-4000:]
    served: dict[str, Any] = json.loads((work / "out.json").read_text())
    return served


def body(response: dict[str, Any]) -> Any:  # noqa: ANN401 - JSON
    return json.loads(response["body"])


def asset_megabytes(asset: Path) -> float:
    return sum(p.stat().st_size for p in asset.rglob("*") if p.is_file()) / 1_000_000


@pytest.mark.slow
def test_asset_holds_the_code_and_runtime_dependencies_only(bundle: Bundle) -> None:
    top = sorted(p.name for p in bundle.asset.iterdir())

    assert {"bench", "benchsite", "manage.py", "django", "ninja", "apig_wsgi", "pynamodb"} <= set(
        top
    )
    assert [name for name in top if name in {"tests", "infra", "bin", "pytest", "moto"}] == []
    assert list(bundle.asset.rglob("*.po")) == []
    assert asset_megabytes(bundle.asset) < MAX_ASSET_MB


@pytest.mark.slow
@pytest.mark.integration
def test_the_bundled_handler_serves_the_first_run_in_a_bare_python_312(
    bundle: Bundle, stack_table: str, dynalite_endpoint: str, tmp_path: Path
) -> None:
    efs, tmp = tmp_path / "efs", tmp_path / "tmp"
    efs.mkdir()
    tmp.mkdir()
    environment = {
        **bundle.environment,
        # What Lambda itself sets, with dummy credentials the local DynamoDB accepts.
        "AWS_LAMBDA_FUNCTION_NAME": "aws-lambda-sqlite-dev-api",
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "1024",
        "AWS_REGION": REGION,
        "AWS_DEFAULT_REGION": REGION,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "LAMBDA_TASK_ROOT": str(bundle.asset),
        # The two stand-ins: the local DynamoDB, and directories for EFS and /tmp.
        "DYNAMODB_ENDPOINT_URL": dynalite_endpoint,
        "BENCH_EFS_DIR": str(efs),
        "BENCH_TMP_DIR": str(tmp),
    }
    events = [
        make_function_url_event(path="/openapi.json"),
        make_function_url_event(path="/status"),
        make_function_url_event(method="POST", path="/insert", body={"count": 5}),
        make_function_url_event(path="/sqlite-efs", query="query=all"),
        make_function_url_event(path="/status"),
    ]

    served = serve(bundle, events, environment=environment, work=tmp_path)

    openapi, empty, insert, read, status = served["responses"]
    assert (served["python"], served["site"], served["outside"]) == ([3, 12], False, [])
    assert [r["statusCode"] for r in served["responses"]] == [200] * 5, [
        r["body"][:500] for r in served["responses"] if r["statusCode"] != 200
    ]
    assert "/status" in body(openapi)["paths"]
    assert body(empty) == {
        "table": stack_table,
        "ddb_items": 0,
        "snapshot": None,
        "efs_file": {"path": str(efs / "data.db"), "exists": False, "bytes": None},
        "tmp_file": {"path": str(tmp / "data.db"), "exists": False, "bytes": None},
        "tmp_cached_file": {"path": str(tmp / "data-cached.db"), "exists": False, "bytes": None},
    }
    assert body(insert)["inserted"] == 5
    snapshot = body(status)["snapshot"]
    assert (body(status)["ddb_items"], snapshot["rows"], body(status)["efs_file"]["exists"]) == (
        5,
        5,
        True,
    )
    assert (body(read)["endpoint"], body(read)["rows"], body(read)["fingerprint"]) == (
        "sqlite-efs",
        5,
        snapshot["fingerprint"],
    )
