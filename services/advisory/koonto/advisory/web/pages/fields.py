"""The staff forms' values: one reader per kind of field (`reader(form, name)`), and a form read as a whole from
a table of field name -> reader, the keyword arguments of the use case it is posted to. A value that cannot be
read refuses the form with the message next to its field (AdvisoryError with `field`)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from datetime import date, datetime
from typing import Any

from starlette.datastructures import FormData

from koonto.advisory.domain.errors import AdvisoryError
from koonto.advisory.web.pages.common import Act
from koonto.shared.clock import HELSINKI

Reader = Callable[[FormData, str], Any]
Fields = Mapping[str, Reader]  # a form: field name -> its reader, in the form's order


def read(form: FormData, readers: Fields) -> dict[str, Any]:
    """Every field of `readers`, in their order; the first that cannot be read refuses the form (`read_all`
    names every wrong field at once)."""
    return {name: reader(form, name) for name, reader in readers.items()}


def read_all(form: FormData, readers: Fields) -> tuple[dict[str, Any], dict[str, str]]:
    """Read every field with its reader (`day`, `integer`, ...): (values, problems), a field that could not be
    read being None in the values and its message in the problems, so a form can name all its errors at once."""
    values: dict[str, Any] = {}
    problems: dict[str, str] = {}
    for name, reader in readers.items():
        try:
            values[name] = reader(form, name)
        except AdvisoryError as exc:
            values[name] = None
            problems[name] = exc.message
    return values, problems


def text(form: FormData, name: str, default: str = "") -> str:
    return str(form.get(name, default))


def text_or(default: str) -> Reader:
    """A text field that is `default` when the form does not send it."""
    return lambda form, name: text(form, name, default)


def optional(form: FormData, name: str) -> str | None:
    return str(form.get(name, "")) or None


def lines(form: FormData, name: str) -> list[str]:
    """A text area, one item a line."""
    return text(form, name).splitlines()


def commas(form: FormData, name: str) -> list[str]:
    """A text field of items separated by commas."""
    return text(form, name).split(",")


def chosen(form: FormData, name: str) -> list[str]:
    """The values of a group of checkboxes."""
    return [str(value) for value in form.getlist(name)]


def checked(form: FormData, name: str) -> bool:
    """One checkbox (value "1")."""
    return form.get(name) == "1"


def integer(form: FormData, name: str, *, required: bool = False) -> int | None:
    raw = str(form.get(name, "") or "").strip().replace(" ", "").replace("\u00a0", "")
    if not raw:
        if required:
            raise AdvisoryError("Kirjoita luku.", name)
        return None
    try:
        return int(raw)
    except ValueError:
        raise AdvisoryError("Kirjoita kokonaisluku.", name) from None


def count(form: FormData, name: str) -> int:
    """A whole number the form must give."""
    return integer(form, name, required=True) or 0


def count_or_zero(form: FormData, name: str) -> int:
    """A whole number, 0 when left empty."""
    return integer(form, name) or 0


def day(form: FormData, name: str) -> date:
    try:
        return date.fromisoformat(str(form.get(name, "")).strip())
    except ValueError:
        raise AdvisoryError("Anna päivämäärä.", name) from None


def moment(form: FormData, name: str) -> datetime:
    try:
        value = datetime.fromisoformat(str(form.get(name, "") or "").strip())
    except ValueError:
        raise AdvisoryError("Anna päivä ja kellonaika.", name) from None
    return value if value.tzinfo else value.replace(tzinfo=HELSINKI)


def optional_moment(form: FormData, name: str) -> datetime | None:
    return moment(form, name) if str(form.get(name, "") or "").strip() else None


def posting(use_case: Callable[..., Awaitable[object]], readers: Fields, *args: object) -> Act:
    """The act of a form whose fields are the keyword arguments of `use_case(actor, *args, **fields)`."""
    return lambda actor, form: use_case(actor, *args, **read(form, readers))
