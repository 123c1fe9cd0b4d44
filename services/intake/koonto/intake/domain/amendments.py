"""What the association may change through its status link: contact details, the description and its consent
to partner introductions (given or withdrawn)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from koonto.intake.domain.fields import Fields
from koonto.intake.domain.ideas import DESCRIPTION_MISSING, MAX_DESCRIPTION, read_contact
from koonto.intake.domain.messages import FieldErrors


@dataclass(frozen=True)
class Amendment:
    contact: dict[str, Any] | None
    description: str | None
    changed_fields: tuple[str, ...]
    partner_introductions: bool | None = None  # the consent given (True) or withdrawn (False); None: unchanged

    @property
    def is_empty(self) -> bool:
        return not self.changed_fields


def validate_amendment(
    raw: Any, *, current_contact: dict[str, Any] | None, current_description: str, default_language: str = "fi",
    current_partner_consent: bool = False,
) -> tuple[Amendment | None, FieldErrors]:
    errors: FieldErrors = {}
    body = Fields(raw, errors)
    contact = read_contact(body, default_language=default_language)
    description = body.text("description", max_length=MAX_DESCRIPTION, multiline=True, missing=DESCRIPTION_MISSING)
    partner_consent = body.boolean("partner_introductions", default=current_partner_consent)
    body.finish()
    if errors:
        return None, errors
    changed: list[str] = []
    current_contact = current_contact or {}
    changed += [f"contact.{key}" for key in sorted(contact) if contact[key] != current_contact.get(key)]
    if description != current_description:
        changed.append("description")
    if partner_consent != current_partner_consent:
        changed.append("consents.partner_introductions")
    return Amendment(
        contact=contact if any(c.startswith("contact.") for c in changed) else None,
        description=description if "description" in changed else None,
        partner_introductions=partner_consent if partner_consent != current_partner_consent else None,
        changed_fields=tuple(changed),
    ), {}
