"""Intake's domain: validation rules, references, lifecycle labels, registration and subscription decisions.

Nothing here knows the database, the broker or HTTP; every rule is unit-tested without servers.
"""
