"""Event contracts: the CloudEvents-style envelope and every event of the catalogue.

The name is the contract: `koonto.<producer>.<event-name>.v<N>`. Within a version only additive changes;
a breaking change is a new version published side by side. See docs/events/ for the generated schemas.
"""

from koonto.shared.contracts.base import EventData, event_type
from koonto.shared.contracts.envelope import Envelope, make_envelope
from koonto.shared.contracts.registry import REGISTRY, decode_data, model_for, subject_for

__all__ = [
    "REGISTRY",
    "Envelope",
    "EventData",
    "decode_data",
    "event_type",
    "make_envelope",
    "model_for",
    "subject_for",
]
