"""Counted texts take the plural form the count asks for, in Finnish, Swedish and English (Babel's ngettext over
the services' catalogues): "1 yhdistys neuvottu", never "1 yhdistystä neuvottu" or "1 associations advised"."""

from __future__ import annotations

from pathlib import Path

import pytest

from koonto.notify import main as notify
from koonto.reporting.domain.report import _reach_note
from koonto.reporting.web.pages import make_pages as reporting_pages
from koonto.shared.i18n import Catalogues, language
from koonto.shared.pages import SHARED_LOCALE

NOTIFY = Catalogues(SHARED_LOCALE, Path(notify.__file__).parent / "locale")

CASES = [  # catalogue, singular, plural, {language: (form for 1, form for 3)}
    ("reporting", "yhdistys neuvottu", "yhdistystä neuvottu", {
        "fi": ("yhdistys neuvottu", "yhdistystä neuvottu"),
        "sv": ("förening har fått råd", "föreningar har fått råd"),
        "en": ("association advised", "associations advised"),
    }),
    ("reporting", "rahoitettu hanke", "rahoitettua hanketta", {
        "fi": ("rahoitettu hanke", "rahoitettua hanketta"),
        "sv": ("finansierat projekt", "finansierade projekt"),
        "en": ("funded project", "funded projects"),
    }),
    ("reporting", "hankekonsultointi", "hankekonsultointia", {
        "fi": ("hankekonsultointi", "hankekonsultointia"),
        "sv": ("projektkonsultation", "projektkonsultationer"),
        "en": ("project consultation", "project consultations"),
    }),
    ("notify", "%(num)d osa", "%(num)d osaa", {
        "fi": ("1 osa", "3 osaa"), "sv": ("1 del", "3 delar"), "en": ("1 part", "3 parts"),
    }),
    ("notify", "%(num)d viesti", "%(num)d viestiä", {
        "fi": ("1 viesti", "3 viestiä"), "sv": ("1 meddelande", "3 meddelanden"), "en": ("1 message", "3 messages"),
    }),
]


@pytest.mark.parametrize("code", ["fi", "sv", "en"])
@pytest.mark.parametrize(("catalogue", "singular", "plural", "expected"), CASES)
def test_one_and_many_take_their_own_form(
    catalogue: str, singular: str, plural: str, expected: dict[str, tuple[str, str]], code: str
) -> None:
    catalogues = reporting_pages().catalogues if catalogue == "reporting" else NOTIFY
    with language(code):
        one, many = (catalogues.ngettext(singular, plural, n) % {"num": n} for n in (1, 3))
    assert (one, many) == expected[code]


@pytest.mark.parametrize("code", ["sv", "en"])
def test_the_showcase_template_counts_through_ngettext(code: str) -> None:
    pages = reporting_pages()
    template = pages.env.from_string('{{ ngettext("yhdistys neuvottu", "yhdistystä neuvottu", n) }}')
    with language(code):
        rendered = [template.render(n=n) for n in (1, 5)]
    assert rendered == [pages.catalogues.get(code).ngettext("yhdistys neuvottu", "yhdistystä neuvottu", n)
                        for n in (1, 5)]
    assert rendered[0] != rendered[1]


def test_the_report_counts_municipalities_in_the_right_form() -> None:
    assert _reach_note(1, 19).text() == "Kauden aikana tavoitettiin 1 kunta 19 kunnasta."
    assert _reach_note(4, 19).text() == "Kauden aikana tavoitettiin 4 kuntaa 19 kunnasta."


def test_an_idea_from_outside_the_region_is_reported_as_muu_kunta_never_other() -> None:
    from koonto.reporting.domain.report import municipality_label

    names = {"kuopio": "Kuopio"}
    assert municipality_label(names, "kuopio") == "Kuopio"
    assert municipality_label(names, "other") == "Muu kunta"
