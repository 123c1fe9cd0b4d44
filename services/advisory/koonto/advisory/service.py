"""The advisory application layer: every use case in one place, between the web/handlers and the store.

Each use case reads what it needs, lets `domain/` decide, then writes the new state together with the events
it causes in one single-document write (embedded outbox), and wakes the relay.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from email_validator import EmailNotValidError, validate_email
from pydantic import ValidationError

from koonto.advisory.domain.clock import Clock, SystemClock, helsinki_moment
from koonto.advisory.domain.lifecycle import (
    STAGE_LABELS,
    CaseFacts,
    TransitionIncomplete,
    TransitionRefused,
    TransitionRequest,
    decide,
)
from koonto.advisory.domain.schedule import ServiceLevel, call_notices_due, notices_until
from koonto.advisory.relay import locking_relay
from koonto.advisory.settings import AdvisorySettings
from koonto.advisory.signing import SigningKeys, load_signing_keys
from koonto.advisory.store import AdvisoryStore, CaseFilter, Conflict, iso, search_text, throttle_keys
from koonto.shared.auth import ROLES, StaffPrincipal
from koonto.shared.bus import Delivery
from koonto.shared.clock import HELSINKI, as_utc, format_date
from koonto.shared.contracts import Envelope, EventData
from koonto.shared.contracts.advisory import (
    AssociationMessaged,
    AttendanceRecorded,
    CallClosed,
    CallClosingSoon,
    CallOpened,
    CaseAssigned,
    CaseOpened,
    CaseOrganisation,
    EventScheduled,
    FollowupDue,
    SessionLogged,
    StaffUpdated,
    StageChanged,
)
from koonto.shared.contracts.intake import ErasureRequested, IdeaAmended, IdeaSubmitted, RegistrationReceived
from koonto.shared.ids import new_event_id
from koonto.shared.logs import get_logger
from koonto.shared.store import epoch_ms

if TYPE_CHECKING:
    from koonto.shared.runtime import Runtime

log = get_logger(__name__)

CASE_NAMESPACE = uuid.UUID("6f1c4b8e-4b7a-4c59-9a55-2a0c6f8e9d10")
SESSION_KINDS = ("phone", "meeting", "video", "email", "workshop")
EVENT_KINDS = ("training", "forum", "talk", "workshop", "networking")
WORK_ROLES = ("advisor", "coordinator")  # admin passes every role check
MIN_PASSWORD_LENGTH = 12  # the message below names it
_DUMMY_HASH = PasswordHasher().hash("timing-equaliser-for-unknown-accounts")


# -- errors a user can cause (the web layer turns them into 4xx with the message) ---------------------------
class AdvisoryError(Exception):
    status = 400

    def __init__(self, message: str, field: str | None = None, **extra: Any) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.extra = extra


class NotFound(AdvisoryError):
    status = 404


class Invalid(AdvisoryError):
    status = 422


class Refused(AdvisoryError):
    status = 409


class Forbidden(AdvisoryError):
    status = 403


class Throttled(AdvisoryError):
    status = 429


class BadCredentials(AdvisoryError):
    status = 401


def case_id_for(idea_id: str) -> str:
    """Derived from the idea id: a redelivered idea-submitted can never open a second case."""
    return f"case-{uuid.uuid5(CASE_NAMESPACE, idea_id)}"


def _id(prefix: str) -> str:
    return f"{prefix}-{new_event_id()}"


def normalise_email(value: str) -> str:
    try:
        return validate_email(value.strip(), check_deliverability=False).normalized.lower()
    except EmailNotValidError:
        raise Invalid("Tarkista sähköpostiosoite (esim. nimi@esimerkki.fi).", "email") from None


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


@dataclass
class TickReport:
    sla: int = 0
    followups: int = 0
    call_notices: list[tuple[str, str]] = field(default_factory=list)


class Advisory:
    """The advisory service's use cases, bound to one runtime (store, outbox relay, region)."""

    def __init__(self, settings: AdvisorySettings, clock: Clock | None = None) -> None:
        self.settings = settings
        offset = timedelta(0)
        if settings.fake_today is not None and settings.is_local:
            offset = helsinki_moment(settings.fake_today, 9) - helsinki_moment(date.today(), 9)
        self.clock: Clock = clock or SystemClock(offset)
        self.keys: SigningKeys = load_signing_keys(
            signing_key_pem=settings.staff_signing_key.get_secret_value() if settings.staff_signing_key else None,
            previous_key_pem=(
                settings.staff_previous_signing_key.get_secret_value() if settings.staff_previous_signing_key else None
            ),
            data_dir=settings.data_dir,
            allow_generate=settings.is_local,
        )
        self.hasher = PasswordHasher()
        self.service_level = ServiceLevel(settings.first_contact_working_days)
        self._runtime: Runtime | None = None
        self._store: AdvisoryStore | None = None

    # -- wiring ------------------------------------------------------------------------------------------
    def bind(self, runtime: Runtime) -> None:
        self._runtime = runtime
        self._store = AdvisoryStore(runtime.db)
        # the shared relay, with its writes serialised with ours per document (see relay.py); not started yet
        runtime.relay = locking_relay(
            runtime.spec.name,
            [runtime.db[c] for c in runtime.spec.outbox_collections],
            runtime.publisher,
            locks=self._store.locks,
            poll_seconds=runtime.settings.outbox_poll_seconds,
        )
        runtime.token_verifier = self.keys.verifier()  # no HTTP request to ourselves
        runtime.state["advisory"] = self

    @property
    def runtime(self) -> Runtime:
        assert self._runtime is not None, "Advisory.bind(runtime) first"
        return self._runtime

    @property
    def store(self) -> AdvisoryStore:
        assert self._store is not None, "Advisory.bind(runtime) first"
        return self._store

    def use_keys(self, keys: SigningKeys) -> None:
        """After a rotation: sign with the new key, verify with both."""
        self.keys = keys
        if self._runtime is not None:
            self._runtime.token_verifier = keys.verifier()

    def now(self) -> datetime:
        return self.clock.now()

    def today(self) -> date:
        return self.clock.today()

    def _event(self, data: EventData, subject: str, delivery: Delivery | None = None) -> Envelope:
        if delivery is not None:
            return delivery.new_event(data, subject=subject)
        return self.runtime.new_event(data, subject=subject)

    def _written(self) -> None:
        self.runtime.events_written()

    # -- staff accounts ----------------------------------------------------------------------------------
    def _staff_event(self, doc: dict[str, Any]) -> Envelope | None:
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
                updated_at=self.now(),
            )
        except ValidationError:
            log.warning("staff-updated not emitted: notify could not mail this address", staff_id=doc["_id"])
            return None
        return self._event(data, subject=doc["_id"])

    async def bootstrap_admin(self) -> None:
        """The first admin from KOONTO_BOOTSTRAP_ADMIN_* when no active admin exists (idempotent)."""
        if await self.store.any_active_admin():
            return
        credentials = self.settings.bootstrap_admin()
        if credentials is None:
            log.warning("no admin account and no KOONTO_BOOTSTRAP_ADMIN_EMAIL/PASSWORD: nobody can sign in")
            return
        email, password = credentials
        existing = await self.store.staff_by_email(email)
        if existing is not None:
            # the bootstrap address exists but lost its admin role or was deactivated: restore it
            changes = {"roles": sorted({*existing["roles"], "admin"}), "active": True, "updated_at": self.now()}
            await self.store.update_staff(existing["_id"], changes, self._staff_event({**existing, **changes}))
        else:
            doc = self._new_staff_doc(
                email=email,
                name="Pääkäyttäjä",
                roles=("admin",),
                password=password,
                language="fi",
                staff_id=f"staff-{uuid.uuid5(CASE_NAMESPACE, 'bootstrap:' + email)}",
            )
            await self.store.create_staff(doc, self._staff_event(doc))
        self._written()
        log.info("bootstrap admin ensured", email=email)

    def _new_staff_doc(
        self,
        *,
        email: str,
        name: str,
        roles: tuple[str, ...],
        password: str,
        language: str,
        staff_id: str | None = None,
    ) -> dict[str, Any]:
        now = self.now()
        return {
            "_id": staff_id or _id("staff"),
            "email": email,
            "name": name,
            "roles": list(roles),
            "language": language,
            "active": True,
            "password_hash": self.hasher.hash(password),
            "created_at": now,
            "updated_at": now,
            "region": self.runtime.region.code,
        }

    @staticmethod
    def _check_roles(roles: tuple[str, ...] | list[str]) -> tuple[str, ...]:
        chosen = tuple(r for r in ROLES if r in set(roles))
        if not chosen or len(chosen) != len(set(roles)):
            raise Invalid("Valitse vähintään yksi rooli: admin, coordinator, advisor tai funder.", "roles")
        return chosen

    @staticmethod
    def _check_password(password: str) -> str:
        if len(password) < MIN_PASSWORD_LENGTH:
            raise Invalid("Salasanassa on oltava vähintään 12 merkkiä.", "password")
        return password

    async def create_staff(
        self, actor: Actor, *, email: str, name: str, roles: list[str], password: str, language: str = "fi"
    ) -> dict[str, Any]:
        if not actor.has():  # admin only
            raise Forbidden("Vain pääkäyttäjä voi lisätä käyttäjiä.")
        email = normalise_email(email)
        name = name.strip()
        if not name or len(name) > 200:
            raise Invalid("Kirjoita nimi.", "name")
        language = language if language in ("fi", "sv", "en") else "fi"
        doc = self._new_staff_doc(
            email=email,
            name=name,
            roles=self._check_roles(roles),
            password=self._check_password(password),
            language=language,
        )
        if not await self.store.create_staff(doc, self._staff_event(doc)):
            raise Refused("Tällä sähköpostiosoitteella on jo käyttäjä.", "email")
        self._written()
        return {k: v for k, v in doc.items() if k != "password_hash"}

    async def update_staff(
        self,
        actor: Actor,
        staff_id: str,
        *,
        name: str | None = None,
        roles: list[str] | None = None,
        active: bool | None = None,
        password: str | None = None,
        language: str | None = None,
    ) -> dict[str, Any]:
        if not actor.has() and not (actor.staff_id == staff_id and roles is None and active is None):
            raise Forbidden("Vain pääkäyttäjä voi muuttaa muiden käyttäjien tietoja.")
        current = await self.store.staff_by_id(staff_id)
        if current is None:
            raise NotFound("Käyttäjää ei löydy.")
        changes: dict[str, Any] = {}
        if name is not None and name.strip():
            changes["name"] = name.strip()[:200]
        if roles is not None:
            changes["roles"] = list(self._check_roles(roles))
        if active is not None:
            changes["active"] = bool(active)
        if language in ("fi", "sv", "en"):
            changes["language"] = language
        if password:
            changes["password_hash"] = self.hasher.hash(self._check_password(password))
        after = {**current, **changes}
        if (
            "admin" in current["roles"]
            and current.get("active")
            and ("admin" not in after["roles"] or not after["active"])
        ):
            admins = [s for s in await self.store.staff_with_role("admin") if s["_id"] != staff_id]
            if not admins:
                raise Refused("Viimeistä pääkäyttäjää ei voi poistaa käytöstä.", "roles")
        changes["updated_at"] = self.now()
        visible = any(k in changes for k in ("name", "roles", "active", "language"))
        doc = await self.store.update_staff(staff_id, changes, self._staff_event(after) if visible else None)
        if doc is None:
            raise NotFound("Käyttäjää ei löydy.")
        self._written()
        doc.pop("password_hash", None)
        return doc

    async def authenticate(self, email: str, password: str, client: str) -> dict[str, Any]:
        """The staff document for a correct, active login; throttled per account and per client address."""
        now = self.now()
        window = self.settings.login_window_seconds
        account = email.strip().lower()[:320]
        account_keys, expires = throttle_keys("account", account, now, window)
        client_keys, _ = throttle_keys("client", client or "unknown", now, window)
        counts = await self.store.failures([*account_keys, *client_keys])
        if (
            sum(counts[k] for k in account_keys) >= self.settings.login_max_failures_per_account
            or sum(counts[k] for k in client_keys) >= self.settings.login_max_failures_per_client
        ):
            raise Throttled(
                "Liian monta epäonnistunutta kirjautumista. Odota 15 minuuttia ja yritä uudelleen.",
                retry_after=window,
            )
        staff = await self.store.staff_by_email(account)
        ok = False
        try:
            ok = self.hasher.verify(staff["password_hash"] if staff else _DUMMY_HASH, password) and staff is not None
        except (VerificationError, InvalidHashError):
            ok = False
        if not ok or staff is None or not staff.get("active"):
            await self.store.record_failure([account_keys[0], client_keys[0]], expires)
            raise BadCredentials("Sähköpostiosoite tai salasana on väärin, tai tunnus ei ole käytössä.")
        await self.store.clear_failures(account_keys)
        if self.hasher.check_needs_rehash(staff["password_hash"]):
            await self.store.update_staff(staff["_id"], {"password_hash": self.hasher.hash(password)}, None)
        return staff

    def issue_token(self, staff: dict[str, Any]) -> str:
        return self.keys.issue(
            staff_id=staff["_id"],
            email=staff["email"],
            name=staff["name"],
            roles=tuple(staff["roles"]),
            ttl_seconds=self.settings.staff_token_ttl_seconds,
        )

    async def active_staff(self, staff_id: str) -> dict[str, Any] | None:
        staff = await self.store.staff_by_id(staff_id)
        return staff if staff is not None and staff.get("active") else None

    # -- cases from intake -------------------------------------------------------------------------------
    def _entry(self, kind: str, actor: Actor, text: str | None = None, **data: Any) -> tuple[str, dict[str, Any]]:
        entry_id = new_event_id()
        return entry_id, {
            "id": entry_id,
            "at": self.now(),
            "kind": kind,
            "by": actor.staff_id,
            "by_name": actor.name,
            "text": text,
            **data,
        }

    async def open_case_from_idea(self, delivery: Delivery) -> bool:
        idea: IdeaSubmitted = delivery.data
        case_id = case_id_for(idea.idea_id)
        now = self.now()
        opened_on = now.astimezone(HELSINKI).date()
        organisation = CaseOrganisation(
            name=idea.organisation.name,
            type=idea.organisation.type,
            business_id=idea.organisation.business_id,
            municipality=idea.organisation.municipality,
        )
        event = self._event(
            CaseOpened(
                case_id=case_id,
                idea_id=idea.idea_id,
                reference=idea.reference,
                opened_at=now,
                idea_submitted_at=idea.submitted_at,
                title=idea.title,
                organisation=organisation,
                themes=idea.themes,
                publication_consent=idea.consents.publication,
            ),
            subject=case_id,
            delivery=delivery,
        )
        entry_id, entry = self._entry("opened", SYSTEM, None, stage="idea")
        contact = idea.contact.model_dump()
        contact["email"] = contact["email"].lower()
        doc = {
            "_id": case_id,
            "region": delivery.envelope.region,
            "idea_id": idea.idea_id,
            "reference": idea.reference,
            "title": idea.title,
            "description": idea.description,
            "organisation": idea.organisation.model_dump(),
            "themes": list(idea.themes),
            "target_groups": list(idea.target_groups),
            "estimated_budget_eur": idea.estimated_budget_eur,
            "schedule": idea.schedule,
            "publication_consent": idea.consents.publication,
            "status_url": idea.status_url,
            "contact": contact,
            "contact_erased": False,
            "stage": "idea",
            "advisor_id": None,
            "call_id": None,
            "amount_applied_eur": None,
            "amount_granted_eur": None,
            "public_summary": None,
            "opened_at": now,
            "idea_submitted_at": idea.submitted_at,
            "stage_changed_at": now,
            "stage_changed_ms": epoch_ms(now),
            "first_contact_at": None,
            "sla": {
                "deadline": iso(self.service_level.deadline(opened_on)),
                "fires_on": iso(self.service_level.lapses_on(opened_on)),
                "fired": False,
            },
            "timeline": {entry_id: entry},
            "version": 1,
            "search": search_text(
                idea.reference,
                idea.title,
                idea.organisation.name,
                idea.organisation.municipality,
                idea.organisation.business_id,
                idea.contact.name,
                idea.contact.email,
            ),
        }
        opened = await self.store.open_case(doc, event)
        if opened:
            self._written()
        return opened

    async def amend_case(self, delivery: Delivery) -> None:
        amended: IdeaAmended = delivery.data
        case = await self.store.case_by_idea(amended.idea_id)
        if case is None:
            raise LookupError(f"no case yet for idea {amended.idea_id}")  # transient: idea-submitted comes first
        changes: dict[str, Any] = {}
        if amended.description is not None:
            changes["description"] = amended.description
        if amended.contact is not None and not case.get("contact_erased"):
            contact = amended.contact.model_dump()
            contact["email"] = contact["email"].lower()
            changes["contact"] = contact
        entry_id, entry = self._entry("amended", SYSTEM, ", ".join(amended.changed_fields))
        changes[f"timeline.{entry_id}"] = entry
        for _ in range(5):
            try:
                await self.store.update_case(case["_id"], case["version"], changes)
                return
            except Conflict:
                case = await self.store.case_by_idea(amended.idea_id) or case
        raise Conflict(case["_id"])

    async def erase_contact(self, delivery: Delivery) -> int:
        """GDPR erasure: contact details leave every case of the person; the case itself stays for statistics."""
        request: ErasureRequested = delivery.data
        erased = await self.store.erase_registrations(str(request.email).lower())
        for case in await self.store.cases_of_idea_or_contact(request.idea_ids, str(request.email)):
            entry_id, entry = self._entry("erased", SYSTEM, None)
            changes = {
                "contact": None,
                "contact_erased": True,
                "status_url": None,
                f"timeline.{entry_id}": entry,
                "search": search_text(
                    case["reference"],
                    case["title"],
                    case["organisation"]["name"],
                    case["organisation"].get("municipality"),
                    case["organisation"].get("business_id"),
                ),
            }
            # message bodies to the association may quote the person: they go too, the fact of a message stays
            for key, item in (case.get("timeline") or {}).items():
                if item.get("kind") == "message":
                    changes[f"timeline.{key}.text"] = None
            for _ in range(5):
                try:
                    await self.store.update_case(case["_id"], case["version"], changes)
                    erased += 1
                    break
                except Conflict:
                    case = await self.store.case(case["_id"]) or case
            else:
                raise Conflict(case["_id"])
        return erased

    # -- case work ---------------------------------------------------------------------------------------
    async def case(self, case_id: str) -> dict[str, Any]:
        case = await self.store.case(case_id)
        if case is None:
            raise NotFound("Tapausta ei löydy.")
        return case

    async def list_cases(self, flt: CaseFilter, limit: int = 500) -> list[dict[str, Any]]:
        return await self.store.list_cases(flt, limit=limit)

    def _contact_fields(self, case: dict[str, Any]) -> dict[str, Any]:
        return {} if case.get("first_contact_at") else {"first_contact_at": self.now()}

    async def transition(self, actor: Actor, case_id: str, request: TransitionRequest) -> dict[str, Any]:
        case = await self.case(case_id)
        known_call = True
        if request.call_id:
            known_call = await self.store.call(request.call_id) is not None
        facts = CaseFacts(
            stage=case["stage"],
            call_id=case.get("call_id"),
            amount_applied_eur=case.get("amount_applied_eur"),
            amount_granted_eur=case.get("amount_granted_eur"),
        )
        try:
            decision = decide(facts, request, known_call=known_call)
        except TransitionRefused as exc:
            allowed = ", ".join(f"{t} ({STAGE_LABELS[t]})" for t in exc.allowed) or "-"
            raise Refused(
                f"Siirto vaiheesta {exc.source} ({STAGE_LABELS.get(exc.source, exc.source)}) vaiheeseen "
                f"{exc.target} ei ole sallittu. Sallitut siirrot: {allowed}.",
                "to",
                allowed=list(exc.allowed),
                current=exc.source,
            ) from None
        except TransitionIncomplete as exc:
            raise Invalid(exc.message, exc.field) from None
        now = self.now()
        event = self._event(
            StageChanged(
                case_id=case_id,
                idea_id=case["idea_id"],
                reference=case["reference"],
                from_stage=case["stage"],
                to_stage=request.target,
                reason=decision.reason,
                changed_by=actor.staff_id,
                changed_at=now,
                call_id=decision.call_id,
                amount_applied_eur=decision.amount_applied_eur,
                amount_granted_eur=decision.amount_granted_eur,
                public_summary=decision.public_summary,
            ),
            subject=case_id,
        )
        entry_id, entry = self._entry(
            "stage",
            actor,
            decision.reason,
            from_stage=case["stage"],
            to_stage=request.target,
            call_id=decision.call_id,
            amount_applied_eur=decision.amount_applied_eur,
            amount_granted_eur=decision.amount_granted_eur,
            public_summary=decision.public_summary,
        )
        changes = {
            "stage": request.target,
            "stage_changed_at": now,
            "stage_changed_ms": epoch_ms(now),
            "call_id": decision.call_id,
            "amount_applied_eur": decision.amount_applied_eur,
            "amount_granted_eur": decision.amount_granted_eur,
            f"timeline.{entry_id}": entry,
            **self._contact_fields(case),
        }
        if decision.public_summary is not None:
            changes["public_summary"] = decision.public_summary
        try:
            doc = await self.store.update_case(case_id, case["version"], changes, event)
        except Conflict:
            raise Refused("Tapausta muutettiin juuri toisaalla. Lataa sivu ja yritä uudelleen.") from None
        self._written()
        return doc

    async def log_session(
        self,
        actor: Actor,
        case_id: str,
        *,
        kind: str,
        started_at: datetime,
        duration_minutes: int,
        topics: list[str],
        note: str | None,
    ) -> dict[str, Any]:
        if kind not in SESSION_KINDS:
            raise Invalid("Valitse neuvonnan muoto.", "kind")
        if not 1 <= duration_minutes <= 24 * 60:
            raise Invalid("Kesto minuutteina: 1–1440.", "duration_minutes")
        if started_at.tzinfo is None:
            started_at = started_at.replace(tzinfo=HELSINKI)
        started_at = as_utc(started_at)  # UTC inside; shown in Helsinki time
        topics = [t.strip()[:200] for t in topics if t.strip()][:20]
        case = await self.case(case_id)
        session_id = _id("session")
        event = self._event(
            SessionLogged(
                session_id=session_id,
                case_id=case_id,
                idea_id=case["idea_id"],
                kind=kind,  # type: ignore[arg-type]
                started_at=started_at,
                duration_minutes=duration_minutes,
                topics=tuple(topics),
                advisor_id=actor.staff_id,
            ),
            subject=case_id,
        )
        entry_id, entry = self._entry(
            "session",
            actor,
            (note or "").strip()[:20_000] or None,
            session_id=session_id,
            session_kind=kind,
            started_at=started_at,
            duration_minutes=duration_minutes,
            topics=topics,
        )
        changes = {f"timeline.{entry_id}": entry, **self._contact_fields(case)}
        await self._update_with_retry(case, changes, event)
        return entry

    async def _update_with_retry(
        self, case: dict[str, Any], changes: dict[str, Any], *events: Envelope
    ) -> dict[str, Any]:
        """For additions that do not depend on the case's state (notes, sessions): retry on a concurrent change."""
        for _ in range(5):
            try:
                doc = await self.store.update_case(case["_id"], case["version"], changes, *events)
                if events:
                    self._written()
                return doc
            except Conflict:
                case = await self.case(case["_id"])
                if "first_contact_at" in changes and case.get("first_contact_at"):
                    changes = {k: v for k, v in changes.items() if k != "first_contact_at"}
        raise Refused("Tapausta muutettiin juuri toisaalla. Yritä uudelleen.")

    async def add_note(self, actor: Actor, case_id: str, text: str) -> dict[str, Any]:
        text = text.strip()
        if not text:
            raise Invalid("Kirjoita muistiinpano.", "text")
        case = await self.case(case_id)
        entry_id, entry = self._entry("note", actor, text[:20_000])
        await self._update_with_retry(case, {f"timeline.{entry_id}": entry})
        return entry

    async def message_association(self, actor: Actor, case_id: str, body: str) -> dict[str, Any]:
        body = body.strip()
        if not body:
            raise Invalid("Kirjoita viesti.", "body")
        case = await self.case(case_id)
        if case.get("contact_erased") or not case.get("contact"):
            raise Refused("Yhteyshenkilön tiedot on poistettu; viestiä ei voi lähettää.", "body")
        message_id = _id("message")
        event = self._event(
            AssociationMessaged(
                message_id=message_id,
                case_id=case_id,
                idea_id=case["idea_id"],
                reference=case["reference"],
                advisor_id=actor.staff_id,
                advisor_name=actor.name[:200] or "Koonto",
                body=body[:20_000],
                sent_at=self.now(),
            ),
            subject=case_id,
        )
        entry_id, entry = self._entry("message", actor, body[:20_000], message_id=message_id)
        await self._update_with_retry(case, {f"timeline.{entry_id}": entry}, event)
        return entry

    async def assign(self, actor: Actor, case_id: str, advisor_id: str) -> dict[str, Any]:
        if not actor.has("coordinator") and advisor_id != actor.staff_id:
            raise Forbidden("Voit ottaa tapauksen itsellesi; muille jakaa koordinaattori.")
        advisor = await self.active_staff(advisor_id)
        if advisor is None or not ({"advisor", "coordinator", "admin"} & set(advisor["roles"])):
            raise Invalid("Valitse aktiivinen neuvoja.", "advisor_id")
        case = await self.case(case_id)
        if case.get("advisor_id") == advisor_id:
            return case
        event = self._event(
            CaseAssigned(
                case_id=case_id,
                reference=case["reference"],
                advisor_id=advisor_id,
                previous_advisor_id=case.get("advisor_id"),
                assigned_by=actor.staff_id,
                assigned_at=self.now(),
            ),
            subject=case_id,
        )
        entry_id, entry = self._entry("assigned", actor, None, advisor_id=advisor_id, advisor_name=advisor["name"])
        try:
            doc = await self.store.update_case(
                case_id, case["version"], {"advisor_id": advisor_id, f"timeline.{entry_id}": entry}, event
            )
        except Conflict:
            raise Refused("Tapausta muutettiin juuri toisaalla. Lataa sivu ja yritä uudelleen.") from None
        self._written()
        return doc

    async def workload(self) -> list[dict[str, Any]]:
        by_advisor = await self.store.open_cases_by_advisor()
        staff = {s["_id"]: s for s in await self.store.list_staff()}
        rows: list[dict[str, Any]] = []
        for advisor_id, per_stage in by_advisor.items():
            person = staff.get(advisor_id) if advisor_id else None
            rows.append(
                {
                    "advisor_id": advisor_id,
                    "name": person["name"] if person else None,
                    "open_cases": sum(per_stage.values()),
                    "by_stage": per_stage,
                }
            )
        for staff_id, person in staff.items():
            if (
                staff_id not in by_advisor
                and person.get("active")
                and {"advisor", "coordinator"} & set(person["roles"])
            ):
                rows.append({"advisor_id": staff_id, "name": person["name"], "open_cases": 0, "by_stage": {}})
        rows.sort(key=lambda r: (r["advisor_id"] is None, -int(r["open_cases"]), str(r["name"] or "")))
        return rows

    # -- follow-ups --------------------------------------------------------------------------------------
    async def add_followup(
        self, actor: Actor, case_id: str, *, due_on: date, note: str | None, assignee_id: str | None = None
    ) -> dict[str, Any]:
        case = await self.case(case_id)
        assignee_id = assignee_id or actor.staff_id
        if assignee_id != actor.staff_id and await self.active_staff(assignee_id) is None:
            raise Invalid("Valitse aktiivinen käyttäjä.", "assignee_id")
        if due_on < self.today():
            raise Invalid("Päivä on jo mennyt; valitse tänään tai myöhemmin.", "due_on")
        followup_id = _id("followup")
        doc = {
            "_id": followup_id,
            "region": case["region"],
            "case_id": case_id,
            "reference": case["reference"],
            "case_title": case["title"],
            "due_on": iso(due_on),
            "assignee_id": assignee_id,
            "note": (note or "").strip()[:20_000] or None,
            "created_by": actor.staff_id,
            "created_at": self.now(),
            "fired": False,
            "done": False,
            "outbox": {},
        }
        await self.store.add_followup(doc)
        entry_id, entry = self._entry("followup", actor, doc["note"], followup_id=followup_id, due_on=iso(due_on))
        await self._update_with_retry(case, {f"timeline.{entry_id}": entry})
        return doc

    async def complete_followup(self, actor: Actor, followup_id: str) -> dict[str, Any]:
        doc = await self.store.followup(followup_id)
        if doc is None:
            raise NotFound("Muistutusta ei löydy.")
        if doc["assignee_id"] != actor.staff_id and not actor.has("coordinator"):
            raise Forbidden("Voit kuitata vain omat muistutuksesi.")
        done = await self.store.complete_followup(followup_id, self.now(), actor.staff_id)
        assert done is not None
        return done

    # -- funding calls -----------------------------------------------------------------------------------
    async def create_call(
        self,
        actor: Actor,
        *,
        name: str,
        funder: str,
        opens_on: date,
        closes_on: date,
        budget_eur: int | None,
        url: str | None,
        description: str,
    ) -> dict[str, Any]:
        name, funder = name.strip(), funder.strip()
        if not name:
            raise Invalid("Kirjoita haun nimi.", "name")
        if not funder:
            raise Invalid("Kirjoita rahoittaja.", "funder")
        if closes_on < opens_on:
            raise Invalid("Haku ei voi päättyä ennen kuin se alkaa.", "closes_on")
        if budget_eur is not None and not 0 <= budget_eur <= 1_000_000_000:
            raise Invalid("Budjetti kokonaisina euroina.", "budget_eur")
        if url and not url.startswith(("https://", "http://")):
            raise Invalid("Linkin pitää alkaa https://", "url")
        doc: dict[str, Any] = {
            "_id": _id("call"),
            "region": self.runtime.region.code,
            "name": name[:200],
            "funder": funder[:200],
            "opens_on": iso(opens_on),
            "closes_on": iso(closes_on),
            "budget_eur": budget_eur,
            "url": url or None,
            "description": description.strip()[:20_000],
            "created_by": actor.staff_id,
            "created_at": self.now(),
            "notices_until": iso(notices_until(closes_on)),
            "outbox": {},
        }
        await self.store.add_call(doc)
        return doc

    async def call(self, call_id: str) -> dict[str, Any]:
        doc = await self.store.call(call_id)
        if doc is None:
            raise NotFound("Hakua ei löydy.")
        return doc

    # -- trainings and forums ----------------------------------------------------------------------------
    async def schedule_event(
        self,
        actor: Actor,
        *,
        title: str,
        kind: str,
        starts_at: datetime,
        ends_at: datetime | None,
        place: str | None,
        online_url: str | None,
        capacity: int,
        municipality: str | None,
        description: str,
    ) -> dict[str, Any]:
        title = title.strip()
        if not title:
            raise Invalid("Kirjoita tilaisuuden nimi.", "title")
        if kind not in EVENT_KINDS:
            raise Invalid("Valitse tilaisuuden tyyppi.", "kind")
        if starts_at.tzinfo is None:
            starts_at = starts_at.replace(tzinfo=HELSINKI)
        if ends_at is not None and ends_at.tzinfo is None:
            ends_at = ends_at.replace(tzinfo=HELSINKI)
        starts_at = as_utc(starts_at)
        ends_at = as_utc(ends_at) if ends_at is not None else None
        if ends_at is not None and ends_at <= starts_at:
            raise Invalid("Päättymisajan pitää olla alkamisajan jälkeen.", "ends_at")
        place = (place or "").strip() or None
        online_url = (online_url or "").strip() or None
        if not place and not online_url:
            raise Invalid("Kerro paikka tai verkkolinkki.", "place")
        if online_url and not online_url.startswith(("https://", "http://")):
            raise Invalid("Linkin pitää alkaa https://", "online_url")
        if not 1 <= capacity <= 100_000:
            raise Invalid("Osallistujamäärä 1–100 000.", "capacity")
        region = self.runtime.region
        if municipality and region.municipality(municipality) is None:
            raise Invalid("Valitse kunta alueen kunnista.", "municipality")
        event_id = _id("event")
        doc = {
            "_id": event_id,
            "region": region.code,
            "title": title[:200],
            "kind": kind,
            "starts_at": starts_at,
            "ends_at": ends_at,
            "place": place,
            "online_url": online_url,
            "capacity": capacity,
            "municipality": municipality or None,
            "description": description.strip()[:20_000],
            "created_by": actor.staff_id,
            "created_at": self.now(),
            "attendance": None,
        }
        envelope = self._event(
            EventScheduled(
                scheduled_event_id=event_id,
                title=doc["title"],
                kind=kind,
                starts_at=starts_at,  # type: ignore[arg-type]
                ends_at=ends_at,
                place=place,
                online_url=online_url,
                capacity=capacity,
                municipality=doc["municipality"],
                description=doc["description"],
            ),
            subject=event_id,
        )
        await self.store.add_event(doc, envelope)
        self._written()
        return doc

    async def scheduled_event(self, event_id: str) -> dict[str, Any]:
        doc = await self.store.scheduled_event(event_id)
        if doc is None:
            raise NotFound("Tilaisuutta ei löydy.")
        return doc

    async def record_registration(self, delivery: Delivery) -> bool:
        """registration-received: the participant list of the event (names and contacts are for the staff
        organising it; an erasure request removes them)."""
        data: RegistrationReceived = delivery.data
        person = data.participant
        return await self.store.record_registration({
            "_id": data.registration_id,
            "scheduled_event_id": data.scheduled_event_id,
            "status": data.status,
            "position_on_waitlist": data.position_on_waitlist,
            "received_at": data.received_at,
            "name": person.name,
            "email": str(person.email).lower(),
            "phone": person.phone,
            "language": person.language,
            "organisation_name": data.organisation_name,
            "municipality": data.municipality,
        })

    async def registrations(self, event_id: str) -> list[dict[str, Any]]:
        return await self.store.registrations_of(event_id)

    async def record_attendance(
        self,
        actor: Actor,
        event_id: str,
        *,
        participants_total: int,
        women: int,
        men: int,
        other: int,
        not_told: int | None,
        organisations: list[str],
    ) -> dict[str, Any]:
        doc = await self.scheduled_event(event_id)
        counts = {"women": women, "men": men, "other": other}
        if participants_total < 0 or any(v < 0 for v in counts.values()) or (not_told or 0) < 0:
            raise Invalid("Määrät ovat nollia tai positiivisia kokonaislukuja.", "participants_total")
        told = sum(counts.values())
        if not_told is None:
            not_told = participants_total - told
        if told + not_told != participants_total or not_told < 0:
            raise Invalid(
                "Sukupuolen mukaan jaettujen määrien summan pitää olla osallistujien kokonaismäärä.",
                "participants_total",
            )
        organisations = sorted({o.strip()[:200] for o in organisations if o.strip()})[:500]
        held_on = doc["starts_at"].astimezone(HELSINKI).date()
        attendance = {
            "participants_total": participants_total,
            **counts,
            "not_told": not_told,
            "organisations": organisations,
            "recorded_by": actor.staff_id,
            "recorded_at": self.now(),
        }
        envelope = self._event(
            AttendanceRecorded(
                scheduled_event_id=event_id,
                kind=doc["kind"],
                held_on=held_on,
                municipality=doc.get("municipality"),
                participants_total=participants_total,
                not_told=not_told,
                organisations=tuple(organisations),
                **counts,
            ),
            subject=event_id,
        )
        updated = await self.store.record_attendance(event_id, attendance, envelope)
        self._written()
        assert updated is not None
        return updated

    # -- the scheduler: reminders and notices, each fired once -------------------------------------------
    async def _recipients(self, role: str) -> tuple[str, ...]:
        people = await self.store.staff_with_role(role) or await self.store.staff_with_role("admin")
        return tuple(sorted(p["_id"] for p in people))

    async def tick(self) -> TickReport:
        """Fires whatever is due today. Safe on several replicas at once: each firing is one insert under a
        unique key (`sla:<case>`, `followup:<id>`, `call:<id>:<notice>`) that carries its event."""
        today, now = self.today(), self.now()
        report = TickReport()
        region = self.runtime.region.code
        coordinators: tuple[str, ...] | None = None
        for case in await self.store.cases_with_sla_due(today):
            if coordinators is None:
                coordinators = await self._recipients("coordinator")
            deadline = date.fromisoformat(case["sla"]["deadline"])
            key = f"sla:{case['_id']}"
            event = self._event(
                FollowupDue(
                    followup_id=key,
                    case_id=case["_id"],
                    reference=case["reference"],
                    kind="first-contact-sla",
                    due_on=deadline,
                    recipient_staff_ids=coordinators,
                    note=f"Ensimmäinen yhteydenotto puuttuu: määräaika {format_date(deadline)}.",
                ),
                subject=case["_id"],
            )
            if await self.store.fire(
                key,
                {
                    "kind": "first-contact-sla",
                    "case_id": case["_id"],
                    "fired_on": iso(today),
                    "fired_at": now,
                    "region": region,
                },
                event,
            ):
                report.sla += 1
            _, entry = self._entry("sla", SYSTEM, None, deadline=iso(deadline))
            entry["id"] = key  # one SLA entry per case, whichever replica writes it
            await self.store.mark_sla_fired(case["_id"], now, entry)
        for followup in await self.store.followups_due(today):
            key = f"followup:{followup['_id']}"
            event = self._event(
                FollowupDue(
                    followup_id=followup["_id"],
                    case_id=followup["case_id"],
                    reference=followup["reference"],
                    kind="followup",
                    due_on=date.fromisoformat(followup["due_on"]),
                    recipient_staff_ids=(followup["assignee_id"],),
                    note=followup.get("note"),
                ),
                subject=followup["case_id"],
            )
            if await self.store.fire(
                key,
                {
                    "kind": "followup",
                    "case_id": followup["case_id"],
                    "fired_on": iso(today),
                    "fired_at": now,
                    "region": region,
                },
                event,
            ):
                report.followups += 1
            await self.store.mark_followup_fired(followup["_id"], now)
        for call in await self.store.calls_with_notices(today):
            opens_on, closes_on = date.fromisoformat(call["opens_on"]), date.fromisoformat(call["closes_on"])
            for notice in call_notices_due(opens_on, closes_on, today):
                if (call.get("notices") or {}).get(notice.key.replace("-", "_")):
                    continue
                key = f"call:{call['_id']}:{notice.key}"
                event = await self._call_event(call, notice.kind, notice.days_left, opens_on, closes_on)
                if await self.store.fire(
                    key,
                    {
                        "kind": f"call-{notice.key}",
                        "call_id": call["_id"],
                        "fired_on": iso(today),
                        "fired_at": now,
                        "region": region,
                    },
                    event,
                ):
                    report.call_notices.append((call["_id"], notice.key))
                await self.store.mark_call_notice_fired(call["_id"], notice.key, now)
        if report.sla or report.followups or report.call_notices:
            self._written()
        await self.store.forget_old_failures(now)
        return report

    async def _call_event(
        self, call: dict[str, Any], kind: str, days_left: int | None, opens_on: date, closes_on: date
    ) -> Envelope:
        data: EventData
        if kind == "opened":
            data = CallOpened(
                call_id=call["_id"],
                name=call["name"],
                funder=call["funder"],
                opens_on=opens_on,
                closes_on=closes_on,
                budget_eur=call.get("budget_eur"),
                url=call.get("url"),
                description=call.get("description") or "",
            )
        elif kind == "closing-soon":
            preparing = await self.store.preparing_cases_for_call(call["_id"])
            data = CallClosingSoon(
                call_id=call["_id"],
                name=call["name"],
                closes_on=closes_on,
                days_left=max(days_left or 0, 0),
                preparing_case_ids=tuple(c["_id"] for c in preparing),
                preparing_idea_ids=tuple(c["idea_id"] for c in preparing),
            )
        else:
            data = CallClosed(call_id=call["_id"], name=call["name"], closed_on=closes_on)
        return self._event(data, subject=call["_id"])
