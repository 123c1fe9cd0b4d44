"""Koonto intake service."""
