"""Local bundling of the Lambda asset: what goes in, the dependency cache, the asset hash.

pip is replaced by a fake installer here; tests/test_infra_asset.py bundles for real.
"""

import os
import sys
from collections.abc import Sequence
from pathlib import Path

import pytest
from aws_cdk import App, DockerImage, Stack
from aws_cdk import aws_lambda as lambda_

from infra import bundling
from infra.bundling import (
    BundlingError,
    DependencyCache,
    LocalPythonBundler,
    asset_hash,
    lambda_code,
    pip_command,
    pip_install,
    project_files,
    runtime_dependencies,
)
from infra.config import Architecture

PROJECT_ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = """\
[project]
name = "demo"
dependencies = ["Django>=6.0,<6.1", "boto3>=1.35"]

[project.optional-dependencies]
dev = ["pytest>=8"]
"""


class FakeInstaller:
    """Stands in for pip: records each call and writes a small installed tree."""

    def __init__(self) -> None:
        self.calls: list[list[str]] = []

    def __call__(self, command: Sequence[str], target: Path) -> None:
        self.calls.append(list(command))
        write(target / "dep" / "__init__.py", "VALUE = 1\n")
        write(target / "dep" / "__pycache__" / "__init__.cpython-311.pyc", "stale")
        write(target / "dep" / "locale" / "fr" / "django.po", "msgid")
        write(target / "dep" / "locale" / "fr" / "django.mo", "compiled")
        write(target / "dep-1.0.dist-info" / "METADATA", "Name: dep\n")
        write(target / "bin" / "dep-cli", "#!/host/python\n")


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def make_project(root: Path, *, pyproject: str = PYPROJECT) -> Path:
    write(root / "pyproject.toml", pyproject)
    write(root / "manage.py", "print('manage')\n")
    write(root / "bench" / "__init__.py", "")
    write(root / "bench" / "api.py", "ROUTES = []\n")
    write(root / "bench" / "__pycache__" / "api.cpython-312.pyc", "stale")
    write(root / "bench" / "tests" / "test_api.py", "def test(): pass\n")
    write(root / "benchsite" / "__init__.py", "")
    write(root / "benchsite" / "wsgi.py", "lambda_handler = None\n")
    write(root / "benchsite" / "old.pyc", "stale")
    write(root / "tests" / "test_x.py", "")
    write(root / "infra" / "app.py", "")
    return root


def files_under(root: Path) -> list[str]:
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())


def pyc_flags(path: Path) -> int:
    # PEP 552: bytes 4-8 of a pyc are its flags; 0b01 is "hash-based, not checked".
    return int.from_bytes(path.read_bytes()[4:8], "little")


# -- dependencies -----------------------------------------------------------------------------


def test_runtime_dependencies_are_the_project_dependencies_without_extras(tmp_path: Path) -> None:
    pyproject = write(tmp_path / "pyproject.toml", PYPROJECT)

    assert runtime_dependencies(pyproject) == ["Django>=6.0,<6.1", "boto3>=1.35"]


def test_the_real_project_bundles_django_and_no_test_tool() -> None:
    dependencies = runtime_dependencies(PROJECT_ROOT / "pyproject.toml")

    names = {
        dep.split(">")[0].split("<")[0].split("=")[0].split("[")[0].lower() for dep in dependencies
    }

    assert {"django", "apig-wsgi", "pynamodb"} <= names
    assert names.isdisjoint({"pytest", "moto", "aws-cdk-lib", "ruff", "mypy", "matplotlib"})


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "Cannot read \\[project\\].dependencies from .*pyproject.toml: .*No such file"),
        ("[project", "Cannot read \\[project\\].dependencies from .*: Expected"),
        ("[tool.x]\n", "Cannot read \\[project\\].dependencies from .*: 'project'"),
        ('[project]\ndependencies = "Django"\n', "is not a list of strings"),
        ("[project]\ndependencies = [1]\n", "is not a list of strings"),
    ],
)
def test_an_unreadable_dependency_list_is_a_bundling_error(
    tmp_path: Path, content: str | None, message: str
) -> None:
    pyproject = tmp_path / "pyproject.toml"
    if content is not None:
        pyproject.write_text(content)

    with pytest.raises(BundlingError, match=message):
        runtime_dependencies(pyproject)


def test_pip_installs_binary_wheels_for_the_lambda_platform_and_python(tmp_path: Path) -> None:
    command = pip_command(["Django>=6"], tmp_path, Architecture.ARM64)

    assert command == [
        sys.executable,
        "-m",
        "pip",
        "install",
        "--quiet",
        "--disable-pip-version-check",
        "--no-compile",
        "--platform",
        "manylinux2014_aarch64",
        "--only-binary=:all:",
        "--python-version",
        "3.12",
        "--implementation",
        "cp",
        "--target",
        str(tmp_path),
        "Django>=6",
    ]


def test_a_failing_pip_is_reported_with_its_own_explanation(tmp_path: Path) -> None:
    failing = [
        sys.executable,
        "-c",
        "import sys; sys.stderr.write('no matching wheel\\n'); sys.exit(3)",
    ]

    with pytest.raises(BundlingError) as raised:
        pip_install(failing, tmp_path)

    assert str(raised.value) == (
        f"pip could not install the Lambda dependencies into {tmp_path} (exit 3):\n"
        "no matching wheel"
    )


def test_a_succeeding_pip_returns_quietly(tmp_path: Path) -> None:
    marker = tmp_path / "done"

    pip_install(
        [sys.executable, "-c", "import sys; open(sys.argv[1], 'w').close()", str(marker)], tmp_path
    )

    assert marker.exists()


# -- cache ------------------------------------------------------------------------------------


def test_dependencies_are_installed_once_then_reused(tmp_path: Path) -> None:
    installer = FakeInstaller()
    cache = DependencyCache(tmp_path / "cache", installer=installer)

    first = cache.get(["Django>=6"], Architecture.X86_64)
    second = cache.get(["Django>=6"], Architecture.X86_64)

    assert first == second
    assert len(installer.calls) == 1
    assert installer.calls[0][-1] == "Django>=6"
    assert sorted(p.name for p in (tmp_path / "cache").iterdir()) == [first.name]


def test_a_changed_dependency_list_or_architecture_gets_its_own_install(tmp_path: Path) -> None:
    installer = FakeInstaller()
    cache = DependencyCache(tmp_path, installer=installer)

    paths = {
        cache.get(["Django>=6"], Architecture.X86_64),
        cache.get(["Django>=6", "boto3"], Architecture.X86_64),
        cache.get(["Django>=6"], Architecture.ARM64),
    }

    assert len(paths) == 3
    assert len(installer.calls) == 3


def test_the_cache_key_ignores_the_order_of_dependencies() -> None:
    assert DependencyCache.key(["a", "b"], Architecture.X86_64) == DependencyCache.key(
        ["b", "a"], Architecture.X86_64
    )


def test_installed_tree_is_stripped_of_what_lambda_never_reads_and_compiled(
    tmp_path: Path,
) -> None:
    cache = DependencyCache(tmp_path, installer=FakeInstaller())

    installed = cache.get(["dep"], Architecture.X86_64)

    assert files_under(installed) == [
        "dep-1.0.dist-info/METADATA",
        "dep/__init__.py",
        f"dep/__pycache__/__init__.{sys.implementation.cache_tag}.pyc",
        "dep/locale/fr/django.mo",
    ]
    pyc = installed / "dep" / "__pycache__" / f"__init__.{sys.implementation.cache_tag}.pyc"
    assert pyc_flags(pyc) == 0b01


def test_no_bytecode_is_written_by_a_python_other_than_the_runtimes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(bundling, "can_compile_for_runtime", lambda: False)
    cache = DependencyCache(tmp_path, installer=FakeInstaller())

    installed = cache.get(["dep"], Architecture.X86_64)

    assert [p for p in files_under(installed) if p.endswith(".pyc")] == []


def test_this_interpreter_is_the_runtimes_version() -> None:
    assert bundling.can_compile_for_runtime() == (sys.version_info[:2] == (3, 12))


def test_a_failed_install_leaves_nothing_behind_to_be_reused(tmp_path: Path) -> None:
    def broken(command: Sequence[str], target: Path) -> None:
        write(target / "half" / "__init__.py", "")
        raise BundlingError("pip could not install the Lambda dependencies")

    cache = DependencyCache(tmp_path, installer=broken)

    with pytest.raises(BundlingError, match="could not install"):
        cache.get(["dep"], Architecture.X86_64)

    assert list(tmp_path.iterdir()) == []


def test_an_install_finished_first_by_another_synth_is_used(tmp_path: Path) -> None:
    cache = DependencyCache(tmp_path, installer=FakeInstaller())
    ready = tmp_path / DependencyCache.key(["dep"], Architecture.X86_64)

    def racing(command: Sequence[str], target: Path) -> None:
        write(ready / "dep" / "__init__.py", "WINNER = True\n")
        write(target / "dep" / "__init__.py", "")

    cache.installer = racing

    installed = cache.get(["dep"], Architecture.X86_64)

    assert installed == ready
    assert (ready / "dep" / "__init__.py").read_text() == "WINNER = True\n"
    assert [p.name for p in tmp_path.iterdir()] == [ready.name]


def test_an_os_error_without_a_finished_install_is_raised(tmp_path: Path) -> None:
    def no_space(command: Sequence[str], target: Path) -> None:
        raise OSError(28, "No space left on device")

    cache = DependencyCache(tmp_path, installer=no_space)

    with pytest.raises(OSError, match="No space left"):
        cache.get(["dep"], Architecture.X86_64)


# -- project code -----------------------------------------------------------------------------


def test_project_files_are_the_code_without_tests_caches_or_tools(tmp_path: Path) -> None:
    root = make_project(tmp_path)

    assert [p.as_posix() for p in project_files(root)] == [
        "bench/__init__.py",
        "bench/api.py",
        "benchsite/__init__.py",
        "benchsite/wsgi.py",
        "manage.py",
    ]


def test_the_real_project_ships_its_handler_and_no_tests_or_infra() -> None:
    files = [p.as_posix() for p in project_files(PROJECT_ROOT)]

    assert {"manage.py", "benchsite/wsgi.py", "benchsite/settings.py", "bench/apps.py"} <= set(
        files
    )
    assert [f for f in files if f.startswith(("tests/", "infra/")) or "__pycache__" in f] == []


def test_a_missing_part_of_the_project_is_named(tmp_path: Path) -> None:
    root = make_project(tmp_path)
    (root / "manage.py").unlink()

    with pytest.raises(BundlingError, match=r"manage.py is missing: the Lambda asset needs it."):
        project_files(root)


# -- the bundler ------------------------------------------------------------------------------


def make_bundler(root: Path, cache_dir: Path) -> tuple[LocalPythonBundler, FakeInstaller]:
    installer = FakeInstaller()
    bundler = LocalPythonBundler(
        project_root=root,
        architecture=Architecture.X86_64,
        cache=DependencyCache(cache_dir, installer=installer),
    )
    return bundler, installer


def test_bundle_holds_dependencies_and_project_code_compiled_for_the_runtime(
    tmp_path: Path,
) -> None:
    root = make_project(tmp_path / "project")
    bundler, installer = make_bundler(root, tmp_path / "cache")
    output = tmp_path / "asset"
    output.mkdir()
    tag = sys.implementation.cache_tag

    bundled = bundler.try_bundle(str(output), image=DockerImage.from_registry("unused"))

    assert bundled is True
    assert files_under(output) == [
        "bench/__init__.py",
        f"bench/__pycache__/__init__.{tag}.pyc",
        f"bench/__pycache__/api.{tag}.pyc",
        "bench/api.py",
        "benchsite/__init__.py",
        f"benchsite/__pycache__/__init__.{tag}.pyc",
        f"benchsite/__pycache__/wsgi.{tag}.pyc",
        "benchsite/wsgi.py",
        "dep-1.0.dist-info/METADATA",
        "dep/__init__.py",
        f"dep/__pycache__/__init__.{tag}.pyc",
        "dep/locale/fr/django.mo",
        "manage.py",
    ]
    assert pyc_flags(output / "benchsite" / "__pycache__" / f"wsgi.{tag}.pyc") == 0b01
    assert installer.calls[0][-2:] == ["Django>=6.0,<6.1", "boto3>=1.35"]


def test_bundled_dependencies_are_hard_links_into_the_cache(tmp_path: Path) -> None:
    root = make_project(tmp_path / "project")
    bundler, _ = make_bundler(root, tmp_path / "cache")
    output = tmp_path / "asset"

    bundler.try_bundle(str(output), image=DockerImage.from_registry("unused"))

    (cached,) = (tmp_path / "cache").iterdir()
    assert (output / "dep" / "__init__.py").samefile(cached / "dep" / "__init__.py")


def test_bundling_copies_when_hard_links_are_impossible(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = make_project(tmp_path / "project")
    bundler, _ = make_bundler(root, tmp_path / "cache")
    output = tmp_path / "asset"

    def cross_device(source: str, destination: str) -> None:
        raise OSError(18, "Invalid cross-device link")

    monkeypatch.setattr(os, "link", cross_device)

    bundler.try_bundle(str(output), image=DockerImage.from_registry("unused"))

    (cached,) = (tmp_path / "cache").iterdir()
    copied = output / "dep" / "__init__.py"
    assert copied.read_text() == "VALUE = 1\n"
    assert not copied.samefile(cached / "dep" / "__init__.py")


# -- asset hash and the CDK asset ------------------------------------------------------------


def test_asset_hash_changes_with_code_dependencies_and_architecture_only(tmp_path: Path) -> None:
    root = make_project(tmp_path)
    base = asset_hash(root, Architecture.X86_64)
    write(root / "tests" / "test_more.py", "")
    write(root / "bench" / "__pycache__" / "new.cpython-312.pyc", "")
    unrelated = asset_hash(root, Architecture.X86_64)
    arm = asset_hash(root, Architecture.ARM64)
    write(root / "bench" / "api.py", "ROUTES = ['/status']\n")
    code_changed = asset_hash(root, Architecture.X86_64)
    write(root / "pyproject.toml", PYPROJECT.replace("boto3>=1.35", "boto3>=1.36"))
    deps_changed = asset_hash(root, Architecture.X86_64)

    assert unrelated == base
    assert len({base, arm, code_changed, deps_changed}) == 4


def test_a_bundling_failure_stops_the_synth_with_its_message(tmp_path: Path) -> None:
    def offline(command: Sequence[str], target: Path) -> None:
        raise BundlingError("pip could not install the Lambda dependencies: no network")

    root = make_project(tmp_path / "project")
    stack = Stack(App(outdir=str(tmp_path / "out")), "Demo")

    with pytest.raises(RuntimeError, match="pip could not install the Lambda dependencies"):
        lambda_.Function(
            stack,
            "Function",
            runtime=lambda_.Runtime.PYTHON_3_12,
            handler="benchsite.wsgi.lambda_handler",
            code=lambda_code(
                project_root=root,
                architecture=Architecture.X86_64,
                cache=DependencyCache(tmp_path / "cache", installer=offline),
            ),
        )
