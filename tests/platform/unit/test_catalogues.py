"""Every user-facing text of the public and staff pages has a Swedish and an English translation (Finnish is the
source): intake's forms, notify's preference and unsubscribe pages, reporting's showcase and dashboard, and the few
texts of shared/ (a refused request body). Advisory
has its own check (tests/advisory/unit/test_translations.py: its error classes are keywords too)."""

from __future__ import annotations

from pathlib import Path

import pytest

from koonto.intake import main as intake
from koonto.notify import main as notify
from koonto.reporting import main as reporting
from koonto.shared import stages
from koonto.shared import web as shared_web
from koonto.shared.pages import SHARED_TEMPLATES
from tests.support.catalogues import translated, used_messages

SERVICES = {
    # package, extra templates, shared Python files it translates, texts the extraction must find (so that an
    # empty extraction cannot pass)
    "intake": (
        intake, ((SHARED_TEMPLATES, "layout.html"),), (Path(stages.__file__),),
        {"Y-tunnus", "Siirry pääsisältöön", "Sparrauksessa"},
    ),
    "notify": (notify, (), (), {"Viestiasetukset", "Peru tilaus"}),
    "reporting": (reporting, (), (), {"Rahoitetut hankkeet", "Etusivu"}),
    # what shared/ shows itself: the layout, the 503 page of a store outage (web.py), the body limits (bodies.py)
    # and the stage names (stages.py), in shared/koonto/shared/locale
    "shared": (shared_web, ((SHARED_TEMPLATES, "*.html"),), (), {
        "Palvelu on tilapäisesti poissa käytöstä", "Rahoittaja",
        "Lähetetty tieto on liian suuri. Lyhennä tekstejä ja yritä uudelleen.",
    }),
}


@pytest.mark.parametrize("language", ["sv", "en"])
@pytest.mark.parametrize("service", sorted(SERVICES))
def test_every_message_is_translated(service: str, language: str) -> None:
    module, also, shared, probes = SERVICES[service]
    package = Path(module.__file__).parent  # type: ignore[arg-type]
    used = used_messages(package, also=also, shared=shared)
    assert probes <= used, f"extraction missed {probes - used}"
    missing = sorted(used - translated(package, language))
    assert not missing, f"untranslated in {service} ({language}): {missing}"


ROOT = Path(stages.__file__).parents[3]
SERVICE_CATALOGUES = sorted(ROOT.glob("services/*/koonto/*/locale/*/LC_MESSAGES/messages.po"))


def test_the_stage_names_have_one_translation_which_every_service_shows() -> None:
    """One label source per term: the stages are translated in the shared catalogue only (advisory's staff pages
    said "Under sparrning" where intake's public page said "Sparras"), and every service's pages and notify's
    mails give the same name."""
    from babel.messages.pofile import read_po

    from koonto.advisory.web.pages.common import make_pages as advisory_pages
    from koonto.notify.domain.labels import stage as notify_stage
    from koonto.reporting.web.pages import make_pages as reporting_pages
    from koonto.shared.i18n import Catalogues, language
    from koonto.shared.pages import SHARED_LOCALE

    assert len(SERVICE_CATALOGUES) >= 8
    for po in SERVICE_CATALOGUES:
        with po.open("rb") as handle:
            ids = {m.id for m in read_po(handle) if m.id}
        assert not ids & set(stages.STAGE_LABELS.values()), f"{po} translates a stage name again"
    shared = Catalogues(SHARED_LOCALE)
    intake_catalogues = Catalogues(SHARED_LOCALE, Path(intake.__file__).parent / "locale")
    catalogues = [advisory_pages().catalogues, reporting_pages().catalogues, intake_catalogues]
    for code in ("sv", "en"):
        for stage, finnish in stages.STAGE_LABELS.items():
            expected = shared.gettext_in(code, finnish)
            assert expected != finnish
            assert {c.gettext_in(code, finnish) for c in catalogues} == {expected}
            assert notify_stage(code, stage) == expected
    with language("sv"):
        assert shared.gettext(stages.STAGE_LABELS["sparring"]) == "Sparras"


# The services whose every text is marked where it is written (no table of Finnish texts translated later by a
# variable, as reporting's report sections are), so a catalogue entry no template or code uses is dead weight
# that a translator keeps paying for.
EVERY_TEXT_MARKED = ("intake", "notify")


@pytest.mark.parametrize("language", ["sv", "en"])
@pytest.mark.parametrize("service", EVERY_TEXT_MARKED)
def test_no_catalogue_entry_is_left_unused(service: str, language: str) -> None:
    from babel.messages.pofile import read_po

    module, also, shared, probes = SERVICES[service]
    package = Path(module.__file__).parent  # type: ignore[arg-type]
    used = used_messages(package, also=also, shared=shared)
    assert probes <= used, f"extraction missed {probes - used}"
    with (package / "locale" / language / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        ids = {m.id[0] if isinstance(m.id, tuple) else m.id for m in read_po(handle, locale=language) if m.id}
    unused = sorted(ids - used)
    assert not unused, f"catalogue entries of {service} ({language}) nothing uses: {unused}"
