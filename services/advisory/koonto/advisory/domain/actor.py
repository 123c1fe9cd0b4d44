"""Who is doing something: a signed-in staff member, or the system itself."""

from __future__ import annotations

from dataclasses import dataclass, field

from koonto.shared.auth import StaffPrincipal


@dataclass(frozen=True)
class Actor:
    staff_id: str
    name: str
    roles: tuple[str, ...]
    # the roles per region (StaffPrincipal.region_roles); empty: `roles` hold wherever the actor works (the system)
    region_roles: dict[str, tuple[str, ...]] = field(default_factory=dict, compare=False)

    @classmethod
    def of(cls, principal: StaffPrincipal) -> Actor:
        return cls(principal.staff_id, principal.name, principal.roles, dict(principal.region_roles))

    def has(self, *roles: str) -> bool:
        return "admin" in self.roles or any(r in self.roles for r in roles)

    def has_in(self, region: str, *roles: str) -> bool:
        """Whether the actor holds one of `roles` in `region` (an item's region)."""
        if "admin" in self.roles or not self.region_roles:
            return self.has(*roles)
        return any(r in self.region_roles.get(region, ()) for r in roles)


SYSTEM = Actor("system", "Koonto", ("system",))
