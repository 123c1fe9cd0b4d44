"""Idea references: short, human, unique and sequential per year, e.g. KOO-2026-0042."""

from __future__ import annotations

import re

REFERENCE_PATTERN = re.compile(r"^[A-Z]{2,6}-\d{4}-\d{4,}$")


def format_reference(prefix: str, year: int, sequence: int) -> str:
    if sequence < 1:
        raise ValueError("sequences start at 1")
    return f"{prefix.upper()}-{year}-{sequence:04d}"


def counter_key(prefix: str, year: int) -> str:
    return f"reference:{prefix.upper()}:{year}"
