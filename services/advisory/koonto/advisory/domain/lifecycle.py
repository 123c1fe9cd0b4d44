"""The case lifecycle as a declared state machine (docs/architecture.md, "The case lifecycle").

Forward moves need nothing but what the target stage requires (a call, an amount, a summary). Backward steps
are allowed where they happen in real life, and always need a reason. `withdrawn` (Ei etene) can be reached
from any open stage, with a reason. `declined` -> `sparring` starts over for the next call.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, get_args

from koonto.shared.contracts.advisory import Stage

STAGES: tuple[Stage, ...] = get_args(Stage)

# Stages in which nothing happens any more (a case there is not "open").
TERMINAL: frozenset[str] = frozenset({"closed", "withdrawn"})
OPEN_STAGES: tuple[str, ...] = tuple(s for s in STAGES if s not in TERMINAL)

Kind = Literal["forward", "backward", "withdraw"]


@dataclass(frozen=True)
class Move:
    source: str
    target: str
    kind: Kind

    @property
    def needs_reason(self) -> bool:
        return self.kind in ("backward", "withdraw")


FORWARD: tuple[tuple[str, str], ...] = (
    ("idea", "sparring"),
    ("sparring", "preparing"),
    ("preparing", "submitted"),
    ("submitted", "supplementing"),
    ("supplementing", "submitted"),  # the supplement was sent: back with the funder
    ("submitted", "funded"),
    ("submitted", "declined"),
    ("funded", "implementation"),
    ("implementation", "closed"),
)
BACKWARD: tuple[tuple[str, str], ...] = (
    ("sparring", "idea"),  # taken into sparring by mistake
    ("preparing", "sparring"),  # the idea needs more work, or the call was wrong
    ("submitted", "preparing"),  # the application came back before the funder processed it
    ("declined", "sparring"),  # a new try for the next call
    ("funded", "submitted"),  # a decision was recorded by mistake
    ("declined", "submitted"),  # a decision was recorded by mistake, or a rectification request succeeded
    ("closed", "implementation"),  # the final report was sent back
)

MOVES: dict[tuple[str, str], Move] = {
    **{(a, b): Move(a, b, "forward") for a, b in FORWARD},
    **{(a, b): Move(a, b, "backward") for a, b in BACKWARD},
    **{(s, "withdrawn"): Move(s, "withdrawn", "withdraw") for s in OPEN_STAGES},
}


def allowed_targets(source: str) -> tuple[str, ...]:
    """Targets reachable from `source`, in lifecycle order."""
    return tuple(t for t in STAGES if (source, t) in MOVES)


@dataclass(frozen=True)
class TransitionRequest:
    target: str
    reason: str | None = None
    call_id: str | None = None
    amount_applied_eur: int | None = None
    amount_granted_eur: int | None = None
    public_summary: str | None = None


class TransitionRefused(Exception):
    """The move is not in the state machine (HTTP 409)."""

    def __init__(self, source: str, target: str) -> None:
        self.source = source
        self.target = target
        self.allowed = allowed_targets(source)
        super().__init__(f"Siirto {source} -> {target} ei ole sallittu. Sallitut: {', '.join(self.allowed) or '-'}")


class TransitionIncomplete(Exception):
    """The move is allowed but a required value is missing (HTTP 422); `field` names it."""

    def __init__(self, field: str, message: str) -> None:
        self.field = field
        self.message = message
        super().__init__(message)


@dataclass(frozen=True)
class CaseFacts:
    """What the lifecycle needs to know about a case."""

    stage: str
    call_id: str | None = None
    amount_applied_eur: int | None = None
    amount_granted_eur: int | None = None


@dataclass(frozen=True)
class Decision:
    """An accepted move, with the values the case keeps afterwards."""

    move: Move
    reason: str | None
    call_id: str | None
    amount_applied_eur: int | None
    amount_granted_eur: int | None
    public_summary: str | None


def _clean(text: str | None) -> str | None:
    text = (text or "").strip()
    return text or None


def decide(case: CaseFacts, request: TransitionRequest, *, known_call: bool = True) -> Decision:
    """Checks a requested move against the state machine and the target stage's requirements."""
    if request.target not in STAGES:
        raise TransitionRefused(case.stage, request.target)
    move = MOVES.get((case.stage, request.target))
    if move is None:
        raise TransitionRefused(case.stage, request.target)
    reason = _clean(request.reason)
    if move.needs_reason and reason is None:
        raise TransitionIncomplete("reason", "Kerro syy: paluu aiempaan vaiheeseen ja keskeytys vaativat perustelun.")
    call_id = _clean(request.call_id) or case.call_id
    applied = request.amount_applied_eur if request.amount_applied_eur is not None else case.amount_applied_eur
    granted = request.amount_granted_eur
    summary = _clean(request.public_summary)
    for name, value in (("amount_applied_eur", request.amount_applied_eur), ("amount_granted_eur", granted)):
        if value is not None and value < 0:
            raise TransitionIncomplete(name, "Summan täytyy olla nolla tai enemmän (kokonaisia euroja).")
    if request.target == "preparing":
        # a step back from `submitted` keeps the call it was submitted to unless another one is named
        call_id = _clean(request.call_id) or (case.call_id if move.kind == "backward" else None)
        if call_id is None:
            raise TransitionIncomplete("call_id", "Valitse rahoitushaku, johon hakemus valmistellaan.")
        if not known_call:
            raise TransitionIncomplete("call_id", "Rahoitushakua ei löydy.")
    if request.target == "sparring" and case.stage == "declined":
        call_id, applied = None, None  # the next try names its call and amount again
    if request.target == "submitted" and applied is None:
        raise TransitionIncomplete("amount_applied_eur", "Kerro haettu summa (euroina).")
    if request.target == "funded":
        if granted is None:
            raise TransitionIncomplete("amount_granted_eur", "Kerro myönnetty summa (euroina).")
    elif request.target in ("implementation", "closed", "withdrawn"):
        granted = case.amount_granted_eur
    else:
        granted = None
    if request.target == "closed" and move.kind == "forward" and summary is None:
        raise TransitionIncomplete("public_summary", "Kirjoita lyhyt julkinen yhteenveto tuloksista.")
    return Decision(
        move=move,
        reason=reason,
        call_id=call_id,
        amount_applied_eur=applied,
        amount_granted_eur=granted,
        public_summary=summary,
    )
