"""The advisory application layer: one module per thing the staff and the scheduler do.

Each use case reads what it needs, lets `domain/` decide, then writes the new state together with the events
it causes in one single-document write (embedded outbox) and hands those events to the relay. Errors are the
domain errors of `domain/errors.py`; `web/errors.py` turns them into responses.
"""
