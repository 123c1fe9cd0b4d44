"""What each event contributes to the read models, decided without any database.

Counters are keyed by metric, Helsinki day, municipality and one more key (stage, call, theme, kind, channel
or organisation key), so any period's report is a sum of small documents. Nothing personal is taken from an
event: idea-submitted brings a contact person, and only the organisation, its municipality, the themes, the
publication consent and the dates are kept.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import date, datetime

from koonto.shared.clock import helsinki_date
from koonto.shared.contracts.advisory import AttendanceRecorded, SessionLogged, StageChanged
from koonto.shared.contracts.notify import NotificationFailed, NotificationSent

REGION_WIDE = "_region"  # events and notifications that belong to no single municipality
NO_CALL = "-"
REGION_MARK = "@"  # `167@pohjois-karjala`: a key of a region other than the home region (`scoped`)

STAGES: tuple[str, ...] = (
    "idea", "sparring", "preparing", "submitted", "supplementing", "funded", "declined", "implementation",
    "closed", "withdrawn",
)
FUNNEL_STAGES: tuple[str, ...] = ("idea", "sparring", "preparing", "submitted", "funded", "implementation", "closed")
SHOWCASE_STAGES: tuple[str, ...] = ("funded", "implementation", "closed")
SESSION_KINDS: tuple[str, ...] = ("phone", "meeting", "video", "email", "workshop")
EVENT_KINDS: tuple[str, ...] = ("training", "forum", "talk", "workshop", "networking")
CHANNELS: tuple[str, ...] = ("email", "sms")
GENDERS: tuple[str, ...] = ("women", "men", "other", "not_told")

SESSION_KIND_LABELS = {
    "phone": "Puhelin", "meeting": "Tapaaminen", "video": "Videopuhelu", "email": "Sähköposti",
    "workshop": "Työpaja",
}
EVENT_KIND_LABELS = {
    "training": "Koulutus", "forum": "Foorumi", "talk": "Info- tai puheenvuorotilaisuus", "workshop": "Työpaja",
    "networking": "Verkostotapaaminen",
}
CHANNEL_LABELS = {"email": "Sähköposti", "sms": "Tekstiviesti"}
GENDER_LABELS = {"women": "Naiset", "men": "Miehet", "other": "Muu", "not_told": "Ei kertonut"}
OUTCOME_LABELS = {"funded": "Myönteinen", "declined": "Kielteinen"}
SHOWCASE_STATUS_LABELS = {"funded": "Rahoitettu", "implementation": "Käynnissä", "closed": "Päättynyt"}


class CaseNotYetKnown(Exception):
    """An event about a case arrived before the idea or case that tells its municipality: retried later."""


def scoped(key: str, region: str | None) -> str:
    """A municipality (or organisation) key of a region other than the deployment's home region carries that
    region: `167@pohjois-karjala`, `_region@pohjois-karjala`, `other@pohjois-karjala`. The home region's keys
    (`region` None) are as they were before regions, so data written before them is the home region's and a
    single-region deployment stores exactly what it stored before."""
    return key if region is None else f"{key}{REGION_MARK}{region}"


_REGION_CODE = re.compile(r"[a-z0-9-]+")  # as an envelope's `region`


def region_of(key: str) -> str | None:
    """The region a scoped key names (None: the home region). Only a region code counts after the mark: a
    municipality text of an event that holds an `@` of its own stays the home region's."""
    head, mark, tail = key.rpartition(REGION_MARK)
    return tail if mark and head and _REGION_CODE.fullmatch(tail) else None


def unscoped(key: str) -> str:
    return key.rpartition(REGION_MARK)[0] if region_of(key) else key


def region_wide(municipality: str) -> str:
    """The region-wide key of the region a (scoped) municipality key belongs to."""
    return scoped(REGION_WIDE, region_of(municipality))


def day_of(value: datetime | date) -> str:
    """The Helsinki calendar day as YYYY-MM-DD (sorts and compares as text)."""
    if isinstance(value, datetime):
        return helsinki_date(value).isoformat()
    return value.isoformat()


_SPACES = re.compile(r"\s+")


def organisation_key(name: str, business_id: str | None) -> str:
    """A stable key for 'associations advised': the business id, else a digest of the normalised name."""
    if business_id:
        return f"y:{business_id}"
    normalised = _SPACES.sub(" ", name.casefold()).strip()
    return "n:" + hashlib.sha256(normalised.encode()).hexdigest()[:20]


@dataclass(frozen=True)
class Increment:
    """One counter change: counter `metric|day|municipality|key` gets `values` added."""

    metric: str
    day: str
    municipality: str
    key: str
    values: dict[str, int] = field(default_factory=dict)

    @property
    def counter_id(self) -> str:
        return f"{self.metric}|{self.day}|{self.municipality}|{self.key}"

    def as_document(self) -> dict[str, object]:
        return {
            "id": self.counter_id, "metric": self.metric, "day": self.day, "municipality": self.municipality,
            "key": self.key, "values": dict(self.values),
        }


def idea_increments(submitted_at: datetime, municipality: str, themes: tuple[str, ...]) -> list[Increment]:
    day = day_of(submitted_at)
    out = [Increment("ideas", day, municipality, "", {"n": 1})]
    out += [Increment("ideas_theme", day, municipality, theme, {"n": 1}) for theme in sorted(set(themes))]
    return out


def case_opened_increments(opened_at: datetime, municipality: str) -> list[Increment]:
    """A new case is one case in stage 'idea' from its opening day on."""
    return [Increment("stage", day_of(opened_at), municipality, "idea", {"n": 1})]


def stage_increments(event: StageChanged, municipality: str) -> list[Increment]:
    """Stage counters are deltas (-1 from, +1 to), so they commute: the order of arrival does not matter."""
    day = day_of(event.changed_at)
    out = [
        Increment("stage", day, municipality, event.from_stage, {"n": -1}),
        Increment("stage", day, municipality, event.to_stage, {"n": 1}),
    ]
    if event.to_stage == "submitted" and event.from_stage != "supplementing":
        # returning from a request for more information is the same application, not a new one
        out.append(
            Increment("applications", day, municipality, event.call_id or NO_CALL,
                      {"n": 1, "eur_applied": event.amount_applied_eur or 0})
        )
    if event.to_stage in ("funded", "declined"):
        values = {"n": 1, "eur_applied": event.amount_applied_eur or 0}
        if event.to_stage == "funded":
            values["eur_granted"] = event.amount_granted_eur or 0
        out.append(Increment("decisions", day, municipality, event.to_stage, values))
    return out


def session_increments(event: SessionLogged, municipality: str, org_key: str) -> list[Increment]:
    day = day_of(event.started_at)
    return [
        Increment("sessions", day, municipality, event.kind, {"n": 1, "minutes": event.duration_minutes}),
        Increment("advised", day, municipality, org_key, {"n": 1}),
    ]


def attendance_increments(event: AttendanceRecorded, region: str | None = None) -> list[Increment]:
    values = {
        "n": 1, "participants": event.participants_total, "women": event.women, "men": event.men,
        "other": event.other, "not_told": event.not_told,
    }
    where = scoped(event.municipality or REGION_WIDE, region)
    return [Increment("events_held", day_of(event.held_on), where, event.kind, values)]


def notification_increments(
    event: NotificationSent | NotificationFailed, region: str | None = None
) -> list[Increment]:
    where = scoped(REGION_WIDE, region)
    if isinstance(event, NotificationSent):
        return [Increment("notifications", day_of(event.sent_at), where, event.channel, {"sent": 1})]
    return [Increment("notifications", day_of(event.failed_at), where, event.channel, {"failed": 1})]


FIRST_CONTACT_STAGES = frozenset({"sparring"})
