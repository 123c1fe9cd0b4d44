"""Koonto reporting service."""
