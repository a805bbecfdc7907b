"""``bench.dynamo.table``: one place points models and clients at the table; failures in words."""

from collections.abc import Iterator
from typing import Any

import pytest
from botocore.exceptions import ClientError, EndpointConnectionError, NoCredentialsError

from bench.dynamo import table
from bench.dynamo.models import ALL_MODELS, RandomItem
from bench.localdynamo import free_port


def client_error(code: str, message: str = "nope", operation: str = "DescribeTable") -> ClientError:
    return ClientError({"Error": {"Code": code, "Message": message}}, operation)


class FakeClient:
    """Answers describe_table with the given statuses in turn; create_table may raise."""

    def __init__(
        self,
        *,
        statuses: list[str] | None = None,
        describe_error: Exception | None = None,
        create_error: Exception | None = None,
    ) -> None:
        self.statuses = list(statuses or ["ACTIVE"])
        self.describe_error = describe_error
        self.create_error = create_error
        self.created: list[str] = []

    def describe_table(self, *, TableName: str) -> dict[str, Any]:  # noqa: N803
        if self.describe_error:
            raise self.describe_error
        status = self.statuses.pop(0) if len(self.statuses) > 1 else self.statuses[0]
        return {"Table": {"TableName": TableName, "TableStatus": status}}

    def create_table(self, **request: Any) -> dict[str, Any]:
        if self.create_error:
            raise self.create_error
        self.created.append(request["TableName"])
        return {}


@pytest.fixture
def restore_target() -> Iterator[None]:
    previous = table.target()
    yield
    table.configure(
        table_name=previous.table_name, endpoint_url=previous.endpoint_url, region=previous.region
    )


@pytest.fixture
def fake_client(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeClient]:
    fake = FakeClient()
    monkeypatch.setattr(table, "client", lambda: fake)
    yield fake


def point_at(*, endpoint_url: str | None, table_name: str = "bench-unit") -> table.Target:
    return table.configure(table_name=table_name, endpoint_url=endpoint_url, region="eu-west-1")


# --- configure ---


@pytest.mark.usefixtures("restore_target")
def test_configure_points_every_model_at_the_table_and_drops_cached_connections() -> None:
    for model in ALL_MODELS:
        model._connection = object()  # type: ignore[assignment]

    target = point_at(endpoint_url="http://127.0.0.1:8000")

    assert target == table.Target(
        table_name="bench-unit", endpoint_url="http://127.0.0.1:8000", region="eu-west-1"
    )
    assert table.target() is target
    assert {(m.Meta.table_name, m.Meta.host, m.Meta.region, m._connection) for m in ALL_MODELS} == {
        ("bench-unit", "http://127.0.0.1:8000", "eu-west-1", None)
    }


@pytest.mark.usefixtures("restore_target")
def test_configure_gives_a_new_client_for_the_new_endpoint() -> None:
    point_at(endpoint_url="http://127.0.0.1:8001")
    first = table.client()
    same = table.client()

    point_at(endpoint_url="http://127.0.0.1:8002")
    second = table.client()

    assert first is same
    assert (first.meta.endpoint_url, second.meta.endpoint_url) == (
        "http://127.0.0.1:8001",
        "http://127.0.0.1:8002",
    )
    assert second.meta.region_name == "eu-west-1"


@pytest.mark.usefixtures("restore_target")
def test_the_client_fails_fast_and_has_a_connection_per_seed_worker() -> None:
    point_at(endpoint_url="http://127.0.0.1:8003")

    client: Any = table.client()

    config = client.meta.config
    assert (
        config.connect_timeout,
        config.read_timeout,
        config.retries,
        config.max_pool_connections,
    ) == (3, 10, {"mode": "standard", "total_max_attempts": 4}, 64)
    # Parameter validation is off: the serializer is not wrapped in botocore's validator.
    assert type(client._serializer).__name__ == "JSONSerializer"


@pytest.mark.usefixtures("restore_target")
def test_a_local_endpoint_without_credentials_gets_placeholders(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")

    point_at(endpoint_url="http://127.0.0.1:8004")

    client: Any = table.client()
    credentials = client._request_signer._credentials
    assert (credentials.access_key, credentials.secret_key) == ("local", "local")
    assert (RandomItem.Meta.aws_access_key_id, RandomItem.Meta.aws_secret_access_key) == (
        "local",
        "local",
    )


@pytest.mark.usefixtures("restore_target")
def test_credentials_in_the_environment_or_aws_use_the_normal_chain(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "from-env")
    with_env = table.credentials_for("http://127.0.0.1:8000")
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    on_aws = table.credentials_for(None)

    point_at(endpoint_url=None)

    assert (with_env, on_aws) == ((None, None), (None, None))
    assert RandomItem.Meta.aws_access_key_id is None


def test_target_describes_itself_for_messages() -> None:
    local = table.Target(table_name="t1", endpoint_url="http://127.0.0.1:8000", region="us-east-1")
    aws = table.Target(table_name="t2", endpoint_url=None, region="eu-west-1")

    assert (local.is_local, local.describe()) == (True, "table 't1' at http://127.0.0.1:8000")
    assert (aws.is_local, aws.describe()) == (False, "table 't2' at AWS DynamoDB in eu-west-1")


# --- describe_failure ---


@pytest.mark.usefixtures("restore_target")
def test_describe_failure_says_which_endpoint_could_not_be_reached() -> None:
    point_at(endpoint_url="http://127.0.0.1:9")

    message = table.describe_failure(EndpointConnectionError(endpoint_url="http://127.0.0.1:9"))

    assert (
        message
        == "Could not reach DynamoDB (table 'bench-unit' at http://127.0.0.1:9): is it running?"
    )


@pytest.mark.usefixtures("restore_target")
def test_describe_failure_gives_the_code_and_message_of_a_refusal() -> None:
    point_at(endpoint_url=None)

    message = table.describe_failure(client_error("AccessDeniedException", "not allowed"))

    assert message == (
        "DynamoDB refused the request on table 'bench-unit' at AWS DynamoDB in eu-west-1: "
        "AccessDeniedException: not allowed"
    )


@pytest.mark.usefixtures("restore_target")
def test_describe_failure_falls_back_to_the_exception_text() -> None:
    point_at(endpoint_url=None)

    assert table.describe_failure(NoCredentialsError()) == (
        "DynamoDB failed on table 'bench-unit' at AWS DynamoDB in eu-west-1: "
        "Unable to locate credentials"
    )
    assert table.describe_failure(OSError("Could not connect to the endpoint URL")).startswith(
        "Could not reach DynamoDB"
    )


# --- create_table, table_exists, ensure_table ---


def test_create_table_makes_keys_gsi1_on_demand_then_reports_it_exists(ddb: table.Target) -> None:
    table.client().delete_table(TableName=ddb.table_name)

    created = table.create_table()
    again = table.create_table()

    description = table.client().describe_table(TableName=ddb.table_name)["Table"]
    assert (created, again) == (True, False)
    assert description["KeySchema"] == [
        {"AttributeName": "PK", "KeyType": "HASH"},
        {"AttributeName": "SK", "KeyType": "RANGE"},
    ]
    (index,) = description["GlobalSecondaryIndexes"]
    assert (index["IndexName"], index["KeySchema"], index["Projection"]) == (
        "GSI1",
        [
            {"AttributeName": "GSI1PK", "KeyType": "HASH"},
            {"AttributeName": "GSI1SK", "KeyType": "RANGE"},
        ],
        {"ProjectionType": "ALL"},
    )
    assert description["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"


def test_create_table_waits_until_the_table_is_active(
    fake_client: FakeClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_client.statuses = ["CREATING", "CREATING", "ACTIVE"]
    monkeypatch.setattr("bench.dynamo.table.time.sleep", lambda seconds: None)

    assert table.create_table() is True
    assert fake_client.statuses == ["ACTIVE"]


def test_create_table_gives_up_on_a_table_that_never_becomes_active(
    fake_client: FakeClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_client.statuses = ["CREATING"]
    monkeypatch.setattr("bench.dynamo.table.time.sleep", lambda seconds: None)

    with pytest.raises(table.DynamoUnavailableError, match=r"did not become ACTIVE within 0 s\.$"):
        table.create_table(wait_seconds=0)


def test_create_table_turns_a_refusal_into_one_sentence(fake_client: FakeClient) -> None:
    fake_client.create_error = client_error("LimitExceededException", "too many tables")

    with pytest.raises(
        table.DynamoUnavailableError,
        match=r"^DynamoDB refused the request on .*: LimitExceededException: too many tables$",
    ):
        table.create_table()


@pytest.mark.usefixtures("restore_target")
def test_create_table_on_a_closed_port_says_it_could_not_reach_it() -> None:
    port = free_port()
    point_at(endpoint_url=f"http://127.0.0.1:{port}")

    with pytest.raises(table.DynamoUnavailableError) as failed:
        table.create_table()

    assert str(failed.value) == (
        f"Could not reach DynamoDB (table 'bench-unit' at http://127.0.0.1:{port}): is it running?"
    )


def test_table_exists_tells_present_from_missing(ddb: table.Target) -> None:
    present = table.table_exists()
    table.configure(table_name="never-created", endpoint_url=None, region="us-east-1")

    assert (present, table.table_exists()) == (True, False)


def test_table_exists_raises_when_dynamodb_cannot_be_asked(fake_client: FakeClient) -> None:
    fake_client.describe_error = client_error("AccessDeniedException", "no describe")

    with pytest.raises(table.DynamoUnavailableError, match=r"AccessDeniedException: no describe$"):
        table.table_exists()


@pytest.mark.usefixtures("restore_target")
def test_table_exists_on_a_closed_port_says_it_could_not_reach_it() -> None:
    point_at(endpoint_url=f"http://127.0.0.1:{free_port()}")

    with pytest.raises(table.DynamoUnavailableError, match=r"^Could not reach DynamoDB \(table"):
        table.table_exists()


@pytest.mark.usefixtures("restore_target")
def test_ensure_table_creates_a_missing_table_on_a_local_endpoint(
    fake_client: FakeClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    point_at(endpoint_url="http://127.0.0.1:8000", table_name="local-table")
    fake_client.describe_error = client_error("ResourceNotFoundException")
    monkeypatch.setattr(table, "create_table", lambda: fake_client.created.append("local-table"))

    table.ensure_table()

    assert fake_client.created == ["local-table"]


@pytest.mark.usefixtures("restore_target")
def test_ensure_table_leaves_an_existing_table_alone(fake_client: FakeClient) -> None:
    point_at(endpoint_url="http://127.0.0.1:8000")

    table.ensure_table()

    assert fake_client.created == []


def test_ensure_table_on_aws_says_to_deploy(ddb: table.Target) -> None:
    table.configure(table_name="not-deployed", endpoint_url=None, region="us-east-1")

    with pytest.raises(table.TableMissingError) as missing:
        table.ensure_table()

    assert str(missing.value) == (
        "Table 'not-deployed' does not exist in us-east-1: deploy the stack first "
        "(cd infra && npx cdk deploy) or set BENCH_TABLE_NAME."
    )


@pytest.mark.integration
def test_ensure_table_creates_the_table_on_dynalite(dynalite_endpoint: str) -> None:
    previous = table.target()
    table.configure(
        table_name="bench-it-ensured", endpoint_url=dynalite_endpoint, region="us-east-1"
    )
    try:
        before = table.table_exists()
        table.ensure_table()
        after = table.table_exists()
        table.client().delete_table(TableName="bench-it-ensured")
    finally:
        table.configure(
            table_name=previous.table_name,
            endpoint_url=previous.endpoint_url,
            region=previous.region,
        )

    assert (before, after) == (False, True)
