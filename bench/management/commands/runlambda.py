"""``python manage.py runlambda``: the app behind a local Lambda Function URL."""

import errno
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from bench.functionurl import DEFAULT_MEMORY_MB, FunctionUrlServer, Handler
from bench.management.arguments import parse_int

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8080


class Command(BaseCommand):
    help = (
        "Serve the app locally through benchsite.wsgi.lambda_handler: every HTTP request is "
        "turned into a Lambda Function URL event (payload format 2.0), so the local path is the "
        "Lambda path. Serves one request at a time, like one Lambda execution environment."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        # Numbers are parsed as text in validate(), so a bad value ends in one CommandError
        # sentence (exit 1) rather than argparse's usage error (exit 2).
        parser.add_argument(
            "--host",
            default=DEFAULT_HOST,
            help=f"Address to listen on (default {DEFAULT_HOST}, this machine only).",
        )
        parser.add_argument(
            "--port",
            default=DEFAULT_PORT,
            help=f"TCP port, 0..65535; 0 picks a free one (default {DEFAULT_PORT}).",
        )
        parser.add_argument(
            "--memory",
            default=DEFAULT_MEMORY_MB,
            help="Memory (MB, 128..10240) the Lambda context reports to the handler "
            f"(default {DEFAULT_MEMORY_MB}); it limits nothing locally.",
        )

    def handle(self, *args: object, **options: Any) -> None:  # noqa: ANN401 - Django's command signature
        host: str = options["host"]
        port, memory = self.validate(host=host, port=options["port"], memory=options["memory"])
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

    def validate(self, *, host: str, port: object, memory: object) -> tuple[int, int]:
        """The port and memory as ints; CommandError naming the first bad value."""
        if not host.strip():
            raise CommandError("--host is empty: give an address such as 127.0.0.1.")
        return (
            parse_int("--port", port, minimum=0, maximum=65535, note="(0 = any free port)"),
            parse_int("--memory", memory, minimum=128, maximum=10240, note="(MB)"),
        )

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
