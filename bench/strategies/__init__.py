"""The registry of read strategies: name -> strategy (see ``bench.strategies.base``).

Adding a strategy is one new module plus one line in ``_FACTORIES``. Modules are imported on
first use, so a container that serves one strategy never imports the others (the Lambda bills
the init phase). Each strategy object is built once per process and reused: the ones that cache
(``sqlite-tmp-cached``, ``sqlite-efs-immutable``) keep their state on it.
"""

from functools import cache
from importlib import import_module

from bench.errors import BadParameterError
from bench.strategies.base import Strategy

STRATEGY_NAMES: tuple[str, ...] = (
    "sqlite-efs",
    "sqlite-tmp",
    "ddb",
    "sqlite-tmp-cached",
    "sqlite-efs-immutable",
)

# name -> "module:class" under bench.strategies
_FACTORIES: dict[str, str] = {
    "sqlite-efs": "sqlite_efs:SqliteEfs",
    "sqlite-tmp": "sqlite_tmp:SqliteTmp",
    "ddb": "ddb:Ddb",
    "sqlite-tmp-cached": "sqlite_tmp_cached:SqliteTmpCached",
    "sqlite-efs-immutable": "sqlite_efs_immutable:SqliteEfsImmutable",
}


def get(name: str) -> Strategy:
    """The strategy called ``name``; BadParameterError naming ``endpoint`` for an unknown one."""
    if name not in _FACTORIES:
        raise BadParameterError(
            "endpoint",
            f"endpoint={name!r} is not a strategy: use one of {', '.join(STRATEGY_NAMES)}.",
        )
    return _build(name)


@cache
def _build(name: str) -> Strategy:
    module_name, class_name = _FACTORIES[name].split(":")
    module = import_module(f"{__name__}.{module_name}")
    strategy: Strategy = getattr(module, class_name)()
    return strategy


def all_strategies() -> dict[str, Strategy]:
    """Every strategy, in ``STRATEGY_NAMES`` order."""
    return {name: get(name) for name in STRATEGY_NAMES}
