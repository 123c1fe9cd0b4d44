"""Koonto shared package: event contracts and platform plumbing. No domain logic lives here."""
