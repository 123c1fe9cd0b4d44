"""Hostile inputs pushed through the public idea API and the HTML form, with real NATS and a real store:
never a 5xx or a stack trace; what is stored is shown back as plain text, never interpreted."""

from __future__ import annotations

import copy
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import urlparse

import httpx
import pytest

from koonto.intake.main import create_runtime
from koonto.shared.runtime import Runtime
from tests.fuzz.hostile import HOSTILE, MEGABYTE
from tests.intake.helpers import idea_body
from tests.intake.integration.conftest import intake_settings
from tests.support.services import client, running

TEXT_FIELDS = [("organisation", "name"), ("contact", "name"), ("title",), ("description",), ("schedule",)]


@pytest.fixture
async def intake(clean_stream: str, mongo_url: str, db_names: dict[str, str]) -> AsyncIterator[
        tuple[Runtime, httpx.AsyncClient]]:
    runtime = create_runtime(intake_settings(clean_stream, mongo_url, db_names["intake"], rate_limit_requests=100000))
    async with running(runtime), client(runtime) as http:
        yield runtime, http


def with_value(path: tuple[str, ...], value: str, index: int) -> dict[str, Any]:
    body = copy.deepcopy(idea_body())
    body["contact"]["email"] = f"hostile-{index}@example.fi"  # one person per case, so no duplicate folding
    target = body
    for part in path[:-1]:
        target = target[part]
    target[path[-1]] = value
    return body


async def test_hostile_text_in_every_idea_field(intake: tuple[Runtime, httpx.AsyncClient]) -> None:
    _, http = intake
    index = 0
    for path in TEXT_FIELDS:
        for text in [*HOSTILE, MEGABYTE]:
            index += 1
            response = await http.post("/api/v1/ideas", json=with_value(path, text, index))
            assert response.status_code in (201, 413, 422), (path, text[:40], response.status_code, response.text)
            assert "Traceback" not in response.text and 'File "' not in response.text
            if response.status_code != 201:
                assert response.json().get("detail"), response.text
                continue
            status = await http.get(urlparse(response.json()["status_url"]).path)
            assert status.status_code == 200
            assert "<script>alert" not in status.text and "<img src=x" not in status.text


async def test_query_operators_are_data_not_queries(intake: tuple[Runtime, httpx.AsyncClient]) -> None:
    _, http = intake
    body = idea_body()
    body["organisation"]["name"] = {"$gt": ""}
    response = await http.post("/api/v1/ideas", json=body)
    assert response.status_code == 422 and "organisation.name" in response.json()["errors"]
    body = idea_body()
    body["contact"]["email"] = {"$ne": None}
    response = await http.post("/api/v1/ideas", json=body)
    assert response.status_code == 422 and "contact.email" in response.json()["errors"]


async def test_hostile_text_through_the_html_form(intake: tuple[Runtime, httpx.AsyncClient]) -> None:
    _, http = intake
    page = await http.get("/ideas/new")
    assert page.status_code == 200
    for text in HOSTILE:
        form = {"organisation.name": text, "organisation.type": "informal_group", "organisation.municipality": "kuopio",
                "contact.name": text, "contact.email": "lomake@example.fi", "contact.language": "fi",
                "contact.channel": "email", "title": text, "description": text, "consents.privacy_notice": "on"}
        response = await http.post("/ideas/new", data=form)
        assert response.status_code < 500, (text, response.status_code)
        assert "Traceback" not in response.text
        assert "<script>alert" not in response.text and "<img src=x" not in response.text
