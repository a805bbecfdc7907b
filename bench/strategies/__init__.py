"""The registry of read strategies: name -> strategy (see ``bench.strategies.base``).

Adding a strategy is one new module plus one line in ``_FACTORIES``.
"""

STRATEGY_NAMES: tuple[str, ...] = (
    "sqlite-efs",
    "sqlite-tmp",
    "ddb",
    "sqlite-tmp-cached",
    "sqlite-efs-immutable",
)
