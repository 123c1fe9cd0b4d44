"""The region file carries the project's real addresses: every page footer shows them, and a service in
production mode refuses to start while one of them is still a placeholder (example.fi); local mode and tests may
keep the samples' example addresses."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from koonto.shared.i18n import Catalogues, language
from koonto.shared.pages import SHARED_LOCALE, make_environment
from koonto.shared.region import RegionNotConfigured, find_regions_dir, load_region, require_configured

pytestmark = pytest.mark.unit

CONFIGURED = load_region("pohjois-savo")


def _footer(lang: str) -> str:
    env = make_environment(Path(__file__).parent, Catalogues(SHARED_LOCALE))
    with language(lang):
        html = env.from_string('{% extends "layout.html" %}').render(
            region=CONFIGURED, lang=lang, languages=[("fi", "Suomeksi")], page_title="Etusivu", vendor_css=False,
            site={"privacy": "https://koonto.test/privacy", "accessibility": "https://koonto.test/accessibility"},
        )
    return html.split('<footer class="site-footer">', 1)[1]


@pytest.mark.parametrize("lang", ["fi", "sv", "en"])
def test_a_configured_regions_page_footer_gives_its_real_addresses_and_no_example_fi(lang: str) -> None:
    assert CONFIGURED.placeholder_addresses() == []
    footer = _footer(lang)
    assert f'href="mailto:{CONFIGURED.contact_email}"' in footer
    assert f'href="mailto:{CONFIGURED.privacy_contact_email}"' in footer
    assert f'href="{CONFIGURED.website}"' in footer
    assert "example." not in footer
    # every page of every service (notify's preference pages, the showcase) links the two statements
    assert f'href="https://koonto.test/accessibility?lang={lang}"' in footer
    assert f'href="https://koonto.test/privacy?lang={lang}"' in footer
    word = {"fi": "Tietosuoja-asiat", "sv": "Dataskydd", "en": "Data protection"}[lang]
    assert f"{word}: <a" in footer


def _region_file(tmp_path: Path, **changes: str) -> Path:
    data = yaml.safe_load((find_regions_dir() / "pohjois-savo.yaml").read_text(encoding="utf-8"))
    data.update(changes, code="testiseutu")
    (tmp_path / "testiseutu.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return tmp_path


@pytest.mark.parametrize("field, placeholder", [
    ("contact_email", "koonto@example.fi"),
    ("website", "https://koonto.example.fi"),
    ("privacy_contact_email", "tietosuoja@koonto.test"),
])
def test_a_placeholder_address_stops_a_production_start_with_the_field_named(
    tmp_path: Path, field: str, placeholder: str
) -> None:
    from koonto.intake.main import create_runtime
    from koonto.intake.settings import IntakeSettings

    folder = _region_file(tmp_path, **{field: placeholder})
    region = load_region("testiseutu", folder)
    assert region.placeholder_addresses() == [field]
    settings = IntakeSettings(mode="production", secret_key="s" * 40, region="testiseutu", regions_dir=folder)
    with pytest.raises(RegionNotConfigured, match=f"placeholder addresses in {field}"):
        create_runtime(settings)
    # the same file in local mode starts (the runtime is built; nothing is connected until it runs)
    assert create_runtime(IntakeSettings(region="testiseutu", regions_dir=folder)).region.code == "testiseutu"


def test_a_region_file_without_a_data_protection_contact_is_refused() -> None:
    data = CONFIGURED.model_dump()
    del data["privacy_contact_email"]
    with pytest.raises(ValueError, match="privacy_contact_email"):
        type(CONFIGURED).model_validate(data)


def test_real_addresses_are_not_mistaken_for_placeholders() -> None:
    region = CONFIGURED.model_copy(update={"contact_email": "neuvonta@examplecity.fi",
                                           "website": "https://www.kylat.fi/example/"})
    assert region.placeholder_addresses() == []
    require_configured(region, "a file")
