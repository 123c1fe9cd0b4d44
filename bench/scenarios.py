"""Koonto-level measurements, each paired with the raw primitive it is divided by."""

from __future__ import annotations

import asyncio
import time
import uuid
from typing import Any

import httpx

from bench.raw import Rate, concurrently
from tests.support.system import System


def idea_payload(i: int, run: str) -> dict[str, Any]:
    return {
        "organisation": {"name": f"Kyläyhdistys {run}-{i} ry", "type": "registered_association",
                         "business_id": "1572860-0", "municipality": "kuopio"},
        "contact": {"name": f"Maija Mittari {i}", "email": f"bench-{run}-{i}@example.fi", "language": "fi",
                    "channel": "email"},
        "title": f"Kylätalon kohtaamispaikka {run}-{i}",
        "description": "Avataan kylätalo kaikenikäisten kohtaamispaikaksi. " * 10,
        "themes": ["village"],
        "target_groups": ["ikäihmiset"],
        "estimated_budget_eur": 25000,
        "consents": {"privacy_notice": True},
    }


async def intake_ideas(system: System, total: int, concurrency: int) -> Rate:
    url = f"{system.services['intake'].url}/api/v1/ideas"
    run = uuid.uuid4().hex[:6]
    async with httpx.AsyncClient(timeout=30) as client:

        async def one(i: int) -> None:
            response = await client.post(url, json=idea_payload(i, run))
            if response.status_code != 201:
                raise RuntimeError(f"intake answered {response.status_code}: {response.text[:300]}")

        return await concurrently(total, concurrency, one)


async def idea_to_receipt_mail(system: System, count: int) -> Rate:
    """POST /api/v1/ideas -> the receipt mail accepted by the SMTP server, one idea at a time."""
    url = f"{system.services['intake'].url}/api/v1/ideas"
    run = uuid.uuid4().hex[:6]
    latencies = []
    async with httpx.AsyncClient(timeout=30) as client:
        for i in range(count):
            payload = idea_payload(i, f"e2e{run}")
            address = payload["contact"]["email"]
            started = time.perf_counter()
            response = await client.post(url, json=payload)
            response.raise_for_status()
            deadline = started + 60
            while not system.mail.to(address):
                if time.perf_counter() > deadline:
                    raise TimeoutError(f"no receipt mail for {address}")
                await asyncio.sleep(0.002)
            latencies.append(time.perf_counter() - started)
    return Rate(count, sum(latencies), latencies)
