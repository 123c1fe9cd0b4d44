"""SMS length: GSM 03.38 (7-bit, 160/153 per segment) or UCS-2 (70/67 per segment, UTF-16 code units)."""

from __future__ import annotations

from dataclasses import dataclass

GSM7_BASIC = (
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\x1bÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENSION = "^{}\\[~]|€\f"  # each takes two septets (escape + character)
_BASIC = frozenset(GSM7_BASIC)
_EXTENSION = frozenset(GSM7_EXTENSION)
MAX_SEGMENTS = 3


@dataclass(frozen=True)
class SmsLength:
    encoding: str  # "GSM-7" or "UCS-2"
    units: int  # septets (GSM-7) or UTF-16 code units (UCS-2)
    segments: int


def is_gsm7(text: str) -> bool:
    return all(ch in _BASIC or ch in _EXTENSION for ch in text)


def measure(text: str) -> SmsLength:
    if is_gsm7(text):
        units = sum(2 if ch in _EXTENSION else 1 for ch in text)
        single, multi, encoding = 160, 153, "GSM-7"
    else:
        units = len(text.encode("utf-16-le")) // 2
        single, multi, encoding = 70, 67, "UCS-2"
    if units <= single:
        segments = 1 if units else 0
    else:
        segments = -(-units // multi)
    return SmsLength(encoding, units, segments)


def segments(text: str) -> int:
    return measure(text).segments


def fit(text: str, max_segments: int = MAX_SEGMENTS, keep_tail: str = "") -> str:
    """Shorten `text` (before `keep_tail`, e.g. a link) with "..." until the whole fits `max_segments`."""
    whole = text + keep_tail
    if measure(whole).segments <= max_segments:
        return whole
    head = text
    while head and measure(head.rstrip() + "..." + keep_tail).segments > max_segments:
        head = head[: max(0, len(head) - max(1, len(head) // 20))]
    return head.rstrip() + "..." + keep_tail


def normalise_for_gsm(text: str) -> str:
    """Typographic characters that would force UCS-2 (and so 70-character segments) replaced by GSM-7 ones."""
    table = {"’": "'", "‘": "'", "“": '"', "”": '"', "–": "-", "—": "-", "…": "...", "\u00a0": " ", "•": "-"}
    return "".join(table.get(ch, ch) for ch in text)
