"""Staff passwords by one-time link: a new account's invitation and the reset a staff member asks for.

Nobody types someone else's password: an admin adds an account (or sends an existing one a new link), and the
person sets their own password through a link mailed to them (`staff-password-link-issued`, delivered by
notify). The link is `<advisory>/password/<staff id>.<secret>`: the secret is 32 random bytes, the account keeps
only its SHA-256, the link expires (an invitation after 72 hours, a reset after an hour) and works once (setting
the password is a compare-and-set on the hash, which the same write clears). A newer link replaces the older.
Setting a password ends every token issued before it (the token generation moves on).

Resets are throttled per account and per client, like signing in: an account gets at most a few reset mails an
hour, and the answer is the same whether or not the address has an account (nothing to enumerate).
"""

from __future__ import annotations

import hmac
from datetime import UTC, datetime

from argon2 import PasswordHasher

from koonto.advisory.domain.actor import Actor
from koonto.advisory.domain.errors import Forbidden, Invalid, LinkExpired, NotFound, Throttled
from koonto.advisory.domain.password_links import EXPIRED, Purpose, digest, new_link, split
from koonto.advisory.use_cases.common import Context
from koonto.advisory.use_cases.staff import StaffAccounts, check_password, generation_of
from koonto.shared.contracts import Envelope
from koonto.shared.logs import get_logger
from koonto.shared.mongo import Document

log = get_logger(__name__)

RESETS_PER_ACCOUNT = 3  # reset mails an account can be sent per hour
RESETS_PER_CLIENT = 10  # reset requests one client address can make per hour


class PasswordLinks:
    def __init__(self, context: Context, hasher: PasswordHasher, accounts: StaffAccounts) -> None:
        self.c = context
        self.hasher = hasher
        self.accounts = accounts

    def issue(self, staff: Document, purpose: Purpose) -> tuple[Document, Envelope | None]:
        """A new link for `staff`: the fields to store on the account and the event that mails it (None for an
        address that cannot receive mail)."""
        fields, data = new_link(staff, purpose, self.c.now(), self.c.settings.advisory_public_url)
        if data is None:
            log.warning("password link not sent: notify could not mail this address", staff_id=staff["_id"])
            return fields, None
        return fields, self.c.event(data, subject=staff["_id"])

    async def send_link(self, actor: Actor, staff_id: str) -> Document:
        """An admin sends an account a new link: an invitation while it has no password yet, else a reset."""
        if not actor.has():  # admin only
            raise Forbidden("Vain pääkäyttäjä voi lähettää linkin toiselle käyttäjälle.")
        staff = await self.c.store.staff_by_id(staff_id)
        if staff is None or not staff.get("active"):
            raise NotFound("Käyttäjää ei löydy tai se on poistettu käytöstä.")
        fields, event = self.issue(staff, "reset" if staff.get("password_hash") else "invitation")
        await self.c.store.update_staff(staff_id, {**fields, "updated_at": self.c.now()}, event)
        if event is not None:
            self.c.written(event)
        return {"staff_id": staff_id, "sent": event is not None, "expires_at": fields["password_link"]["expires_at"]}

    async def request_reset(self, email: str, client: str) -> None:
        """Mails a reset link when `email` is an active account; says nothing either way. Too many requests from
        one client are refused (Throttled); too many for one account send nothing more until the hour is over."""
        store, now = self.c.store, self.c.now()
        account = email.strip().lower()[:320]
        bucket = int(now.timestamp()) // 3600
        ends = datetime.fromtimestamp((bucket + 1) * 3600, tz=UTC)
        if await store.take_attempt(f"reset-client:{client or 'unknown'}:{bucket}", RESETS_PER_CLIENT, ends) is None:
            seconds = max(1, int((ends - now).total_seconds()))
            raise Throttled("Liian monta pyyntöä. Yritä uudelleen %(minutes)d minuutin kuluttua.", retry_after=seconds)
        staff = await store.staff_by_email(account) if account else None
        if staff is None or not staff.get("active"):
            return
        if not self.c.settings.password_login and account != self.c.settings.bootstrap_email:
            return  # staff sign in through the identity provider: no password to reset
        if await store.take_attempt(f"reset-account:{staff['_id']}:{bucket}", RESETS_PER_ACCOUNT, ends) is None:
            log.info("password reset not sent: the account's hourly limit is reached", staff_id=staff["_id"])
            return
        fields, event = self.issue(staff, "reset")
        await store.update_staff(staff["_id"], {**fields, "updated_at": now}, event)
        if event is not None:
            self.c.written(event)

    async def link_holder(self, token: str) -> Document:
        """The account a link is for (name, e-mail, purpose), or LinkExpired."""
        staff_id, secret = split(token)
        staff = await self.c.store.staff_by_id(staff_id)
        link = (staff or {}).get("password_link") or {}
        expires_at = link.get("expires_at")
        if (
            staff is None
            or not staff.get("active")
            or not hmac.compare_digest(str(link.get("hash", "")).encode(), digest(secret).encode())
            or expires_at is None
            or expires_at <= self.c.now()
        ):
            raise LinkExpired(EXPIRED)
        return {"_id": staff["_id"], "name": staff["name"], "email": staff["email"], "purpose": link["purpose"],
                "expires_at": expires_at}

    async def set_password(self, token: str, password: str, repeated: str) -> Document:
        """Sets the password through the link, once; every earlier token of the account stops working."""
        holder = await self.link_holder(token)
        if password != repeated:
            raise Invalid("Salasanat eivät ole samat.", "repeat")
        changes: Document = {"password_hash": self.hasher.hash(check_password(password)), "updated_at": self.c.now()}
        staff = await self.c.store.staff_by_id(holder["_id"])
        assert staff is not None
        changes["token_generation"] = generation_of(staff) + 1
        event = self.accounts.staff_event({**staff, **changes})
        _, secret = split(token)
        done = await self.c.store.use_password_link(holder["_id"], digest(secret), changes, event)
        if done is None:  # used or replaced meanwhile (another tab, a newer link)
            raise LinkExpired(EXPIRED)
        if event is not None:
            self.c.written(event)
        log.info("password set through a one-time link", staff_id=holder["_id"], purpose=holder["purpose"])
        return holder
