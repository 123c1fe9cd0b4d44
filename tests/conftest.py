"""Fixtures shared by every test: real NATS and a real MongoDB-protocol server, clean state per test."""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import nats
import nats.js.errors
import pytest
from pymongo import AsyncMongoClient

from tests.support.servers import mongo_server, provide_mongo, provide_nats, temp_base


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Tests under */unit/ are marked `unit`, under */integration/ `integration`, under e2e/ `e2e`; the slow
    whole-system tests (e2e/, system/) run last, so a quick failure shows first."""
    items.sort(key=lambda item: 1 if {"e2e", "system"} & set(Path(str(item.fspath)).parts) else 0)
    for item in items:
        parts = Path(str(item.fspath)).parts
        if "unit" in parts:
            item.add_marker(pytest.mark.unit)
        elif "integration" in parts:
            item.add_marker(pytest.mark.integration)
        elif "e2e" in parts:
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def servers_base() -> Iterator[Path]:
    base = temp_base()
    yield base
    shutil.rmtree(base, ignore_errors=True)


@pytest.fixture(scope="session")
def nats_url(servers_base: Path) -> Iterator[str]:
    with provide_nats(servers_base) as (url, how):
        os.environ.setdefault("KOONTO_TEST_NATS_HOW", how)
        yield url


@pytest.fixture(scope="session")
def mongo_url(servers_base: Path) -> Iterator[str]:
    with provide_mongo(servers_base) as (url, how):
        os.environ.setdefault("KOONTO_TEST_MONGO_HOW", how)
        yield url


@pytest.fixture(scope="session")
def nx_mongo_url(servers_base: Path) -> Iterator[str]:
    """An nx-27017 server beside the default store, for a race between two replicas that only a store applying
    one document's updates atomically across connections settles (MongoDB and nx-27017 do; FerretDB v1, the
    default store, does not). Started once per session, only by the tests that ask for it."""
    server = mongo_server(servers_base / "nx-beside", kind="nx-27017")
    server.start()
    try:
        yield f"mongodb://127.0.0.1:{server.port}/"
    finally:
        server.stop()


def pytest_report_header(config: pytest.Config) -> list[str]:
    store = os.environ.get("KOONTO_TEST_MONGO_URL") or os.environ.get("KOONTO_TEST_STORE") or "auto"
    return [f"koonto: store={store} nats={os.environ.get('KOONTO_TEST_NATS_URL') or 'auto'}"]


@pytest.fixture
async def clean_stream(nats_url: str) -> AsyncIterator[str]:
    """Every test starts with no KOONTO stream and no consumers; services declare it again."""
    nc = await nats.connect(nats_url)
    js = nc.jetstream()
    try:
        await js.delete_stream("KOONTO")
    except nats.js.errors.NotFoundError:
        pass
    await nc.close()
    yield nats_url


@pytest.fixture
def unique() -> str:
    return uuid.uuid4().hex[:10]


@pytest.fixture
async def mongo(mongo_url: str) -> AsyncIterator[AsyncMongoClient[dict]]:
    client: AsyncMongoClient[dict] = AsyncMongoClient(mongo_url, tz_aware=True)
    yield client
    await client.close()


@pytest.fixture
async def db_names(mongo: AsyncMongoClient[dict], unique: str) -> AsyncIterator[dict[str, str]]:
    """A clean database per service for this test, dropped afterwards."""
    names = {s: f"t{unique}_{s}" for s in ("intake", "advisory", "notify", "reporting", "probe")}
    yield names
    for name in names.values():
        try:
            await mongo.drop_database(name)
        except Exception:
            pass


@pytest.fixture
async def nx_database(nx_mongo_url: str, unique: str) -> AsyncIterator[str]:
    """A clean database on the nx-27017 server beside the default store (`nx_mongo_url`), dropped afterwards."""
    name = f"t{unique}_nx"
    yield name
    client: AsyncMongoClient[dict] = AsyncMongoClient(nx_mongo_url, tz_aware=True)
    try:
        await client.drop_database(name)
    except Exception:
        pass
    await client.close()
