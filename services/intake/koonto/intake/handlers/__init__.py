"""One module per incoming event: decode -> domain -> one idempotent write (table in subscriptions.py)."""
