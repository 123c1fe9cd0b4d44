"""Marks Finnish source text for extraction (pybabel -k N_) where it is translated later, at render time."""

from __future__ import annotations


def N_(message: str) -> str:
    return message
