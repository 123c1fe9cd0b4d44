"""What the API's routers share: the base of the request bodies and an amount of euros.

Routes that answer a document declare `-> Any` (the document is encoded as it is, no response model), the
listings `-> list[dict[str, Any]]`, as before the split into resources.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

Euros = Annotated[int, Field(ge=0, le=1_000_000_000)]


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid")
