"""Region as configuration: municipalities, funder, project, contacts and themes from deploy/regions/."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from functools import lru_cache
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict


class Municipality(BaseModel):
    model_config = ConfigDict(frozen=True)
    code: str
    name_fi: str
    name_sv: str
    sub_region: str


class Theme(BaseModel):
    model_config = ConfigDict(frozen=True)
    code: str
    fi: str
    sv: str
    en: str


# Addresses that only stand in for real ones: the reserved example domains (RFC 2606) and the example.fi the
# repository's samples use. A region a service runs in production must give real ones.
PLACEHOLDER_ADDRESS = re.compile(r"(^|[@./])example\.(fi|com|org|net)([/:]|$)|\.(test|example|invalid)([/:]|$)")


class Region(BaseModel):
    model_config = ConfigDict(frozen=True)
    code: str
    name_fi: str
    name_sv: str
    name_en: str
    project_name: str
    project_long_name: str
    operators: tuple[str, ...]
    funder: str
    funding_programme: str
    funding_programme_sv: str | None = None
    funding_programme_en: str | None = None
    contact_email: str  # the project's contact address: page and mail footers, feedback, "write to us"
    contact_phone: str
    website: str  # the project's web address
    privacy_contact_email: str  # the data protection contact (the controller's), in footers and the privacy notice
    reference_prefix: str
    # what the region's mail and SMS go out as (None: notify's KOONTO_MAIL_FROM / KOONTO_SMS_SENDER)
    mail_from: str | None = None  # "Name <address>", as KOONTO_MAIL_FROM
    sms_sender: str | None = None
    municipalities: tuple[Municipality, ...]
    themes: tuple[Theme, ...]

    def placeholder_addresses(self) -> list[str]:
        """The contact fields that still hold a placeholder address (example.fi and the like), by name."""
        fields = ("contact_email", "website", "privacy_contact_email")
        return [name for name in fields if PLACEHOLDER_ADDRESS.search(getattr(self, name).strip().lower())]

    def funding_programme_in(self, language: str) -> str:
        """The programme's name in `language`, Finnish where the region file gives no translation."""
        return getattr(self, f"funding_programme_{language}", None) or self.funding_programme

    def municipality(self, code: str) -> Municipality | None:
        return next((m for m in self.municipalities if m.code == code), None)

    def neighbours(self, code: str) -> frozenset[str]:
        """The municipality's sub-region (seutukunta), itself included; empty for a code the region does not
        know (e.g. "other")."""
        home = self.municipality(code)
        if home is None:
            return frozenset()
        return frozenset(m.code for m in self.municipalities if m.sub_region == home.sub_region)

    @property
    def municipality_codes(self) -> tuple[str, ...]:
        return tuple(m.code for m in self.municipalities)

    @property
    def theme_codes(self) -> tuple[str, ...]:
        return tuple(t.code for t in self.themes)


def find_regions_dir(explicit: Path | None = None) -> Path:
    """deploy/regions of the checkout (or the folder KOONTO_REGIONS_DIR names, as images do)."""
    if explicit is not None:
        return explicit
    for start in (Path.cwd(), Path(__file__).resolve()):
        for folder in (start, *start.parents):
            candidate = folder / "deploy" / "regions"
            if candidate.is_dir():
                return candidate
    raise FileNotFoundError("deploy/regions not found; set KOONTO_REGIONS_DIR")


@lru_cache(maxsize=16)
def load_region(code: str, regions_dir: Path | None = None) -> Region:
    path = find_regions_dir(regions_dir) / f"{code}.yaml"
    with path.open(encoding="utf-8") as handle:
        return Region.model_validate(yaml.safe_load(handle))


class RegionNotConfigured(ValueError):
    """A service in production mode with a region file whose contact addresses are missing or placeholders."""


def require_configured(region: Region, path_hint: str) -> None:
    """Outside local mode every page and mail footer shows the region's addresses: refuse to start with a
    placeholder among them (local mode and tests may keep the samples' example.fi)."""
    placeholders = region.placeholder_addresses()
    if placeholders:
        raise RegionNotConfigured(
            f"region {region.code!r} ({path_hint}) has placeholder addresses in {', '.join(placeholders)}: "
            "give the project's real contact e-mail, web address and data protection contact there "
            "before running in production"
        )


# -- several regions on one deployment ------------------------------------------------------------------------
# A deployment serves its home region (KOONTO_REGION) and any further ones (KOONTO_REGIONS). Which one a piece
# of work belongs to is the current region: a request's (by host name or path prefix, `RequestEdge`), a consumed
# event's (its envelope's `region`, set by the consumer loop), else the home region (jobs, start-up). Everything
# that reads `runtime.region` / `infra.region` reads the current one, so pages, mails and events follow it.

_current_region: ContextVar[str | None] = ContextVar("koonto_region", default=None)


def current_region_code() -> str | None:
    return _current_region.get()


@contextmanager
def using_region(code: str | None) -> Iterator[None]:
    """Runs the block as work of region `code` (None: the home region)."""
    token = _current_region.set(code)
    try:
        yield
    finally:
        _current_region.reset(token)


class Regions:
    """The regions one deployment serves: the home region first, then the others, each from its region file."""

    def __init__(self, home: Region, others: tuple[Region, ...] = (), *, hosts: Mapping[str, str] | None = None,
                 path_prefixes: bool = False) -> None:
        self.home = home
        self.by_code: dict[str, Region] = {home.code: home}
        for region in others:
            self.by_code.setdefault(region.code, region)
        self.hosts = {host.lower().strip(): code for host, code in (hosts or {}).items()}
        unknown = sorted(set(self.hosts.values()) - set(self.by_code))
        if unknown:
            raise ValueError(f"KOONTO_REGION_HOSTS names regions this deployment does not serve: {', '.join(unknown)}")
        self.path_prefixes = path_prefixes

    @classmethod
    def load(cls, home: str, others: tuple[str, ...] | list[str] = (), regions_dir: Path | None = None, *,
             hosts: Mapping[str, str] | None = None, path_prefixes: bool = False) -> Regions:
        return cls(load_region(home, regions_dir), tuple(load_region(code, regions_dir) for code in others if code),
                   hosts=hosts, path_prefixes=path_prefixes)

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(self.by_code)

    @property
    def several(self) -> bool:
        return len(self.by_code) > 1

    def __iter__(self) -> Iterator[Region]:
        return iter(self.by_code.values())

    def get(self, code: str | None) -> Region | None:
        return self.by_code.get(code) if code else None

    def current(self) -> Region:
        """The region of the work under way (see `using_region`); the home region outside any, or for a code this
        deployment does not serve."""
        return self.by_code.get(_current_region.get() or "", self.home)

    def for_host(self, host: str) -> Region | None:
        name = host.lower().strip().rsplit(":", 1)[0] if not host.startswith("[") else host.lower()
        code = self.hosts.get(name)
        return self.by_code.get(code) if code else None

    def for_path(self, path: str) -> tuple[Region, str] | None:
        """With path prefixes on: `/<region code>/rest` → (that region, "/<region code>"); else None."""
        if not self.path_prefixes:
            return None
        first = path.lstrip("/").split("/", 1)[0]
        region = self.by_code.get(first)
        return (region, "/" + first) if region is not None else None
