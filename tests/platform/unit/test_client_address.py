"""koonto.shared.web.client_address: the client is the hop the outermost trusted proxy added, never what the
client wrote into X-Forwarded-For itself."""

from __future__ import annotations

from typing import Any

import pytest
from starlette.requests import Request

from koonto.shared.settings import ServiceSettings
from koonto.shared.web import client_address

pytestmark = pytest.mark.unit


def request(*forwarded: str, peer: str = "10.0.0.5") -> Request:
    scope: dict[str, Any] = {
        "type": "http",
        "method": "GET",
        "path": "/",
        "headers": [(b"x-forwarded-for", value.encode()) for value in forwarded],
        "client": (peer, 40000),
    }
    return Request(scope)


def settings(**values: Any) -> ServiceSettings:
    return ServiceSettings(mode="test", **values)


def test_without_trusted_proxies_the_socket_peer_is_the_client() -> None:
    assert client_address(request("198.51.100.1"), settings()) == "10.0.0.5"


def test_trust_forwarded_for_means_one_proxy_hop_counted_from_the_right() -> None:
    trusting = settings(trust_forwarded_for=True)
    assert trusting.proxy_hops == 1
    assert client_address(request("203.0.113.7"), trusting) == "203.0.113.7"
    # the client wrote the first hop itself; the proxy appended the address it saw
    assert client_address(request("1.2.3.4, 203.0.113.7"), trusting) == "203.0.113.7"
    assert client_address(request("1.2.3.4", "203.0.113.7"), trusting) == "203.0.113.7"  # repeated header
    assert client_address(request(), trusting) == "10.0.0.5"  # no header: the peer


def test_more_trusted_proxies_take_the_hop_the_outermost_one_added() -> None:
    two = settings(trust_forwarded_for=True, trusted_proxy_hops=2)
    assert client_address(request("1.2.3.4, 203.0.113.7, 10.1.2.3"), two) == "203.0.113.7"
    assert client_address(request("203.0.113.7"), two) == "203.0.113.7"  # fewer hops than proxies
    assert client_address(request("1.2.3.4"), settings(trust_forwarded_for=True, trusted_proxy_hops=0)) == "10.0.0.5"
