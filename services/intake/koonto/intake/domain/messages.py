"""User-facing messages of the domain: Finnish msgids, translated by the web layer (gettext)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


def N_(message: str) -> str:
    return message


@dataclass(frozen=True)
class Message:
    """A msgid and the values to put into it after translation."""

    msgid: str
    params: dict[str, Any] = field(default_factory=dict)

    def render(self, translate: Any) -> str:
        text: str = translate(self.msgid)
        return text.format(**self.params) if self.params else text


FieldErrors = dict[str, Message]


class Invalid(Exception):
    """A rule failed for one field."""

    def __init__(self, msgid: str, **params: Any) -> None:
        super().__init__(msgid)
        self.message = Message(msgid, params)


REQUIRED = N_("Tämä tieto puuttuu.")
UNKNOWN_FIELD = N_("Tuntematon kenttä. Poista se.")
NOT_TEXT = N_("Anna arvo tekstinä.")
TOO_LONG = N_("Teksti on liian pitkä: enintään {max} merkkiä.")
TOO_MANY_ITEMS = N_("Enintään {max} kohtaa.")
NOT_A_CHOICE = N_("Valitse jokin annetuista vaihtoehdoista.")
NOT_A_BOOLEAN = N_("Anna arvoksi true tai false.")
NOT_AN_OBJECT = N_("Anna tiedot JSON-objektina.")
NOT_A_LIST = N_("Anna arvot luettelona.")
CHECK_THE_FORM = N_("Tarkista lomakkeen tiedot.")
