"""The Lambda asset, built on this machine without Docker.

pip downloads the project's runtime dependencies (``[project].dependencies`` of pyproject.toml,
never the dev extras) as wheels for the Lambda platform, into a cache under ``.cache/`` keyed on
the dependency list, the architecture and the Python version: repeated synths reuse it, and a
changed dependency list gets a fresh install. The project's own code (``bench/``, ``benchsite/``,
``manage.py``) is copied beside the dependencies; tests, the CDK app and dev tools never are.

Bytecode is compiled ahead with ``unchecked-hash`` pycs: the zip CDK builds carries fixed file
times, which would make ordinary timestamp pycs stale, and ``/var/task`` is read-only, so without
them every cold start would compile Django, botocore and pydantic again in memory.
"""

import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import tomllib
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import jsii
from aws_cdk import AssetHashType, BundlingOptions, DockerImage, ILocalBundling
from aws_cdk import aws_lambda as lambda_

from infra.config import Architecture

# Bumped whenever what goes into the asset changes, so caches and asset hashes follow.
LAYOUT_VERSION = "1"
RUNTIME_PYTHON = "3.12"
PROJECT_CODE = ("bench", "benchsite", "manage.py")
EXCLUDED_DIRS = frozenset({"__pycache__", "tests"})
EXCLUDED_SUFFIXES = frozenset({".pyc", ".pyo"})
# What Lambda never reads from the dependencies: host-compiled caches, console scripts with this
# machine's interpreter in their shebang, translation sources (only the compiled .mo are read).
STRIPPED_DEPENDENCY_DIRS = frozenset({"__pycache__"})
STRIPPED_DEPENDENCY_TOP_LEVEL = frozenset({"bin"})
STRIPPED_DEPENDENCY_SUFFIXES = frozenset({".pyc", ".po"})

Installer = Callable[[Sequence[str], Path], None]


class BundlingError(RuntimeError):
    """The asset could not be built; the message says what to fix."""


def runtime_dependencies(pyproject: Path) -> list[str]:
    """The requirement strings of ``[project].dependencies``, as written."""
    try:
        data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
        dependencies = data["project"]["dependencies"]
    except (OSError, tomllib.TOMLDecodeError, KeyError) as exc:
        raise BundlingError(f"Cannot read [project].dependencies from {pyproject}: {exc}") from exc
    if not isinstance(dependencies, list) or not all(isinstance(d, str) for d in dependencies):
        raise BundlingError(f"[project].dependencies in {pyproject} is not a list of strings.")
    return dependencies


def pip_command(dependencies: Sequence[str], target: Path, architecture: Architecture) -> list[str]:
    return [
        sys.executable,
        "-m",
        "pip",
        "install",
        "--quiet",
        "--disable-pip-version-check",
        "--no-compile",
        "--platform",
        architecture.pip_platform,
        "--only-binary=:all:",
        "--python-version",
        RUNTIME_PYTHON,
        "--implementation",
        "cp",
        "--target",
        str(target),
        *dependencies,
    ]


def pip_install(command: Sequence[str], target: Path) -> None:
    """Run pip; a failure becomes a BundlingError carrying pip's own explanation."""
    result = subprocess.run(list(command), capture_output=True, text=True, check=False)
    if result.returncode != 0:
        detail = (result.stderr or result.stdout).strip().splitlines()[-15:]
        raise BundlingError(
            f"pip could not install the Lambda dependencies into {target} "
            f"(exit {result.returncode}):\n" + "\n".join(detail)
        )


def can_compile_for_runtime() -> bool:
    """Bytecode is only valid for the interpreter version that wrote it."""
    return f"{sys.version_info.major}.{sys.version_info.minor}" == RUNTIME_PYTHON


def compile_bytecode(root: Path) -> None:
    # Never run for another Python version: its pycs would be ignored at best.
    if not can_compile_for_runtime():
        return
    command = [sys.executable, "-m", "compileall", "-q", "-j", "0"]
    command += ["--invalidation-mode", "unchecked-hash", str(root)]
    # A source file the runtime's Python cannot compile is left to fail at import, if ever used.
    subprocess.run(command, capture_output=True, check=False)


def strip_dependencies(root: Path) -> None:
    for top in STRIPPED_DEPENDENCY_TOP_LEVEL:
        shutil.rmtree(root / top, ignore_errors=True)
    for path in sorted(root.rglob("*"), reverse=True):
        if path.is_dir() and path.name in STRIPPED_DEPENDENCY_DIRS:
            shutil.rmtree(path)
        elif path.is_file() and path.suffix in STRIPPED_DEPENDENCY_SUFFIXES:
            path.unlink()


def project_files(project_root: Path) -> list[Path]:
    """The project's own files that go into the asset, relative to the root, sorted."""
    files: list[Path] = []
    for entry in PROJECT_CODE:
        path = project_root / entry
        if path.is_file():
            files.append(Path(entry))
        elif path.is_dir():
            files.extend(_walk(path, project_root))
        else:
            raise BundlingError(f"{path} is missing: the Lambda asset needs it.")
    return sorted(files)


def _walk(directory: Path, project_root: Path) -> Iterator[Path]:
    for current, dirs, names in os.walk(directory):
        dirs[:] = sorted(d for d in dirs if d not in EXCLUDED_DIRS)
        for name in names:
            if Path(name).suffix not in EXCLUDED_SUFFIXES:
                yield (Path(current) / name).relative_to(project_root)


def _link_or_copy(source: str, destination: str) -> object:
    # Hard links make a 100 MB dependency tree appear in the output in well under a second;
    # nothing downstream writes to these files. Across file systems, copy.
    try:
        os.link(source, destination)
    except OSError:
        return shutil.copy2(source, destination)
    return destination


class DependencyCache:
    """Installed dependency trees, one directory per dependency key."""

    def __init__(self, root: Path, *, installer: Installer = pip_install) -> None:
        self.root = root
        self.installer = installer

    @staticmethod
    def key(dependencies: Sequence[str], architecture: Architecture) -> str:
        material = {
            "layout": LAYOUT_VERSION,
            "python": RUNTIME_PYTHON,
            "platform": architecture.pip_platform,
            "dependencies": sorted(dependencies),
            "bytecode": can_compile_for_runtime(),
        }
        digest = hashlib.sha256(json.dumps(material, sort_keys=True).encode()).hexdigest()
        return f"{architecture.value}-{digest[:16]}"

    def get(self, dependencies: Sequence[str], architecture: Architecture) -> Path:
        """The installed tree for these dependencies, installing it first when missing."""
        ready = self.root / self.key(dependencies, architecture)
        if ready.is_dir():
            return ready
        self.root.mkdir(parents=True, exist_ok=True)
        # Built beside its final place and renamed, so an interrupted install is never reused.
        building = Path(tempfile.mkdtemp(prefix=f".{ready.name}-", dir=self.root))
        try:
            self.installer(pip_command(dependencies, building, architecture), building)
            strip_dependencies(building)
            compile_bytecode(building)
            building.rename(ready)
        except OSError:
            if not ready.is_dir():  # another synth finished the same key first: use it
                raise
        finally:
            shutil.rmtree(building, ignore_errors=True)
        return ready


@jsii.implements(ILocalBundling)
class LocalPythonBundler:
    """Builds the asset directory with pip on this machine (``ILocalBundling``)."""

    def __init__(
        self, *, project_root: Path, architecture: Architecture, cache: DependencyCache
    ) -> None:
        self.project_root = project_root
        self.architecture = architecture
        self.cache = cache

    # jsii turns the options struct into keyword arguments named by the keyword-only parameters.
    def try_bundle(self, output_dir: str, *, image: DockerImage, **_options: object) -> bool:
        dependencies = runtime_dependencies(self.project_root / "pyproject.toml")
        installed = self.cache.get(dependencies, self.architecture)
        output = Path(output_dir)
        shutil.copytree(installed, output, copy_function=_link_or_copy, dirs_exist_ok=True)
        for relative in project_files(self.project_root):
            destination = output / relative
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(self.project_root / relative, destination)
        for entry in PROJECT_CODE:
            if (output / entry).is_dir():
                compile_bytecode(output / entry)
        return True


def asset_hash(project_root: Path, architecture: Architecture) -> str:
    """Changes exactly when the asset would: dependency key plus every project file's content.

    Hashing the project root the way CDK does by default would walk the virtualenv and
    node_modules on every synth.
    """
    dependencies = runtime_dependencies(project_root / "pyproject.toml")
    digest = hashlib.sha256(DependencyCache.key(dependencies, architecture).encode())
    for relative in project_files(project_root):
        digest.update(relative.as_posix().encode() + b"\0")
        digest.update(hashlib.sha256((project_root / relative).read_bytes()).digest())
    return digest.hexdigest()


def lambda_code(
    *, project_root: Path, architecture: Architecture, cache: DependencyCache | None = None
) -> lambda_.Code:
    """The function's code asset, bundled locally (see the module docstring)."""
    bundler = LocalPythonBundler(
        project_root=project_root,
        architecture=architecture,
        cache=cache or DependencyCache(project_root / ".cache" / "lambda-deps"),
    )
    return lambda_.Code.from_asset(
        str(project_root),
        asset_hash_type=AssetHashType.CUSTOM,
        asset_hash=asset_hash(project_root, architecture),
        bundling=BundlingOptions(
            # Required by the type, used only if local bundling declined, which it never does:
            # it builds the asset or raises BundlingError.
            image=lambda_.Runtime.PYTHON_3_12.bundling_image,
            local=bundler,
        ),
    )
