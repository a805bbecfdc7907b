"""A container that only serves SQLite reads never loads the DynamoDB machinery.

The Lambda bills the init phase and the benchmark measures cold starts, so boto3, PynamoDB and
the session and report modules are loaded on first use, not at start-up.
"""

import importlib
import json
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bench.dynamo import table
from bench.dynamo.models import RandomItem
from tests.events import make_function_url_event

SCRIPT = """
import json, sys
from benchsite.wsgi import lambda_handler
response = lambda_handler(json.loads(sys.argv[1]), None)
heavy = ("boto3", "pynamodb", "ulid", "matplotlib", "bench.sessions", "bench.snapshot",
         "bench.reports", "bench.seeding", "bench.strategies.ddb")
print(json.dumps({
    "status": response["statusCode"],
    "rows": json.loads(response["body"]).get("rows"),
    "loaded": sorted(name for name in heavy if name in sys.modules),
}))
"""


def test_serving_a_sqlite_read_loads_neither_boto3_nor_pynamodb(tmp_path: Path) -> None:
    from bench.snapshotfile import publish, sqlite_datetime

    efs, tmp = tmp_path / "efs", tmp_path / "tmp"
    tmp.mkdir()
    built = datetime(2026, 1, 2, tzinfo=UTC)
    rows = [
        (f"01JLEAN{i:019d}", i / 10, sqlite_datetime("2026-01-02T00:00:00.000000Z"))
        for i in range(3)
    ]
    publish(rows, directory=efs, version="01JLEANSTART00000000000000", built_at=built)
    env = {
        **os.environ,
        "AWS_LAMBDA_FUNCTION_NAME": "lean-start",
        "BENCH_EFS_DIR": str(efs),
        "BENCH_TMP_DIR": str(tmp),
        "DJANGO_ALLOWED_HOSTS": ".lambda-url.us-east-1.on.aws",
    }
    event = make_function_url_event(path="/sqlite-tmp")

    completed = subprocess.run(
        [sys.executable, "-c", SCRIPT, json.dumps(event)],
        env=env,
        cwd=Path(__file__).resolve().parent.parent,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )

    assert completed.returncode == 0, completed.stderr
    assert json.loads(completed.stdout.strip().splitlines()[-1]) == {
        "status": 200,
        "rows": 3,
        "loaded": [],
    }


def test_configure_before_the_models_load_applies_when_they_do(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    previous = table.target()
    monkeypatch.delitem(sys.modules, "bench.dynamo.models")

    table.configure(table_name="later-table", endpoint_url="http://127.0.0.1:1", region="eu-west-1")
    untouched = RandomItem.Meta.table_name
    fresh = importlib.import_module("bench.dynamo.models")

    assert untouched == previous.table_name
    assert {(m.Meta.table_name, m.Meta.host, m.Meta.region) for m in fresh.ALL_MODELS} == {
        ("later-table", "http://127.0.0.1:1", "eu-west-1")
    }
    table.configure(
        table_name=previous.table_name,
        endpoint_url=previous.endpoint_url,
        region=previous.region,
    )
