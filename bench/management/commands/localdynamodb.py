"""``manage.py localdynamodb [--port 8000] [--path var/dynamodb]``: the local DynamoDB."""

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from bench.localdynamo import LocalDynamo, LocalDynamoError

DEFAULT_PORT = 8000
DEFAULT_PATH = "var/dynamodb"


class Command(BaseCommand):
    help = (
        "Run the local DynamoDB (dynalite, installed by `make install`) in the foreground on "
        "127.0.0.1, keeping its data on disk; Ctrl-C stops it."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        # Parsed as text and checked in handle(), so a bad value ends in one CommandError.
        parser.add_argument(
            "--port",
            default=str(DEFAULT_PORT),
            help=f"TCP port on 127.0.0.1 (1..65535, default {DEFAULT_PORT})",
        )
        parser.add_argument(
            "--path",
            default=DEFAULT_PATH,
            help=f"directory for the data, relative to the project (default {DEFAULT_PATH})",
        )

    def handle(self, *args: str, **options: Any) -> None:  # noqa: ANN401 - Django's signature
        port = parse_port(options["port"])
        path = data_path(options["path"])
        server = LocalDynamo(port=port, path=path)
        self.start(server)
        try:
            code = self.serve(server)
        finally:
            server.stop()
        if code is not None:
            raise CommandError(
                f"dynalite stopped by itself (exit code {code})"
                f"{': ' + server.last_stderr if server.last_stderr else '.'}"
            )
        self.stdout.write(self.style.SUCCESS("Stopped the local DynamoDB."))

    def start(self, server: LocalDynamo) -> None:
        try:
            server.start()
        except LocalDynamoError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(
            f"Local DynamoDB (dynalite) listening on {server.endpoint_url}, data in "
            f"{server.path}.\nUse it with DYNAMODB_ENDPOINT_URL={server.endpoint_url}; "
            "press Ctrl-C to stop."
        )

    def serve(self, server: LocalDynamo) -> int | None:
        """Wait in the foreground; None after Ctrl-C, else the exit code of a crashed server."""
        try:
            return server.wait()
        except KeyboardInterrupt:
            self.stdout.write("")
            return None


def parse_port(raw: object) -> int:
    try:
        port = int(str(raw))
    except ValueError:
        raise CommandError(
            f"--port {raw!r} is not a whole number: give a port in 1..65535."
        ) from None
    if not 1 <= port <= 65535:
        raise CommandError(f"--port {port} is out of range: give a port in 1..65535.")
    return port


def data_path(raw: str) -> Path:
    if not str(raw).strip():
        raise CommandError("--path is empty: give a directory for the data.")
    path = Path(raw)
    return path if path.is_absolute() else Path(settings.BASE_DIR) / path
