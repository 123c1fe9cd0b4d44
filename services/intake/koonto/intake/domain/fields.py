"""Reading one JSON object (or the same fields from an HTML form) field by field.

Every field is read once; a failure is recorded under its dotted path (`organisation.business_id`), and
whatever is left over at the end is an unknown field. Values that look like query operators or markup are
just text here: nothing is interpreted, and a non-text value where text belongs is refused.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any, TypeVar

from koonto.intake.domain.messages import (
    NOT_A_BOOLEAN,
    NOT_A_CHOICE,
    NOT_A_LIST,
    NOT_AN_OBJECT,
    NOT_TEXT,
    REQUIRED,
    TOO_LONG,
    TOO_MANY_ITEMS,
    UNKNOWN_FIELD,
    FieldErrors,
    Invalid,
    Message,
)

T = TypeVar("T")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_CONTROL_ONE_LINE = re.compile(r"[\x00-\x1f\x7f]")


def clean_text(value: str, *, multiline: bool) -> str:
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    value = (_CONTROL if multiline else _CONTROL_ONE_LINE).sub("" if multiline else " ", value)
    return value.strip() if multiline else " ".join(value.split())


class Fields:
    def __init__(self, raw: Any, errors: FieldErrors, path: str = "") -> None:
        self.path = path
        self.errors = errors
        self.ok = True
        if isinstance(raw, Mapping):
            self.raw: Mapping[str, Any] = raw
        else:
            self.raw = {}
            self.fail_self(NOT_AN_OBJECT)
        self._read: set[str] = set()

    def key(self, name: str) -> str:
        return f"{self.path}.{name}" if self.path else name

    def fail(self, name: str, msgid: str, **params: Any) -> None:
        self.errors.setdefault(self.key(name), Message(msgid, params))
        self.ok = False

    def fail_self(self, msgid: str) -> None:
        self.errors.setdefault(self.path or "body", Message(msgid))
        self.ok = False

    def has(self, name: str) -> bool:
        value = self.raw.get(name)
        return value is not None and not (isinstance(value, str) and not value.strip())

    def _take(self, name: str) -> Any:
        self._read.add(name)
        return self.raw.get(name)

    def text(
        self, name: str, *, required: bool = True, max_length: int = 200, multiline: bool = False,
        missing: str = REQUIRED,
    ) -> str | None:
        value = self._take(name)
        if isinstance(value, str):
            value = clean_text(value, multiline=multiline) or None
        elif value is not None:
            self.fail(name, NOT_TEXT)
            return None
        if value is None:
            if required:
                self.fail(name, missing)
            return None
        if len(value) > max_length:
            self.fail(name, TOO_LONG, max=max_length)
            return None
        return value

    def choice(
        self, name: str, choices: Iterable[str], *, default: str | None = None, missing: str = REQUIRED
    ) -> str | None:
        value = self.text(name, required=default is None, max_length=100, missing=missing)
        if value is None:
            return default
        if value not in set(choices):
            self.fail(name, NOT_A_CHOICE)
            return None
        return value

    def boolean(self, name: str, *, default: bool = False) -> bool:
        value = self._take(name)
        if value is None:
            return default
        if isinstance(value, bool):
            return value
        self.fail(name, NOT_A_BOOLEAN)
        return default

    def text_list(self, name: str, *, max_items: int, max_length: int = 100) -> tuple[str, ...]:
        value = self._take(name)
        if value is None:
            return ()
        if isinstance(value, str):  # an HTML text input: comma- or line-separated
            value = [part for part in re.split(r"[,\n;]", value)]
        if not isinstance(value, list | tuple):
            self.fail(name, NOT_A_LIST)
            return ()
        items: list[str] = []
        for item in value:
            if not isinstance(item, str):
                self.fail(name, NOT_TEXT)
                return ()
            cleaned = clean_text(item, multiline=False)
            if not cleaned:
                continue
            if len(cleaned) > max_length:
                self.fail(name, TOO_LONG, max=max_length)
                return ()
            if cleaned not in items:
                items.append(cleaned)
        if len(items) > max_items:
            self.fail(name, TOO_MANY_ITEMS, max=max_items)
            return ()
        return tuple(items)

    def checked(self, name: str, rule: Callable[[T], T], value: T | None) -> T | None:
        """Apply a rule that raises Invalid; the failure is recorded on this field."""
        if value is None:
            return None
        try:
            return rule(value)
        except Invalid as exc:
            self.errors.setdefault(self.key(name), exc.message)
            self.ok = False
            return None

    def object(self, name: str, *, required: bool = True) -> Fields:
        value = self._take(name)
        if value is None and not required:
            value = {}
        if value is None:
            self.fail(name, REQUIRED)
            nested = Fields({}, self.errors, self.key(name))
            nested.ok = False
            return nested
        return Fields(value, self.errors, self.key(name))

    def finish(self) -> None:
        for name in self.raw:
            if name not in self._read:
                self.fail(str(name)[:100], UNKNOWN_FIELD)
