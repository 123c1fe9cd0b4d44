"""Several regions on one deployment (`koonto.shared.region.Regions`): which region a request or an event works
for, and what a staff member of one region may see of another."""

from __future__ import annotations

import pytest
from fastapi import FastAPI, Request
from fastapi.testclient import TestClient

from koonto.shared.auth import StaffPrincipal
from koonto.shared.edge import RequestEdge
from koonto.shared.region import Regions, current_region_code, load_region, using_region

pytestmark = pytest.mark.unit

HOSTS = {"koonto.example.fi": "pohjois-savo", "kehto.example.fi": "pohjois-karjala"}


def regions(*, path_prefixes: bool = False) -> Regions:
    return Regions.load("pohjois-savo", ["pohjois-karjala"], hosts=HOSTS, path_prefixes=path_prefixes)


def test_the_second_region_file_has_north_karelias_thirteen_municipalities_in_three_sub_regions() -> None:
    region = load_region("pohjois-karjala")
    assert len(region.municipalities) == 13
    assert {m.sub_region for m in region.municipalities} == {
        "Joensuun seutukunta", "Keski-Karjalan seutukunta", "Pielisen Karjalan seutukunta",
    }
    assert not set(region.municipality_codes) & set(load_region("pohjois-savo").municipality_codes)
    assert region.reference_prefix != load_region("pohjois-savo").reference_prefix


def test_the_current_region_is_the_work_under_way_and_the_home_region_outside_any() -> None:
    served = regions()
    assert served.current().code == "pohjois-savo"
    with using_region("pohjois-karjala"):
        assert served.current().code == "pohjois-karjala"
        with using_region(None):
            assert served.current().code == "pohjois-savo"
    with using_region("lappi"):  # not served here: the home region, never another region's data
        assert served.current().code == "pohjois-savo"
    assert current_region_code() is None


def test_a_host_map_naming_a_region_not_served_is_refused_at_start() -> None:
    with pytest.raises(ValueError, match="lappi"):
        Regions.load("pohjois-savo", [], hosts={"lappi.example.fi": "lappi"})


def _app(served: Regions) -> TestClient:
    app = FastAPI()

    @app.get("/where")
    async def where(request: Request) -> dict[str, str]:
        return {"region": served.current().code, "url": str(request.url_for("where"))}

    app.add_middleware(RequestEdge, service="test", regions=served)
    return TestClient(app)


def test_a_request_works_for_its_host_names_region_and_an_unknown_host_for_the_home_region() -> None:
    client = _app(regions())
    assert client.get("/where", headers={"host": "kehto.example.fi"}).json()["region"] == "pohjois-karjala"
    assert client.get("/where", headers={"host": "Koonto.Example.fi:443"}).json()["region"] == "pohjois-savo"
    assert client.get("/where", headers={"host": "elsewhere.test"}).json()["region"] == "pohjois-savo"


def test_a_path_prefix_selects_the_region_and_links_keep_the_prefix() -> None:
    client = _app(regions(path_prefixes=True))
    answer = client.get("/pohjois-karjala/where").json()
    assert answer["region"] == "pohjois-karjala"
    assert answer["url"].endswith("/pohjois-karjala/where")
    assert client.get("/where").json()["region"] == "pohjois-savo"
    assert client.get("/lappi/where").status_code == 404  # not a region here: an unknown path


def principal(roles: tuple[str, ...], region_roles: dict[str, tuple[str, ...]]) -> StaffPrincipal:
    return StaffPrincipal(staff_id="s", email="s@example.fi", name="S", roles=roles, token="t",
                          region_roles=region_roles)


def test_an_advisor_of_one_region_acts_only_there_and_an_admin_everywhere() -> None:
    advisor = principal(("advisor",), {"pohjois-karjala": ("advisor",)})
    assert advisor.regions_with("advisor") == frozenset({"pohjois-karjala"})
    assert advisor.may("pohjois-karjala", "advisor")
    assert not advisor.may("pohjois-savo", "advisor")
    assert not advisor.may("pohjois-karjala", "coordinator")
    funder = principal(("funder",), {"pohjois-savo": ("funder",), "pohjois-karjala": ("funder",)})
    assert funder.regions_with("funder") == frozenset({"pohjois-savo", "pohjois-karjala"})
    admin = principal(("admin",), {})
    assert admin.regions_with("advisor") is None and admin.may("anywhere", "coordinator")
