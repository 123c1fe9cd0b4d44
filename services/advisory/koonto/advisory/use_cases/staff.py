"""Staff accounts: the bootstrap admin, adding and changing accounts (and notify's copy of them)."""

from __future__ import annotations

import uuid

from argon2 import PasswordHasher
from email_validator import EmailNotValidError, validate_email
from pydantic import ValidationError

from koonto.advisory.domain.actor import Actor
from koonto.advisory.domain.case import CASE_NAMESPACE
from koonto.advisory.domain.errors import Forbidden, Invalid, NotFound, Refused
from koonto.advisory.domain.password_links import new_link
from koonto.advisory.domain.regions import all_roles, check_region_roles
from koonto.advisory.use_cases.common import Context, new_id
from koonto.shared.auth import ROLES
from koonto.shared.contracts import Envelope
from koonto.shared.contracts.advisory import RegionRoles, StaffUpdated
from koonto.shared.logs import get_logger
from koonto.shared.mongo import Document

log = get_logger(__name__)

MIN_PASSWORD_LENGTH = 12  # the message below names it
LANGUAGES = ("fi", "sv", "en")


def normalise_email(value: str) -> str:
    try:
        return validate_email(value.strip(), check_deliverability=False).normalized.lower()
    except EmailNotValidError:
        raise Invalid("Tarkista sähköpostiosoite (esim. nimi@esimerkki.fi).", "email") from None


def check_roles(roles: tuple[str, ...] | list[str]) -> tuple[str, ...]:
    chosen = tuple(r for r in ROLES if r in set(roles))
    if not chosen or len(chosen) != len(set(roles)):
        raise Invalid("Valitse vähintään yksi rooli: admin, coordinator, advisor tai funder.", "roles")
    return chosen


def check_password(password: str) -> str:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise Invalid("Salasanassa on oltava vähintään 12 merkkiä.", "password")
    return password


def generation_of(doc: Document) -> int:
    """The account's token generation: tokens carry it (claim `gen`), older ones are refused everywhere."""
    return int(doc.get("token_generation", 0))


def revokes_tokens(current: Document, changes: Document) -> bool:
    """A deactivation, a role change and a password change end every token issued before them."""
    return (
        ("active" in changes and bool(changes["active"]) != bool(current.get("active")))
        or ("roles" in changes and set(changes["roles"]) != set(current.get("roles", ())))
        or ("region_roles" in changes and changes["region_roles"] != (current.get("region_roles") or {}))
        or "password_hash" in changes
    )


class StaffAccounts:
    def __init__(self, context: Context, hasher: PasswordHasher) -> None:
        self.c = context
        self.hasher = hasher

    def staff_event(self, doc: Document) -> Envelope | None:
        """staff-updated for notify; None for an address the contract refuses (the local demo admin's
        `admin@koonto.local`: special-use domains never receive mail), so that account still works."""
        try:
            data = StaffUpdated(
                staff_id=doc["_id"],
                email=doc["email"],
                display_name=doc["name"],
                language=doc.get("language", "fi"),
                roles=tuple(doc["roles"]),
                active=bool(doc["active"]),
                updated_at=self.c.now(),
                token_generation=generation_of(doc),
                region_roles=tuple(
                    RegionRoles(region=code, roles=tuple(held))  # type: ignore[arg-type]
                    for code, held in sorted((doc.get("region_roles") or {}).items())
                ),
            )
        except ValidationError:
            log.warning("staff-updated not emitted: notify could not mail this address", staff_id=doc["_id"])
            return None
        return self.c.event(data, subject=doc["_id"])

    def _written(self, event: Envelope | None) -> None:
        if event is not None:
            self.c.written(event)

    async def bootstrap_admin(self) -> None:
        """The first admin from KOONTO_BOOTSTRAP_ADMIN_* when no active admin exists (idempotent)."""
        store = self.c.store
        if await store.any_active_admin():
            return
        credentials = self.c.settings.bootstrap_admin()
        if credentials is None:
            log.warning("no admin account and no KOONTO_BOOTSTRAP_ADMIN_EMAIL/PASSWORD: nobody can sign in")
            return
        email, password = credentials
        existing = await store.staff_by_email(email)
        if existing is not None:
            # the bootstrap address exists but lost its admin role or was deactivated: restore it
            changes = {"roles": sorted({*existing["roles"], "admin"}), "active": True, "updated_at": self.c.now()}
            changes["token_generation"] = generation_of(existing) + 1  # its old tokens stay refused
            event = self.staff_event({**existing, **changes})
            await store.update_staff(existing["_id"], changes, event)
        else:
            doc = self._new_staff_doc(
                email=email, name="Pääkäyttäjä", roles=("admin",), password=password, language="fi",
                staff_id=f"staff-{uuid.uuid5(CASE_NAMESPACE, 'bootstrap:' + email)}",
            )
            event = self.staff_event(doc)
            await store.create_staff(doc, event)
        self._written(event)
        log.info("bootstrap admin ensured", email=email)

    def roles_in_regions(
        self, roles: list[str] | tuple[str, ...] | None, region_roles: dict[str, list[str]] | None,
    ) -> tuple[tuple[str, ...], dict[str, list[str]] | None]:
        """The account's `roles` and `region_roles` from what a form or the API chose: without a choice per
        region the roles as given (held in the home region); with one, every role held in some region and admin
        when `roles` names it (admin is global)."""
        if region_roles is None:
            return check_roles(roles or []), None
        held = check_region_roles(region_roles, self.c.served)
        return check_roles(all_roles(held, "admin" in (roles or ()))), held

    def _new_staff_doc(
        self, *, email: str, name: str, roles: tuple[str, ...], password: str | None, language: str,
        staff_id: str | None = None, region_roles: dict[str, list[str]] | None = None,
    ) -> Document:
        now = self.c.now()
        return {
            "_id": staff_id or new_id("staff"),
            "email": email,
            "name": name,
            "roles": list(roles),
            **({"region_roles": region_roles} if region_roles else {}),
            "language": language,
            "active": True,
            "password_hash": self.hasher.hash(password) if password else None,  # None: set through the invitation
            "created_at": now,
            "updated_at": now,
            "region": self.c.region.code,
        }

    def _password_for_someone(self, password: str | None) -> str | None:
        """Admins never type someone else's password: the person sets it through a mailed link. The API still
        takes one outside production (tests and local demos provision accounts with it)."""
        if password and self.c.settings.mode == "production":
            raise Forbidden("Salasanaa ei aseteta toisen puolesta: käyttäjä saa linkin, jolla hän asettaa sen itse.")
        return check_password(password) if password else None

    async def create_staff(
        self, actor: Actor, *, email: str, name: str, roles: list[str], password: str | None = None,
        language: str = "fi", region_roles: dict[str, list[str]] | None = None,
    ) -> Document:
        """A new account. Without a password (the workspace's form never asks for one) the person is sent an
        invitation: a one-time link to set their own password (`staff-password-link-issued`)."""
        if not actor.has():  # admin only
            raise Forbidden("Vain pääkäyttäjä voi lisätä käyttäjiä.")
        email = normalise_email(email)
        name = name.strip()
        if not name or len(name) > 200:
            raise Invalid("Kirjoita nimi.", "name")
        roles_held, held = self.roles_in_regions(roles, region_roles)
        doc = self._new_staff_doc(
            email=email, name=name, roles=roles_held, password=self._password_for_someone(password),
            language=language if language in LANGUAGES else "fi", region_roles=held,
        )
        invitation = None
        if doc["password_hash"] is None and self.c.settings.password_login:  # else they sign in through SSO
            link, data = new_link(doc, "invitation", self.c.now(), self.c.settings.advisory_public_url)
            doc.update(link)
            invitation = self.c.event(data, subject=doc["_id"]) if data is not None else None
        event = self.staff_event(doc)
        if not await self.c.store.create_staff(doc, event, invitation):
            raise Refused("Tällä sähköpostiosoitteella on jo käyttäjä.", "email")
        self._written(event)
        self._written(invitation)
        return {k: v for k, v in doc.items() if k not in ("password_hash", "password_link")}

    async def from_provider(
        self, email: str, name: str, roles: tuple[str, ...], region_roles: dict[str, list[str]] | None = None,
    ) -> Document | None:
        """The account of someone the identity provider vouches for, with the roles its claims give: created
        (without a password) on their first sign-in, its roles brought in line when the claims changed (which
        ends the account's older tokens). None for an account an admin deactivated: the claims do not undo that."""
        store = self.c.store
        current = await store.staff_by_email(email)
        if current is None:
            doc = self._new_staff_doc(email=email, name=(name.strip() or email)[:200], roles=roles, password=None,
                                      language="fi", region_roles=region_roles)
            event = self.staff_event(doc)
            if not await store.create_staff(doc, event):  # created by a parallel first sign-in: use that one
                return await self.from_provider(email, name, roles, region_roles)
            self._written(event)
            log.info("staff account created at its first single sign-on", staff_id=doc["_id"], roles=list(roles))
            return doc
        if not current.get("active"):
            return None
        if set(current["roles"]) == set(roles) and (current.get("region_roles") or None) == (region_roles or None):
            return current
        changes = {"roles": list(roles), "token_generation": generation_of(current) + 1, "updated_at": self.c.now(),
                   "region_roles": region_roles or {}}
        event = self.staff_event({**current, **changes})
        updated = await store.update_staff(current["_id"], changes, event)
        self._written(event)
        return updated

    def _changes(
        self, name: str | None, roles: list[str] | None, active: bool | None, password: str | None,
        language: str | None, region_roles: dict[str, list[str]] | None = None, current: Document | None = None,
    ) -> Document:
        changes: Document = {}
        if name is not None and name.strip():
            changes["name"] = name.strip()[:200]
        if region_roles is not None:
            admin = roles if roles is not None else (current or {}).get("roles", [])
            roles_held, held = self.roles_in_regions(["admin"] if "admin" in admin else [], region_roles)
            changes["roles"], changes["region_roles"] = list(roles_held), held
        elif roles is not None:
            changes["roles"] = list(check_roles(roles))
        if active is not None:
            changes["active"] = bool(active)
        if language in LANGUAGES:
            changes["language"] = language
        if password:
            changes["password_hash"] = self.hasher.hash(check_password(password))
        return changes

    async def update_staff(
        self, actor: Actor, staff_id: str, *, name: str | None = None, roles: list[str] | None = None,
        active: bool | None = None, password: str | None = None, language: str | None = None,
        region_roles: dict[str, list[str]] | None = None,
    ) -> Document:
        mine = roles is None and active is None and region_roles is None
        if not actor.has() and not (actor.staff_id == staff_id and mine):
            raise Forbidden("Vain pääkäyttäjä voi muuttaa muiden käyttäjien tietoja.")
        store = self.c.store
        current = await store.staff_by_id(staff_id)
        if current is None:
            raise NotFound("Käyttäjää ei löydy.")
        if password and actor.staff_id != staff_id:
            self._password_for_someone(password)
        changes = self._changes(name, roles, active, password, language, region_roles, current)
        after = {**current, **changes}
        if (
            "admin" in current["roles"]
            and current.get("active")
            and ("admin" not in after["roles"] or not after["active"])
        ):
            admins = [s for s in await store.staff_with_role("admin") if s["_id"] != staff_id]
            if not admins:
                raise Refused("Viimeistä pääkäyttäjää ei voi poistaa käytöstä.", "roles")
        if revokes_tokens(current, changes):
            changes["token_generation"] = generation_of(current) + 1
            after["token_generation"] = changes["token_generation"]
        changes["updated_at"] = self.c.now()
        visible = any(k in changes for k in ("name", "roles", "region_roles", "active", "language", "token_generation"))
        event = self.staff_event(after) if visible else None
        doc = await store.update_staff(staff_id, changes, event)
        if doc is None:
            raise NotFound("Käyttäjää ei löydy.")
        self._written(event)
        doc.pop("password_hash", None)
        doc.pop("password_link", None)
        return doc
