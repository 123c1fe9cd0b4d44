"""Who is doing something: a signed-in staff member, or the system itself."""

from __future__ import annotations

from dataclasses import dataclass

from koonto.shared.auth import StaffPrincipal


@dataclass(frozen=True)
class Actor:
    staff_id: str
    name: str
    roles: tuple[str, ...]

    @classmethod
    def of(cls, principal: StaffPrincipal) -> Actor:
        return cls(principal.staff_id, principal.name, principal.roles)

    def has(self, *roles: str) -> bool:
        return "admin" in self.roles or any(r in self.roles for r in roles)


SYSTEM = Actor("system", "Koonto", ("system",))
