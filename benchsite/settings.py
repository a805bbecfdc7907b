"""Settings for lambda-sqlite-bench: every value comes from the environment.

The defaults work right after a clone (a local directory stands in for EFS); on Lambda
(``AWS_LAMBDA_FUNCTION_NAME`` is set) the directories default to ``/mnt/efs`` and ``/tmp`` and
must be absolute.
"""

import os
import secrets
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

ON_LAMBDA = bool(os.environ.get("AWS_LAMBDA_FUNCTION_NAME"))

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str) -> str:
    return os.environ.get(name, default)


def env_bool(name: str, *, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(
        f"{name}={raw!r} is not a boolean: use one of 1/0, true/false, yes/no, on/off."
    )


def env_int(name: str, *, default: int, minimum: int, maximum: int) -> int:
    raw = os.environ.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not an integer.") from None
    if not minimum <= value <= maximum:
        raise ImproperlyConfigured(f"{name}={value} is out of range: use {minimum}..{maximum}.")
    return value


def env_path(name: str, *, default: Path, require_absolute: bool) -> Path:
    raw = os.environ.get(name)
    if raw is None:
        return default
    if not raw.strip():
        raise ImproperlyConfigured(f"{name} is set but empty: give a directory.")
    path = Path(raw)
    if path.is_absolute():
        return path
    if require_absolute:
        raise ImproperlyConfigured(f"{name}={raw!r} must be an absolute path on Lambda.")
    return BASE_DIR / path


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [part.strip() for part in raw.split(",") if part.strip()]


def env_url(name: str) -> str | None:
    raw = os.environ.get(name)
    if raw is None or not raw.strip():
        return None
    if not raw.startswith(("http://", "https://")):
        raise ImproperlyConfigured(f"{name}={raw!r} is not an http(s) URL.")
    return raw.rstrip("/")


SNAPSHOT_FILE_NAME = "data.db"
TMP_CACHED_FILE_NAME = "data-cached.db"  # sqlite-tmp-cached's own copy under BENCH_TMP_DIR


def sqlite_databases(efs_dir: Path, tmp_dir: Path) -> dict[str, dict[str, object]]:
    """The SQLite aliases for a given EFS and /tmp directory (also used by tests).

    Readers open read-only: ``mode=ro`` (Django's SQLite backend always connects with
    ``uri=True``). The journal mode stays the default rollback journal: WAL needs shared memory,
    which NFS cannot give. ``efs_immutable`` skips locking and change detection, which is safe
    only because snapshots are replaced whole, never modified in place. ``tmp`` (``sqlite-tmp``)
    and ``tmp_cached`` (``sqlite-tmp-cached``) open two different copies, so neither strategy
    reads the other's copy or reuses its connection. ``efs_immutable``, ``tmp`` and
    ``tmp_cached`` keep their connection across requests (``CONN_MAX_AGE=None``): the strategies
    reopen it when the file changes (``bench.strategies.sqlite.use_file``); ``efs`` is opened per
    read.
    """
    efs_file = efs_dir / SNAPSHOT_FILE_NAME
    tmp_file = tmp_dir / SNAPSHOT_FILE_NAME
    tmp_cached_file = tmp_dir / TMP_CACHED_FILE_NAME
    return {
        "default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"},
        "efs": {"ENGINE": "django.db.backends.sqlite3", "NAME": f"file:{efs_file}?mode=ro"},
        "efs_immutable": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": f"file:{efs_file}?mode=ro&immutable=1",
            "CONN_MAX_AGE": None,
        },
        "tmp": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": f"file:{tmp_file}?mode=ro",
            "CONN_MAX_AGE": None,
        },
        "tmp_cached": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": f"file:{tmp_cached_file}?mode=ro",
            "CONN_MAX_AGE": None,
        },
    }


# On Lambda without DJANGO_SECRET_KEY: a random key per container, never a literal in code or in
# the template. The API signs nothing (no sessions, cookies or CSRF tokens) that another
# container would have to verify (docs/deploy.md).
SECRET_KEY = env_str(
    "DJANGO_SECRET_KEY",
    secrets.token_urlsafe(50) if ON_LAMBDA else "local-only-insecure-key-the-api-signs-nothing",
)
# Off unless asked for, locally too: with DEBUG on, Django wraps every cursor to record its
# queries, which lands inside the very read times this project measures.
DEBUG = env_bool("DJANGO_DEBUG", default=False)
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]", "testserver"])

BENCH_TABLE_NAME = env_str("BENCH_TABLE_NAME", "aws-lambda-sqlite-dev-main")
if not BENCH_TABLE_NAME.strip():
    raise ImproperlyConfigured("BENCH_TABLE_NAME is set but empty: give the table's name.")
DYNAMODB_ENDPOINT_URL = env_url("DYNAMODB_ENDPOINT_URL")
AWS_REGION = env_str("AWS_REGION", env_str("AWS_DEFAULT_REGION", "us-east-1"))
BENCH_EFS_DIR = env_path(
    "BENCH_EFS_DIR",
    default=Path("/mnt/efs") if ON_LAMBDA else BASE_DIR / "var" / "efs",
    require_absolute=ON_LAMBDA,
)
BENCH_TMP_DIR = env_path(
    "BENCH_TMP_DIR",
    default=Path("/tmp") if ON_LAMBDA else BASE_DIR / "var" / "tmp",
    require_absolute=ON_LAMBDA,
)

# Not "ninja": installed, it makes /docs load Swagger UI from /static/, which nothing serves on a
# Function URL; left out, django-ninja's page loads it from its CDN instead.
INSTALLED_APPS = ["bench"]
MIDDLEWARE = [
    "bench.middleware.JsonErrorsMiddleware",
    "django.middleware.common.CommonMiddleware",
]
ROOT_URLCONF = "benchsite.urls"
WSGI_APPLICATION = "benchsite.wsgi.application"
APPEND_SLASH = False

DATABASES = sqlite_databases(BENCH_EFS_DIR, BENCH_TMP_DIR)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "APP_DIRS": True,
        "OPTIONS": {"context_processors": []},
    }
]
STATIC_URL = "static/"
USE_TZ = True
TIME_ZONE = "UTC"
LANGUAGE_CODE = "en-us"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "botocore": {"level": "WARNING"},
        "urllib3": {"level": "WARNING"},
        # PynamoDB says at INFO on import that it found no settings file: noise in every command.
        "pynamodb": {"level": "WARNING"},
        # Django's default config gives "django" its own console handler; one line per event.
        "django": {"handlers": ["console"], "level": "INFO", "propagate": False},
    },
}
