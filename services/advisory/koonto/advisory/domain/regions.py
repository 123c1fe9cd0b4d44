"""Staff roles per region: what a staff record holds, and how a form's or a provider's choice is checked.

A staff record keeps `roles` (every role it holds, in any region: what the role checks of the routes ask) and,
on a deployment of several regions, `region_roles` ({region code: [roles]}). "admin" is global: it is kept in
`roles` only and never per region. A record without `region_roles` (every record of a single-region deployment,
and those from before regions) holds its roles in the home region.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from koonto.advisory.domain.errors import Invalid
from koonto.shared.auth import ROLES
from koonto.shared.mongo import Document

REGIONAL_ROLES = tuple(r for r in ROLES if r != "admin")  # the roles held per region; admin is global


def region_roles_of(staff: Document, home: str) -> dict[str, tuple[str, ...]]:
    """The account's roles per region (the home region's for a record without any)."""
    held = {
        str(code): tuple(r for r in REGIONAL_ROLES if r in set(roles))
        for code, roles in (staff.get("region_roles") or {}).items()
    }
    held = {code: roles for code, roles in held.items() if roles}
    if held:
        return held
    roles = tuple(r for r in staff.get("roles") or () if r != "admin")
    return {home: roles} if roles else {}


def check_region_roles(chosen: Mapping[str, Iterable[str]], served: tuple[str, ...]) -> dict[str, list[str]]:
    """The roles chosen per region, each region one this deployment serves and each role a regional one;
    regions without a role left out."""
    result: dict[str, list[str]] = {}
    for code, roles in chosen.items():
        wanted = set(roles)
        if code not in served or not wanted <= set(REGIONAL_ROLES):
            raise Invalid("Valitse roolit vain palvelun alueille (pääkäyttäjä on kaikkien alueiden).", "roles")
        if wanted:
            result[code] = [r for r in REGIONAL_ROLES if r in wanted]
    return result


def all_roles(region_roles: Mapping[str, Iterable[str]], admin: bool) -> list[str]:
    """The record's `roles`: every role held in some region, and admin when global."""
    held = {r for roles in region_roles.values() for r in roles} | ({"admin"} if admin else set())
    return [r for r in ROLES if r in held]


def works_in(staff: Document, region: str, home: str, *roles: str) -> bool:
    """Whether the staff record holds one of `roles` (any role when none is named) in `region` (an admin:
    everywhere)."""
    if "admin" in (staff.get("roles") or ()):
        return True
    held = region_roles_of(staff, home).get(region, ())
    return bool(held) and (not roles or any(r in held for r in roles))
