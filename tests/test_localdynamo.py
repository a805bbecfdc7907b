"""The dynalite process manager: started, awaited, stopped, never left behind."""

import os
from pathlib import Path

import pytest

from bench.dynamo import table
from bench.localdynamo import LocalDynamo, LocalDynamoError


def process_exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


@pytest.mark.integration
def test_local_ddb_fixture_gives_an_empty_table_on_dynalite(local_ddb: table.Target) -> None:
    names = table.client().list_tables()["TableNames"]

    assert local_ddb.table_name in names
    assert local_ddb.endpoint_url is not None and local_ddb.endpoint_url.startswith(
        "http://127.0.0.1:"
    )


@pytest.mark.integration
def test_context_manager_stops_the_process(tmp_path: Path) -> None:
    with LocalDynamo(path=tmp_path / "db", fast_tables=True) as server:
        pid = server.pid
        assert pid is not None and process_exists(pid)

    assert not process_exists(pid)
    assert not server.running


def test_missing_binary_says_to_run_make_install(tmp_path: Path) -> None:
    server = LocalDynamo(binary=tmp_path / "node_modules" / ".bin" / "dynalite")

    with pytest.raises(LocalDynamoError, match=r"is missing\): run `make install`\.$"):
        server.start()
