"""Which regions a report is of (`domain.regions`) and the keys of another region (`domain.model.scoped`)."""

from __future__ import annotations

import pytest

from koonto.reporting.domain import recount
from koonto.reporting.domain.errors import RegionNotAllowed, RegionNotServed
from koonto.reporting.domain.model import REGION_WIDE, region_of, region_wide, scoped, unscoped
from koonto.reporting.domain.regions import ALL_REGIONS, choose_regions, rows_of_regions

SERVED = ("pohjois-savo", "pohjois-karjala", "kainuu")


def choose(raw: list[str] | None, allowed: frozenset[str] | None, current: str = "pohjois-savo") -> tuple[str, ...]:
    return choose_regions(raw, served=SERVED, allowed=allowed, current=current)


def test_without_a_region_the_site_s_region_else_the_account_s_first() -> None:
    assert choose(None, None) == ("pohjois-savo",)
    assert choose(None, frozenset({"kainuu", "pohjois-karjala"})) == ("pohjois-karjala",)
    assert choose([], frozenset({"kainuu"}), current="kainuu") == ("kainuu",)


def test_all_is_every_region_of_the_account_in_the_served_order() -> None:
    assert choose([ALL_REGIONS], None) == SERVED
    assert choose([ALL_REGIONS], frozenset({"kainuu", "pohjois-savo"})) == ("pohjois-savo", "kainuu")


def test_codes_repeated_or_comma_separated_in_the_served_order() -> None:
    assert choose(["kainuu", "pohjois-savo"], None) == ("pohjois-savo", "kainuu")
    assert choose(["kainuu,pohjois-savo", "kainuu"], None) == ("pohjois-savo", "kainuu")


def test_a_region_not_served_is_404_and_one_outside_the_account_403() -> None:
    with pytest.raises(RegionNotServed) as unknown:
        choose(["lappi"], None)
    assert unknown.value.served == SERVED
    with pytest.raises(RegionNotAllowed) as refused:
        choose(["pohjois-savo"], frozenset({"kainuu"}))
    assert refused.value.visible == ("kainuu",)
    with pytest.raises(RegionNotAllowed):
        choose(None, frozenset())  # an account with no region at all


def test_the_home_region_s_keys_are_as_before_and_the_others_carry_their_region() -> None:
    assert scoped("kuopio", None) == "kuopio" and region_of("kuopio") is None
    assert scoped("joensuu", "pohjois-karjala") == "joensuu@pohjois-karjala"
    assert region_of("joensuu@pohjois-karjala") == "pohjois-karjala"
    assert unscoped("joensuu@pohjois-karjala") == "joensuu"
    assert region_wide("joensuu@pohjois-karjala") == "_region@pohjois-karjala" and region_wide("kuopio") == REGION_WIDE
    # an event's own text with an `@` (no region code after it) stays the home region's, whole
    formula = "@SUM(1+1)*cmd|' /C calc'!A0"
    assert region_of(formula) is None and unscoped(formula) == formula and region_wide(formula) == REGION_WIDE
    assert rows_of_regions([{"municipality": "x@lappi"}], frozenset({"pohjois-savo"}), "pohjois-savo",
                           served=SERVED) == [{"municipality": "x@lappi"}]  # not a region served: the home's
    # the first-session markers of "associations advised" of a case keep to its region
    scopes = recount.advised_scopes("2026-03-01", "joensuu@pohjois-karjala")
    assert {s.municipality for s in scopes} == {"joensuu@pohjois-karjala", "_region@pohjois-karjala"}


def test_rows_of_regions_keeps_the_chosen_with_plain_codes_and_a_row_without_region_is_the_home_region_s() -> None:
    rows = [{"municipality": "kuopio", "n": 1}, {"municipality": "joensuu@pohjois-karjala", "n": 2},
            {"municipality": "_region@pohjois-karjala", "n": 3}, {"n": 4}]
    assert rows_of_regions(rows, frozenset({"pohjois-karjala"}), "pohjois-savo") == [
        {"municipality": "joensuu", "n": 2}, {"municipality": "_region", "n": 3}]
    assert rows_of_regions(rows, frozenset({"pohjois-savo"}), "pohjois-savo") == [
        {"municipality": "kuopio", "n": 1}, {"n": 4}]
    assert rows[1]["municipality"] == "joensuu@pohjois-karjala"  # the rows read are not changed
