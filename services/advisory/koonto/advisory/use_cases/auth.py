"""Signing in: password check with throttling per account and per client, and the staff token."""

from __future__ import annotations

import math
from datetime import UTC, datetime

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from koonto.advisory.domain.errors import BadCredentials, SignInRefused, Throttled
from koonto.advisory.domain.regions import region_roles_of
from koonto.advisory.signing import Keyring
from koonto.advisory.use_cases.common import Context
from koonto.shared.mongo import Document

_DUMMY_HASH = PasswordHasher().hash("timing-equaliser-for-unknown-accounts")


class Authentication:
    def __init__(self, context: Context, hasher: PasswordHasher, keyring: Keyring) -> None:
        self.c = context
        self.hasher = hasher
        self.keyring = keyring
        self.password_checks = 0  # passwords this replica checked against a hash (what the throttle bounds)

    async def authenticate(self, email: str, password: str, client: str) -> Document:
        """The staff document for a correct, active login; throttled per account and per client address.

        Every attempt first takes one of the attempts allowed in the current window, per account and per
        client (`AdvisoryStore.take_attempt`, one unique-key insert each): the decision is made, atomically
        across replicas, before the password is checked, so no more than the limit are ever checked. A failed
        attempt keeps its slots until the window ends; a successful one frees the account's and its own.
        """
        settings, store = self.c.settings, self.c.store
        if not settings.password_login and email.strip().lower() != settings.bootstrap_email:
            raise SignInRefused("Salasanalla kirjautuminen ei ole käytössä. Kirjaudu organisaation tunnuksella.")
        now = self.c.now()
        window = settings.login_window_seconds
        account = email.strip().lower()[:320]
        bucket = int(now.timestamp()) // window
        ends = datetime.fromtimestamp((bucket + 1) * window, tz=UTC)
        account_key, client_key = f"account:{account}:{bucket}", f"client:{client or 'unknown'}:{bucket}"
        account_slot = await store.take_attempt(account_key, settings.login_max_failures_per_account, ends)
        if account_slot is None:
            raise self._throttled(now, ends)
        client_slot = await store.take_attempt(client_key, settings.login_max_failures_per_client, ends)
        if client_slot is None:
            await store.release_attempts([account_slot])  # not checked, so not a failure of the account
            raise self._throttled(now, ends)
        staff = await store.staff_by_email(account)
        self.password_checks += 1
        ok = False
        try:
            # an account invited but without a password yet is checked against the dummy too: never signed in
            stored = (staff or {}).get("password_hash")
            ok = self.hasher.verify(stored or _DUMMY_HASH, password) and stored is not None
        except (VerificationError, InvalidHashError):
            ok = False
        if not ok or staff is None or not staff.get("active"):
            raise BadCredentials("Sähköpostiosoite tai salasana on väärin, tai tunnus ei ole käytössä.")
        await store.clear_attempts(account_key)
        await store.release_attempts([client_slot])
        if self.hasher.check_needs_rehash(staff["password_hash"]):
            await store.update_staff(staff["_id"], {"password_hash": self.hasher.hash(password)}, None)
        return staff

    @staticmethod
    def _throttled(now: datetime, ends: datetime) -> Throttled:
        """Refused until the window ends (never longer): Retry-After and the message say how long."""
        seconds = max(1, math.ceil((ends - now).total_seconds()))
        return Throttled(
            "Liian monta epäonnistunutta kirjautumista. Yritä uudelleen %(minutes)d minuutin kuluttua.",
            retry_after=seconds,
        )

    def issue_token(self, staff: Document) -> str:
        return self.keyring.keys.issue(
            staff_id=staff["_id"],
            email=staff["email"],
            name=staff["name"],
            roles=tuple(staff["roles"]),
            generation=int(staff.get("token_generation", 0)),
            ttl_seconds=self.c.settings.staff_token_ttl_seconds,
            regions=region_roles_of(staff, self.c.served[0]),
        )
