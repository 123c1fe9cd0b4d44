"""Koonto notify service."""
