"""Every event the intake service consumes: each handler module's rows (a row sits beside its handler, in the
module of the resource it changes), in one list. A consumer for another event of a resource is one handler and
one row in that resource's module; a new resource's module is added here."""

from __future__ import annotations

from koonto.intake.handlers import advice, calls, ideas, newsletters, people, registrations, scheduled_events

SUBSCRIPTIONS = [*ideas.SUBSCRIPTIONS, *calls.SUBSCRIPTIONS, *scheduled_events.SUBSCRIPTIONS, *people.SUBSCRIPTIONS,
                 *registrations.SUBSCRIPTIONS, *advice.SUBSCRIPTIONS, *newsletters.SUBSCRIPTIONS]
