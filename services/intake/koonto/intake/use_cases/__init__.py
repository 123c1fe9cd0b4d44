"""Intake's use cases: what a submission, a sign-up or a status-link action does, start to end.

The web layer (API and HTML forms alike) validates with the domain and calls these; each one ends in a
single-document write that carries its events in the outbox, then hands those events to the relay
(`events_written`), which publishes them at once without reading them back. They raise the domain errors of
`domain/errors.py`, never HTTP ones.
"""
