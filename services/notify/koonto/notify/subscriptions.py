"""Every event the notify service consumes: each handler module's rows (a row sits beside its handler), in one
list. A consumer for another event of a group is one handler and one row in that group's module; a new group's
module is added here."""

from __future__ import annotations

from koonto.notify.handlers import advice, announcements, ideas, people, staff

SUBSCRIPTIONS = [*people.SUBSCRIPTIONS, *ideas.SUBSCRIPTIONS, *staff.SUBSCRIPTIONS, *announcements.SUBSCRIPTIONS,
                 *advice.SUBSCRIPTIONS]
