"""Whether the request being served is the first one this process (a Lambda container) serves.

``on_request_started`` runs on Django's ``request_started`` signal (connected in
``BenchConfig.ready``), so the very first request of any route flips the flag, not only the first
read. ``is_cold_start`` tells the code serving a request whether it is that first one.
"""

import threading

_lock = threading.Lock()
_served_any = False
_current = threading.local()


def on_request_started(**_signal: object) -> None:
    global _served_any
    with _lock:
        cold, _served_any = not _served_any, True
    _current.cold = cold


def is_cold_start() -> bool:
    """True while serving the first request this process serves."""
    return bool(getattr(_current, "cold", False))


def reset() -> None:
    """Make the next request count as the process's first (tests)."""
    global _served_any
    with _lock:
        _served_any = False
    _current.cold = False
