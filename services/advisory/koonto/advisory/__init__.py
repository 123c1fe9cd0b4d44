"""Koonto advisory service."""
