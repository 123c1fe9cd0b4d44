"""Each service starts as a real process (`python -m koonto.<service>`) and reports its health."""

from __future__ import annotations

import time
from pathlib import Path

import httpx
import pytest

from tests.support.servers import free_port
from tests.support.services import service_process, wait_http

SERVICES = ["intake", "advisory", "notify", "reporting"]


@pytest.mark.parametrize("service", SERVICES)
def test_service_process_is_healthy_ready_and_observable(
    service: str, clean_stream: str, mongo_url: str, db_names: dict[str, str], tmp_path: Path
) -> None:
    env = {
        "KOONTO_NATS_URL": clean_stream, "KOONTO_MONGO_URL": mongo_url, "KOONTO_MONGO_DATABASE": db_names[service],
        "KOONTO_MODE": "test", "KOONTO_DATA_DIR": str(tmp_path / "data"),
    }
    with service_process(service, env=env, log_dir=tmp_path) as (_, base):
        assert wait_http(f"{base}/healthz").json() == {"status": "ok"}
        ready = wait_http(f"{base}/readyz", timeout=60).json()
        assert ready == {"status": "ready", "checks": {"nats": True, "store": True}}
        metrics = httpx.get(f"{base}/metrics").text
        assert "koonto_http_requests_total" in metrics
        openapi = httpx.get(f"{base}/openapi.json").json()
        assert openapi["info"]["title"].lower().startswith(f"koonto {service}")


def test_readyz_fails_while_nats_is_unreachable(mongo_url: str, db_names: dict[str, str], tmp_path: Path) -> None:
    dead_port = free_port()  # nothing listens here
    env = {
        "KOONTO_NATS_URL": f"nats://127.0.0.1:{dead_port}", "KOONTO_MONGO_URL": mongo_url,
        "KOONTO_MONGO_DATABASE": db_names["intake"], "KOONTO_MODE": "test", "KOONTO_DATA_DIR": str(tmp_path / "data"),
    }
    with service_process("intake", env=env, log_dir=tmp_path) as (_, base):
        wait_http(f"{base}/healthz")
        # The first answers come while the service still sets up the store (indexes), so both checks may be false
        # then: wait for the store's side to come up, and NATS's must stay down (503) the whole time.
        deadline = time.monotonic() + 60
        while True:
            response = wait_http(f"{base}/readyz", status=503)
            checks = response.json()["checks"]
            assert checks["nats"] is False
            if checks["store"] or time.monotonic() > deadline:
                break
            time.sleep(0.2)
        assert checks == {"nats": False, "store": True}


def test_readyz_fails_while_store_is_unreachable(clean_stream: str, tmp_path: Path) -> None:
    dead_port = free_port()
    env = {
        "KOONTO_NATS_URL": clean_stream, "KOONTO_MONGO_URL": f"mongodb://127.0.0.1:{dead_port}/",
        "KOONTO_MODE": "test", "KOONTO_DATA_DIR": str(tmp_path / "data"),
    }
    with service_process("reporting", env=env, log_dir=tmp_path) as (_, base):
        response = wait_http(f"{base}/readyz", status=503, timeout=60)
        assert response.json()["checks"]["store"] is False
