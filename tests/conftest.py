"""Fixtures shared by the whole suite.

Unit tests talk to moto's in-process DynamoDB (``ddb``); tests marked ``integration`` talk to
a real dynalite process (``dynalite_endpoint``, in ``tests/integration``).
"""

import os
from collections.abc import Iterator

import pytest
from moto import mock_aws

from bench.dynamo import table

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
