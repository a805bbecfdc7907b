"""benchsite/settings.py under the environment the stack gives the deployed function."""

import json
import subprocess
import sys
from pathlib import Path

from infra.stack import function_environment

PROJECT_ROOT = Path(__file__).resolve().parent.parent
READ_SETTINGS = """
import json
from benchsite import settings
print(json.dumps({
    "secret_key": settings.SECRET_KEY,
    "debug": settings.DEBUG,
    "allowed_hosts": settings.ALLOWED_HOSTS,
    "table": settings.BENCH_TABLE_NAME,
    "endpoint": settings.DYNAMODB_ENDPOINT_URL,
    "efs": str(settings.BENCH_EFS_DIR),
    "tmp": str(settings.BENCH_TMP_DIR),
}))
"""


def settings_on_lambda() -> dict[str, object]:
    environment = {
        **function_environment(table_name="aws-lambda-sqlite-dev-main", region="eu-west-1"),
        "AWS_LAMBDA_FUNCTION_NAME": "aws-lambda-sqlite-dev-api",
    }
    result = subprocess.run(
        [sys.executable, "-c", READ_SETTINGS],
        cwd=PROJECT_ROOT,
        env=environment,
        capture_output=True,
        text=True,
        check=True,
    )
    settings: dict[str, object] = json.loads(result.stdout)
    return settings


def test_the_stack_environment_gives_production_settings() -> None:
    settings = settings_on_lambda()

    del settings["secret_key"]
    assert settings == {
        "debug": False,
        "allowed_hosts": [".lambda-url.eu-west-1.on.aws"],
        "table": "aws-lambda-sqlite-dev-main",
        "endpoint": None,
        "efs": "/mnt/efs",
        "tmp": "/tmp",
    }


def test_each_lambda_container_draws_its_own_secret_key() -> None:
    first, second = settings_on_lambda(), settings_on_lambda()

    keys = {first["secret_key"], second["secret_key"]}

    assert len(keys) == 2
    assert all(isinstance(key, str) and len(key) >= 50 for key in keys)
    assert "local-only-insecure-key-the-api-signs-nothing" not in keys
