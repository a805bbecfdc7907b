"""``benchsite.settings``: every value from the environment, bad values fail at start."""

import runpy
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured

from benchsite import settings

SETTINGS_FILE = settings.__file__
LAMBDA_ENV = {"AWS_LAMBDA_FUNCTION_NAME": "bench-fn"}
BENCH_VARIABLES = (
    "AWS_LAMBDA_FUNCTION_NAME",
    "BENCH_TABLE_NAME",
    "DYNAMODB_ENDPOINT_URL",
    "BENCH_EFS_DIR",
    "BENCH_TMP_DIR",
    "DJANGO_SECRET_KEY",
    "DJANGO_DEBUG",
    "DJANGO_ALLOWED_HOSTS",
    "AWS_REGION",
)


def load_settings(monkeypatch: pytest.MonkeyPatch, **env: str) -> dict[str, Any]:
    """The settings module's values, run afresh with exactly ``env`` for its variables."""
    for name in BENCH_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(SETTINGS_FILE)


# --- the helpers ---


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("1", True), ("TRUE", True), (" yes ", True), ("on", True)]
    + [("0", False), ("False", False), ("no", False), ("off", False), ("", False)],
)
def test_env_bool_reads_the_usual_spellings(
    raw: str, expected: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FLAG", raw)

    assert settings.env_bool("FLAG", default=not expected) is expected


def test_env_bool_falls_back_to_the_default_when_unset(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("FLAG", raising=False)

    assert (settings.env_bool("FLAG", default=True), settings.env_bool("FLAG", default=False)) == (
        True,
        False,
    )


def test_env_bool_rejects_anything_else_naming_the_variable(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("DJANGO_DEBUG", "maybe")

    with pytest.raises(
        ImproperlyConfigured,
        match=r"^DJANGO_DEBUG='maybe' is not a boolean: use one of 1/0, true/false, yes/no, "
        r"on/off\.$",
    ):
        settings.env_bool("DJANGO_DEBUG", default=False)


def test_env_int_reads_an_integer_in_range(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WORKERS", "8")

    assert settings.env_int("WORKERS", default=1, minimum=1, maximum=64) == 8


def test_env_int_falls_back_to_the_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("WORKERS", raising=False)

    assert settings.env_int("WORKERS", default=4, minimum=1, maximum=64) == 4


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("eight", r"^WORKERS='eight' is not an integer\.$"),
        ("0", r"^WORKERS=0 is out of range: use 1\.\.64\.$"),
        ("65", r"^WORKERS=65 is out of range: use 1\.\.64\.$"),
    ],
)
def test_env_int_rejects_bad_values_naming_the_variable(
    raw: str, message: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WORKERS", raw)

    with pytest.raises(ImproperlyConfigured, match=message):
        settings.env_int("WORKERS", default=1, minimum=1, maximum=64)


def test_env_path_keeps_absolute_paths_and_anchors_relative_ones_at_the_project(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("ABS_DIR", str(tmp_path))
    monkeypatch.setenv("REL_DIR", "var/other")

    assert settings.env_path("ABS_DIR", default=Path("/x"), require_absolute=True) == tmp_path
    assert settings.env_path("REL_DIR", default=Path("/x"), require_absolute=False) == (
        settings.BASE_DIR / "var" / "other"
    )


def test_env_path_falls_back_to_the_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SOME_DIR", raising=False)

    assert settings.env_path("SOME_DIR", default=Path("/d"), require_absolute=True) == Path("/d")


def test_env_path_rejects_a_relative_path_where_an_absolute_one_is_needed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("BENCH_EFS_DIR", "efs")

    with pytest.raises(
        ImproperlyConfigured, match=r"^BENCH_EFS_DIR='efs' must be an absolute path on Lambda\.$"
    ):
        settings.env_path("BENCH_EFS_DIR", default=Path("/mnt/efs"), require_absolute=True)


def test_env_path_rejects_an_empty_value(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BENCH_TMP_DIR", "  ")

    with pytest.raises(
        ImproperlyConfigured, match=r"^BENCH_TMP_DIR is set but empty: give a directory\.$"
    ):
        settings.env_path("BENCH_TMP_DIR", default=Path("/tmp"), require_absolute=False)


def test_env_list_splits_on_commas_and_drops_blanks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOSTS", " a.example , ,b.example,")

    assert settings.env_list("HOSTS", ["default"]) == ["a.example", "b.example"]


def test_env_list_falls_back_to_the_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("HOSTS", raising=False)

    assert settings.env_list("HOSTS", ["default"]) == ["default"]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("http://127.0.0.1:8000/", "http://127.0.0.1:8000"),
        ("https://dynamodb.eu-west-1.amazonaws.com", "https://dynamodb.eu-west-1.amazonaws.com"),
        ("", None),
        ("   ", None),
    ],
)
def test_env_url_reads_http_urls_and_treats_blank_as_unset(
    raw: str, expected: str | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DYNAMODB_ENDPOINT_URL", raw)

    assert settings.env_url("DYNAMODB_ENDPOINT_URL") == expected


def test_env_url_is_none_when_unset(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DYNAMODB_ENDPOINT_URL", raising=False)

    assert settings.env_url("DYNAMODB_ENDPOINT_URL") is None


def test_env_url_rejects_a_value_without_a_scheme(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DYNAMODB_ENDPOINT_URL", "localhost:8000")

    with pytest.raises(
        ImproperlyConfigured,
        match=r"^DYNAMODB_ENDPOINT_URL='localhost:8000' is not an http\(s\) URL\.$",
    ):
        settings.env_url("DYNAMODB_ENDPOINT_URL")


def test_env_str_reads_the_value_or_the_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NAME_SET", "value")
    monkeypatch.delenv("NAME_UNSET", raising=False)

    assert [settings.env_str("NAME_SET", "d"), settings.env_str("NAME_UNSET", "d")] == [
        "value",
        "d",
    ]


# --- the module as a whole ---


def test_defaults_after_a_clone_are_local(monkeypatch: pytest.MonkeyPatch) -> None:
    values = load_settings(monkeypatch)

    assert {
        name: values[name]
        for name in (
            "ON_LAMBDA",
            "DEBUG",
            "BENCH_TABLE_NAME",
            "DYNAMODB_ENDPOINT_URL",
            "BENCH_EFS_DIR",
            "BENCH_TMP_DIR",
            "SECRET_KEY",
        )
    } == {
        "ON_LAMBDA": False,
        "DEBUG": False,
        "BENCH_TABLE_NAME": "aws-lambda-sqlite-dev-main",
        "DYNAMODB_ENDPOINT_URL": None,
        "BENCH_EFS_DIR": settings.BASE_DIR / "var" / "efs",
        "BENCH_TMP_DIR": settings.BASE_DIR / "var" / "tmp",
        "SECRET_KEY": "local-only-insecure-key-the-api-signs-nothing",
    }


def test_on_lambda_directories_default_to_the_mount_and_tmp(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    first = load_settings(monkeypatch, **LAMBDA_ENV)
    second = load_settings(monkeypatch, **LAMBDA_ENV)

    assert (first["ON_LAMBDA"], first["DEBUG"]) == (True, False)
    assert (first["BENCH_EFS_DIR"], first["BENCH_TMP_DIR"]) == (Path("/mnt/efs"), Path("/tmp"))
    assert first["SECRET_KEY"] != second["SECRET_KEY"]
    assert len(first["SECRET_KEY"]) >= 50
    assert first["DATABASES"]["efs"]["NAME"] == "file:/mnt/efs/data.db?mode=ro"


def test_on_lambda_a_relative_directory_fails_at_start(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(
        ImproperlyConfigured, match=r"^BENCH_TMP_DIR='tmp' must be an absolute path on Lambda\.$"
    ):
        load_settings(monkeypatch, BENCH_TMP_DIR="tmp", **LAMBDA_ENV)


def test_configuration_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    values = load_settings(
        monkeypatch,
        BENCH_TABLE_NAME="other-table",
        DYNAMODB_ENDPOINT_URL="http://127.0.0.1:8000/",
        BENCH_EFS_DIR="/data/efs",
        DJANGO_DEBUG="off",
        DJANGO_ALLOWED_HOSTS="a.example,b.example",
        DJANGO_SECRET_KEY="s3cret",
        AWS_REGION="eu-west-1",
    )

    assert (
        values["BENCH_TABLE_NAME"],
        values["DYNAMODB_ENDPOINT_URL"],
        values["BENCH_EFS_DIR"],
        values["DEBUG"],
        values["ALLOWED_HOSTS"],
        values["SECRET_KEY"],
        values["AWS_REGION"],
    ) == (
        "other-table",
        "http://127.0.0.1:8000",
        Path("/data/efs"),
        False,
        ["a.example", "b.example"],
        "s3cret",
        "eu-west-1",
    )


@pytest.mark.parametrize(
    ("env", "message"),
    [
        (
            {"BENCH_TABLE_NAME": " "},
            r"^BENCH_TABLE_NAME is set but empty: give the table's name\.$",
        ),
        ({"DYNAMODB_ENDPOINT_URL": "127.0.0.1:8000"}, r"^DYNAMODB_ENDPOINT_URL='127\.0\.0\.1"),
        ({"DJANGO_DEBUG": "sometimes"}, r"^DJANGO_DEBUG='sometimes' is not a boolean"),
    ],
)
def test_a_bad_value_fails_at_start_naming_the_variable(
    env: dict[str, str], message: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    with pytest.raises(ImproperlyConfigured, match=message):
        load_settings(monkeypatch, **env)


def test_sqlite_aliases_open_the_snapshot_read_only(tmp_path: Path) -> None:
    databases = settings.sqlite_databases(tmp_path / "efs", tmp_path / "tmp")

    assert {alias: config["NAME"] for alias, config in databases.items()} == {
        "default": ":memory:",
        "efs": f"file:{tmp_path}/efs/data.db?mode=ro",
        "efs_immutable": f"file:{tmp_path}/efs/data.db?mode=ro&immutable=1",
        "tmp": f"file:{tmp_path}/tmp/data.db?mode=ro",
        "tmp_cached": f"file:{tmp_path}/tmp/data-cached.db?mode=ro",
    }


def test_pynamodb_start_up_chatter_is_not_logged() -> None:
    assert settings.LOGGING["loggers"]["pynamodb"] == {"level": "WARNING"}  # type: ignore[index]
