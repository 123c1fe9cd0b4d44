"""Signing in: password check with throttling per account and per client, and the staff token."""

from __future__ import annotations

from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from koonto.advisory.domain.errors import BadCredentials, Throttled
from koonto.advisory.signing import Keyring
from koonto.advisory.store import throttle_keys
from koonto.advisory.use_cases.common import Context

Document = dict[str, Any]
_DUMMY_HASH = PasswordHasher().hash("timing-equaliser-for-unknown-accounts")


class Authentication:
    def __init__(self, context: Context, hasher: PasswordHasher, keyring: Keyring) -> None:
        self.c = context
        self.hasher = hasher
        self.keyring = keyring

    async def authenticate(self, email: str, password: str, client: str) -> Document:
        """The staff document for a correct, active login; throttled per account and per client address."""
        settings, store = self.c.settings, self.c.store
        now = self.c.now()
        window = settings.login_window_seconds
        account = email.strip().lower()[:320]
        account_keys, expires = throttle_keys("account", account, now, window)
        client_keys, _ = throttle_keys("client", client or "unknown", now, window)
        counts = await store.failures([*account_keys, *client_keys])
        if (
            sum(counts[k] for k in account_keys) >= settings.login_max_failures_per_account
            or sum(counts[k] for k in client_keys) >= settings.login_max_failures_per_client
        ):
            raise Throttled(
                "Liian monta epäonnistunutta kirjautumista. Odota 15 minuuttia ja yritä uudelleen.",
                retry_after=window,
            )
        staff = await store.staff_by_email(account)
        ok = False
        try:
            ok = self.hasher.verify(staff["password_hash"] if staff else _DUMMY_HASH, password) and staff is not None
        except (VerificationError, InvalidHashError):
            ok = False
        if not ok or staff is None or not staff.get("active"):
            await store.record_failure([account_keys[0], client_keys[0]], expires)
            raise BadCredentials("Sähköpostiosoite tai salasana on väärin, tai tunnus ei ole käytössä.")
        await store.clear_failures(account_keys)
        if self.hasher.check_needs_rehash(staff["password_hash"]):
            await store.update_staff(staff["_id"], {"password_hash": self.hasher.hash(password)}, None)
        return staff

    def issue_token(self, staff: Document) -> str:
        return self.keyring.keys.issue(
            staff_id=staff["_id"],
            email=staff["email"],
            name=staff["name"],
            roles=tuple(staff["roles"]),
            generation=int(staff.get("token_generation", 0)),
            ttl_seconds=self.c.settings.staff_token_ttl_seconds,
        )
