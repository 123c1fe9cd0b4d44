"""The errors the reporting use cases raise, in domain words; `web.errors` maps them to responses once."""

from __future__ import annotations


class ReportingError(Exception):
    """A request reporting cannot answer as asked."""


class QueryErrors(ReportingError):
    """The period or municipality of a report query is wrong: one message a person can act on per field."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(errors.values()))
        self.errors = errors


class UnknownFormat(ReportingError):
    """A report file format reporting does not produce."""

    def __init__(self, fmt: str) -> None:
        super().__init__(fmt)
        self.fmt = fmt


class PdfUnavailable(ReportingError):
    """This machine lacks the system libraries the PDF is drawn with (Pango: see the reporting README); the other
    formats and the pages work."""


class RegionNotServed(ReportingError):
    """A report of a region this deployment does not serve (404)."""

    def __init__(self, code: str, served: tuple[str, ...]) -> None:
        super().__init__(code)
        self.code = code
        self.served = served


class RegionNotAllowed(ReportingError):
    """A report of a region the account holds no reporting role in (403)."""

    def __init__(self, code: str, visible: tuple[str, ...]) -> None:
        super().__init__(code)
        self.code = code
        self.visible = visible
