"""Test support: real servers (NATS, MongoDB-protocol), polling helpers, in-process services."""
