"""``python manage.py runlambda``: the app behind a local Lambda Function URL."""

import errno
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from bench.functionurl import DEFAULT_MEMORY_MB, FunctionUrlServer, Handler

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8080


class Command(BaseCommand):
    help = (
        "Serve the app locally through benchsite.wsgi.lambda_handler: every HTTP request is "
        "turned into a Lambda Function URL event (payload format 2.0), so the local path is the "
        "Lambda path. Serves one request at a time, like one Lambda execution environment."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--host",
            default=DEFAULT_HOST,
            help=f"Address to listen on (default {DEFAULT_HOST}, this machine only).",
        )
        parser.add_argument(
            "--port",
            type=int,
            default=DEFAULT_PORT,
            help=f"TCP port, 0..65535; 0 picks a free one (default {DEFAULT_PORT}).",
        )
        parser.add_argument(
            "--memory",
            type=int,
            default=DEFAULT_MEMORY_MB,
            help="Memory (MB, 128..10240) the Lambda context reports to the handler "
            f"(default {DEFAULT_MEMORY_MB}); it limits nothing locally.",
        )

    def handle(self, *args: object, **options: Any) -> None:  # noqa: ANN401 - Django's command signature
        host: str = options["host"]
        port: int = options["port"]
        memory: int = options["memory"]
        self.validate(host=host, port=port, memory=memory)
        server = self.build_server(
            host=host, port=port, memory=memory, verbose=options["verbosity"] > 0
        )
        self.stdout.write(
            f"Serving benchsite.wsgi.lambda_handler as a Function URL at {server.url} "
            "(Ctrl-C to stop)."
        )
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            server.stop()
        self.stdout.write(self.style.SUCCESS(f"Stopped after {server.served} request(s)."))

    def validate(self, *, host: str, port: int, memory: int) -> None:
        if not host.strip():
            raise CommandError("--host is empty: give an address such as 127.0.0.1.")
        if not 0 <= port <= 65535:
            raise CommandError(f"--port {port} is out of range: use 0..65535 (0 = any free port).")
        if not 128 <= memory <= 10240:
            raise CommandError(f"--memory {memory} is out of range: use 128..10240 (MB).")

    def build_server(
        self, *, host: str, port: int, memory: int, verbose: bool
    ) -> FunctionUrlServer:
        handler = load_handler()
        try:
            return FunctionUrlServer(
                handler,
                host=host,
                port=port,
                memory_mb=memory,
                log=self.stdout.write if verbose else None,
            )
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise CommandError(
                    f"Port {port} on {host} is already in use: stop whatever listens there or "
                    "pass another --port."
                ) from None
            raise CommandError(f"Cannot listen on {host}:{port}: {exc.strerror or exc}.") from None


def load_handler() -> Handler:
    # Imported here: building the WSGI application belongs to serving, not to `manage.py help`.
    from benchsite.wsgi import lambda_handler

    return lambda_handler
