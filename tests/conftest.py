"""Fixtures shared by the whole suite.

Unit tests talk to moto's in-process DynamoDB (``ddb``); tests marked ``integration`` talk to
a real dynalite process (``dynalite_endpoint`` for the session, ``local_ddb`` per test).
"""

import os
import uuid
from collections.abc import Iterator

import pytest
from moto import mock_aws

from bench.dynamo import table
from bench.localdynamo import LocalDynamo

# Unit tests never reach AWS: dummy credentials, a fixed region, no shared config files.
os.environ.update(
    {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SECURITY_TOKEN": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_CONFIG_FILE": os.devnull,
        "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
    }
)

TEST_TABLE = "bench-test-main"


@pytest.fixture
def ddb() -> Iterator[table.Target]:
    """An empty table (keys, GSI1) in moto's in-process DynamoDB, with every model pointed at it."""
    with mock_aws():
        target = table.configure(table_name=TEST_TABLE, endpoint_url=None, region="us-east-1")
        table.create_table()
        yield target
    table.configure(table_name=TEST_TABLE, endpoint_url=None, region="us-east-1")


@pytest.fixture(scope="session")
def dynalite_endpoint(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """One dynalite process for the whole session on a free loopback port; yields its URL."""
    with LocalDynamo(port=0, path=tmp_path_factory.mktemp("dynalite"), fast_tables=True) as server:
        yield server.endpoint_url


@pytest.fixture
def local_ddb(dynalite_endpoint: str) -> Iterator[table.Target]:
    """A fresh table of its own on the session's dynalite, with every model pointed at it."""
    previous = table.target()
    target = table.configure(
        table_name=f"bench-it-{uuid.uuid4().hex[:12]}",
        endpoint_url=dynalite_endpoint,
        region="us-east-1",
    )
    table.create_table()
    yield target
    table.client().delete_table(TableName=target.table_name)
    table.configure(
        table_name=previous.table_name,
        endpoint_url=previous.endpoint_url,
        region=previous.region,
    )
