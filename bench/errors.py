"""Domain errors, each mapped once to an HTTP status by ``bench.api``.

Raise these from anywhere (strategies, snapshot, benchmark runs); views never build error
responses themselves. ``detail`` is a sentence a caller can act on.
"""

from typing import ClassVar


class BenchError(Exception):
    status: ClassVar[int] = 500
    code: ClassVar[str] = "internal_error"

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class BadParameterError(BenchError):
    """A caller-supplied value is out of range or malformed; ``detail`` names the parameter."""

    status = 422
    code = "bad_parameter"

    def __init__(self, parameter: str, detail: str) -> None:
        super().__init__(detail)
        self.parameter = parameter


class NotFoundError(BenchError):
    status = 404
    code = "not_found"


class SnapshotBuildRunningError(BenchError):
    status = 409
    code = "snapshot_build_running"


class NoSnapshotError(BenchError):
    status = 503
    code = "no_snapshot"

    def __init__(self, detail: str = "No SQLite snapshot exists yet: POST /insert first.") -> None:
        super().__init__(detail)


class StorageUnavailableError(BenchError):
    """DynamoDB or the file system could not be reached; ``detail`` says which and where."""

    status = 503
    code = "storage_unavailable"


class ResponseTooLargeError(BenchError):
    """The answer would exceed the 6 MB response cap of a Function URL; ``detail`` says how to
    ask for less."""

    status = 413
    code = "response_too_large"
