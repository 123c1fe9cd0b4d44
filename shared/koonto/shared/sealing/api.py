"""The key store's internal API, served by the service that owns the key store (intake) to the other services.

    POST /internal/v1/subject-keys        {"subject": "email:..."}  -> {"kid", "key"} (created when missing)
    GET  /internal/v1/subject-keys/{kid}                             -> {"kid", "key"}, or 404 once destroyed

Bearer token `KOONTO_KEY_STORE_TOKEN`; never exposed through the public proxy (docs/operations.md).
"""

from __future__ import annotations

import base64
import secrets
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Request
from pydantic import BaseModel, Field

from koonto.shared.sealing.cipher import KID
from koonto.shared.sealing.keys import SubjectKeys


class SubjectKeyRequest(BaseModel):
    subject: str = Field(min_length=3, max_length=400, pattern=r"^(email|idea):.+$")


def _authorised(request: Request) -> SubjectKeys:
    runtime: Any = request.app.state.runtime
    expected = f"Bearer {runtime.settings.key_store_token}"
    given = request.headers.get("authorization", "")
    if not secrets.compare_digest(given.encode(), expected.encode()):
        raise HTTPException(status_code=401, detail="key store token required")
    keys = runtime.infra.keys
    if not isinstance(keys, SubjectKeys):
        raise HTTPException(status_code=404, detail="this service does not keep the key store")
    return keys


Store = Annotated[SubjectKeys, Depends(_authorised)]


def key_store_router() -> APIRouter:
    router = APIRouter(prefix="/internal/v1/subject-keys", tags=["internal"], include_in_schema=False)

    @router.post("")
    async def key_for(body: SubjectKeyRequest, keys: Store) -> dict[str, str]:
        kid, key = await keys.key_for(body.subject)
        return {"kid": kid, "key": base64.b64encode(key).decode()}

    @router.get("/{kid}")
    async def key(kid: str, keys: Store) -> dict[str, str]:
        if not KID.match(kid):
            raise HTTPException(status_code=404, detail="no such key")
        found = await keys.key(kid)
        if found is None:
            raise HTTPException(status_code=404, detail="no such key (destroyed)")
        return {"kid": kid, "key": base64.b64encode(found).decode()}

    return router
