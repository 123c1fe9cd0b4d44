"""Bodies intake refuses before parsing them: JSON nested too deep (400, said in the user's language, not a
500 from a recursion), over the size limit (413), sent chunked with no length; a normal request still works."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.intake.helpers import idea_body
from tests.support.polling import eventually

JSON = {"Content-Type": "application/json"}
ENDPOINTS = ("/api/v1/ideas", "/api/v1/registrations", "/api/v1/subscriptions")


def nested(levels: int) -> bytes:
    return b'{"title": ' + b"[" * levels + b"]" * levels + b"}"


@pytest.mark.parametrize("path", ENDPOINTS)
async def test_json_nested_ten_thousand_levels_deep_is_refused_with_a_message_and_stores_nothing(
    intake, path: str
) -> None:
    runtime, http = intake
    deep = await http.post(path, content=nested(10_000), headers=JSON)
    assert deep.status_code == 400, deep.text
    assert deep.json()["detail"] == "Pyynnön JSON on liian monitasoinen: enintään 32 sisäkkäistä tasoa."
    swedish = await http.post(path, content=nested(10_000), headers={**JSON, "Accept-Language": "sv"})
    assert swedish.status_code == 400 and "för djupt kapslad" in swedish.json()["detail"]
    english = await http.post(f"{path}?lang=en", content=nested(10_000), headers=JSON)
    assert english.status_code == 400 and "nested too deeply" in english.json()["detail"]
    # brackets inside a text are text, not nesting: this one is only refused as an invalid idea
    texty = await http.post(path, json={"title": "[" * 10_000 + '"{'}, headers=JSON)
    assert texty.status_code == 422
    for collection in ("ideas", "registrations", "subscriptions"):
        assert await runtime.db[collection].count_documents({}) == 0


async def test_a_body_sent_in_chunks_without_a_length_is_cut_off_at_the_limit(intake) -> None:
    runtime, http = intake
    sent = 0

    async def chunks() -> AsyncIterator[bytes]:
        nonlocal sent
        for _ in range(64):  # 2 MiB in 32 KiB pieces, against intake's 64 KiB limit
            sent += 1
            yield b" " * (32 * 1024)

    response = await http.post("/api/v1/ideas", content=chunks(), headers=JSON)
    assert response.status_code == 413 and "liian suuri" in response.json()["detail"]
    assert sent < 64  # refused while reading, not after taking it all
    created = await http.post("/api/v1/ideas", json=idea_body(title="Tavallinen idea"))
    assert created.status_code == 201, created.text
    await eventually(lambda: runtime.db["ideas"].count_documents({}), until=lambda n: n == 1, what="idea stored")
