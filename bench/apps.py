from django.apps import AppConfig


class BenchConfig(AppConfig):
    name = "bench"
    verbose_name = "SQLite on Lambda benchmark"

    def ready(self) -> None:
        from django.conf import settings
        from django.core.signals import request_started

        from bench.coldstart import on_request_started
        from bench.dynamo.table import configure

        request_started.connect(on_request_started, dispatch_uid="bench.coldstart")

        configure(
            table_name=settings.BENCH_TABLE_NAME,
            endpoint_url=settings.DYNAMODB_ENDPOINT_URL,
            region=settings.AWS_REGION,
        )
