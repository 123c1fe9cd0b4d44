"""Region as configuration: municipalities, funder, project, contacts and themes from deploy/regions/."""

from __future__ import annotations

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
    contact_email: str
    contact_phone: str
    website: str
    reference_prefix: str
    municipalities: tuple[Municipality, ...]
    themes: tuple[Theme, ...]

    def funding_programme_in(self, language: str) -> str:
        """The programme's name in `language`, Finnish where the region file gives no translation."""
        return getattr(self, f"funding_programme_{language}", None) or self.funding_programme

    def municipality(self, code: str) -> Municipality | None:
        return next((m for m in self.municipalities if m.code == code), None)

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
