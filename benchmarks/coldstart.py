"""Issue 7 case 6: cold start of the real app vs a minimal Django + django-ninja + apig-wsgi app.

Each sample is a fresh interpreter (what a new Lambda container runs in its init phase plus its
first invoke): import the handler module, serve one Function URL event, exit. Ours serves its
first ``GET /sqlite-tmp`` (a copy and a query of a small snapshot); the baseline is a one-route
app built the same way. Both pay the same interpreter start, so the ratio is the app's own cost.

Run alone: ``python -m benchmarks.coldstart``.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from benchmarks.common import PerfResult

ROOT = Path(__file__).resolve().parent.parent
TARGET = 1.3
SNAPSHOT_ROWS = 1000

EVENT_SCRIPT = """
import json, sys, time
start = time.perf_counter()
{import_line}
event = json.loads(sys.argv[1])
class Context:
    aws_request_id = "cold-start-bench"
    function_name = "bench"
    memory_limit_in_mb = 1024
    def get_remaining_time_in_millis(self):
        return 900_000
response = handler(event, Context())
assert response["statusCode"] == 200, response
print(json.dumps({{"ms": (time.perf_counter() - start) * 1000}}))
"""

OURS_IMPORT = "from benchsite.wsgi import lambda_handler as handler"

BASELINE_IMPORT = """
from django.conf import settings
settings.configure(
    DEBUG=False, SECRET_KEY="x" * 50, ROOT_URLCONF="__main__", ALLOWED_HOSTS=["*"],
    INSTALLED_APPS=[], MIDDLEWARE=["django.middleware.common.CommonMiddleware"],
    DATABASES={}, USE_TZ=True,
)
import django
django.setup()
from django.urls import path
from ninja import NinjaAPI
api = NinjaAPI()
@api.get("/sqlite-tmp")
def read(request):
    return {"rows": 0}
urlpatterns = [path("", api.urls)]
from django.core.wsgi import get_wsgi_application
from apig_wsgi import make_lambda_handler
handler = make_lambda_handler(get_wsgi_application())
"""


def function_url_event(path: str) -> dict[str, object]:
    now = datetime.now(UTC)
    host = "abcdefghijklmnopqrstuvwxyz012345.lambda-url.us-east-1.on.aws"
    return {
        "version": "2.0",
        "routeKey": "$default",
        "rawPath": path,
        "rawQueryString": "query=latest&limit=10",
        "headers": {"host": host, "x-forwarded-proto": "https", "x-forwarded-port": "443"},
        "queryStringParameters": {"query": "latest", "limit": "10"},
        "requestContext": {
            "accountId": "123456789012",
            "apiId": "abcdefghijklmnopqrstuvwxyz012345",
            "domainName": host,
            "domainPrefix": "abcdefghijklmnopqrstuvwxyz012345",
            "http": {
                "method": "GET",
                "path": path,
                "protocol": "HTTP/1.1",
                "sourceIp": "127.0.0.1",
                "userAgent": "coldstart-bench",
            },
            "requestId": "cold-start-bench",
            "routeKey": "$default",
            "stage": "$default",
            "time": now.strftime("%d/%b/%Y:%H:%M:%S +0000"),
            "timeEpoch": int(now.timestamp() * 1000),
        },
        "isBase64Encoded": False,
    }


def prepare_snapshot(efs_dir: Path) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "benchsite.settings")
    import django

    django.setup()
    from bench.snapshotfile import publish, sqlite_datetime

    start = datetime(2026, 1, 1, tzinfo=UTC)
    rows = [
        (
            f"01JCOLDSTART{i:014d}",
            (i * 7919 % 1000) / 1000,
            sqlite_datetime((start + timedelta(seconds=i)).strftime("%Y-%m-%dT%H:%M:%S.%fZ")),
        )
        for i in range(SNAPSHOT_ROWS)
    ]
    publish(rows, directory=efs_dir, version="01JCOLDSTART00000000000000", built_at=start)


def sample(import_line: str, env: dict[str, str], event: str) -> float:
    script = EVENT_SCRIPT.format(import_line=import_line)
    start = time.perf_counter_ns()
    completed = subprocess.run(
        [sys.executable, "-c", script, event],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    wall_ms = (time.perf_counter_ns() - start) / 1e6
    if completed.returncode != 0:
        raise RuntimeError(f"cold-start sample failed:\n{completed.stderr[-2000:]}")
    return wall_ms


def run(*, size: int = 0, repeat: int = 9) -> list[PerfResult]:
    del size  # the snapshot is small on purpose: the case measures start-up, not the copy
    with tempfile.TemporaryDirectory(prefix="coldstart-") as workdir:
        efs_dir, tmp_dir = Path(workdir, "efs"), Path(workdir, "tmp")
        tmp_dir.mkdir()
        prepare_snapshot(efs_dir)
        env = {
            key: value
            for key, value in os.environ.items()
            if key not in {"DJANGO_SETTINGS_MODULE", "PYTHONPATH"}
        }
        env.update(
            {
                "AWS_LAMBDA_FUNCTION_NAME": "bench-coldstart",
                "BENCH_EFS_DIR": str(efs_dir),
                "BENCH_TMP_DIR": str(tmp_dir),
                "DJANGO_ALLOWED_HOSTS": ".lambda-url.us-east-1.on.aws",
                "DYNAMODB_ENDPOINT_URL": "http://127.0.0.1:9",  # never reached by /sqlite-tmp
                "AWS_ACCESS_KEY_ID": "bench",
                "AWS_SECRET_ACCESS_KEY": "bench",
                "AWS_REGION": "us-east-1",
                "PYTHONDONTWRITEBYTECODE": "0",
            }
        )
        event = json.dumps(function_url_event("/sqlite-tmp"))
        ours: list[float] = []
        baseline: list[float] = []
        sample(OURS_IMPORT, env, event)  # warm the OS page cache and the .pyc files
        sample(BASELINE_IMPORT, env, event)
        for _ in range(repeat):  # interleaved, so drift hits both alike
            ours.append(sample(OURS_IMPORT, env, event))
            baseline.append(sample(BASELINE_IMPORT, env, event))
    ours_ms, baseline_ms = statistics.median(ours), statistics.median(baseline)
    return [
        PerfResult(
            case="coldstart",
            ours_ms=ours_ms,
            baseline_ms=baseline_ms,
            target=f"<= {TARGET}x",
            met=ours_ms <= baseline_ms * TARGET,
            note="fresh interpreter: import + first request (median of "
            f"{repeat}); ours serves GET /sqlite-tmp of {SNAPSHOT_ROWS} rows",
        )
    ]


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=9)
    arguments = parser.parse_args()
    for result in run(repeat=arguments.repeat):
        print(
            f"{result.case}: ours {result.ours_ms:.1f} ms, baseline {result.baseline_ms:.1f} ms,"
            f" ratio {result.ratio:.2f}x (target {result.target}): "
            f"{'met' if result.met else 'NOT met'}"
        )
