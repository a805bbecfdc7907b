"""Bounds on what one request may ask for, shared by the routes and the code behind them.

Kept apart from ``bench.snapshot`` and ``bench.sessions`` so the routes can declare them in
their schemas without loading the DynamoDB machinery at a container's start.
"""

MAX_INSERT = 10_000  # items one POST /insert may write

MIN_ITERATIONS = 1  # per strategy, in one /benchmark session
MAX_ITERATIONS = 1000
DEFAULT_ITERATIONS = 100

MIN_PAGE = 1  # sessions per page of /benchmark/sessions
MAX_PAGE = 100
MAX_TREND_SESSIONS = 1000  # newest sessions /benchmark/trends may use
