"""The shared layout's pieces for narrow screens: table cells labelled by their column headers (stacked rows),
the navigation as a list and a <details> menu, and one number format for tables and charts."""

from __future__ import annotations

from pathlib import Path

import pytest

from koonto.reporting.web.svg import bar_chart
from koonto.shared.i18n import Catalogues, language
from koonto.shared.numbers import format_number
from koonto.shared.pages import make_environment

pytestmark = pytest.mark.unit


@pytest.fixture
def env(tmp_path: Path):  # type: ignore[no-untyped-def]
    return make_environment(tmp_path, Catalogues(tmp_path))


def test_every_cell_of_a_data_table_is_labelled_by_its_column_header(env) -> None:  # type: ignore[no-untyped-def]
    template = env.from_string(
        '{% import "koonto_macros.html" as k %}'
        '{% call(r) k.data_table("Haut", ["Nimi", "Määrä <€>"], rows, "Ei hakuja.", numeric=(1,)) %}'
        '<tr><th scope="row">{{ r.name }}</th><td class="num">{{ r.n }}</td></tr>{% endcall %}'
    )
    html = template.render(rows=[{"name": "Kevät", "n": 3}, {"name": "Syksy <b>", "n": 5}])
    assert '<table class="stack">' in html
    assert html.count('<th data-label="Nimi" scope="row">') == 2
    assert html.count('<td data-label="Määrä &lt;€&gt;" class="num">') == 2  # the header is escaped
    assert "Syksy &lt;b&gt;" in html
    assert '<th scope="col" class="num">Määrä &lt;€&gt;</th>' in html  # the header row is left alone
    empty = template.render(rows=[])
    assert '<td colspan="2">Ei hakuja.</td>' in empty and "data-label" not in empty


def test_a_cell_with_a_label_of_its_own_keeps_it_and_later_cells_keep_their_column(env) -> None:  # type: ignore[no-untyped-def]
    html = env.from_string("{% filter label_cells(['A', 'B', 'C']) %}"
                           '<tr><td>1</td><td data-label="oma">2</td><td>3</td><td>4</td></tr>'
                           "<tr><td>5</td></tr>{% endfilter %}").render()
    assert html == ('<tr><td data-label="A">1</td><td data-label="oma">2</td><td data-label="C">3</td><td>4</td></tr>'
                    '<tr><td data-label="A">5</td></tr>')


def test_the_navigation_is_a_list_on_wide_screens_and_a_details_menu_on_narrow_ones(env) -> None:  # type: ignore[no-untyped-def]
    html = env.from_string(
        '{% import "koonto_macros.html" as k %}{% call k.main_nav("Päävalikko", "Valikko") %}'
        '{{ k.nav_item("/", "Etusivu", true) }}{{ k.nav_item("/events", "Koulutukset", false) }}{% endcall %}'
    ).render()
    wide, menu = html.split('<details class="nav-menu">')
    assert '<ul class="nav-wide">' in wide and "<summary>Valikko</summary>" in menu
    for part in (wide, menu):
        assert '<a href="/" aria-current="page">Etusivu</a>' in part and '<a href="/events">Koulutukset</a>' in part
    assert " open" not in menu  # closed on a phone until opened; the wide list needs no <details>
    css = (Path(__file__).resolve().parents[3] / "shared/koonto/shared/static/koonto.css").read_text()
    assert ".nav-menu { display: none; }" in css and ".main-nav .nav-wide { display: none; }" in css


def test_numbers_are_written_as_each_language_writes_them() -> None:
    assert format_number(53000, "fi") == "53\u00a0000" and format_number(8.25, "fi") == "8,2"
    assert format_number(1.5, "sv") == "1,5" and format_number(53000, "sv") == "53\u00a0000"
    assert format_number(1.5, "en") == "1.5" and format_number(53000, "en") == "53,000"
    assert format_number(None) == "–" and format_number("n/a") == "n/a"
    with language("sv"):
        assert format_number(0.5) == "0,5"


def test_the_chart_writes_values_as_the_tables_do_and_its_text_stays_legible_on_a_phone() -> None:
    with language("fi"):
        svg = str(bar_chart("c", "Tunnit", [("Tapaaminen", 1.5), ("Puhelu", 0.5), ("Kuopio", 12000)]))
    assert ">1,5</text>" in svg and ">0,5</text>" in svg and ">12\u00a0000</text>" in svg
    assert "1.5" not in svg and "0.5<" not in svg
    width = float(svg.split('viewBox="0 0 ')[1].split()[0])
    font = float(svg.split('font-size="')[1].split('"')[0])
    assert font * 288 / width >= 12  # 320 px screen, 1 rem padding each side: text at least 12 px
