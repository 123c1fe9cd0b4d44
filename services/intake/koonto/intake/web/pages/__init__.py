"""Public pages: landing, idea form (with a check-your-answers step), status page, events, a registration's
cancel page, subscriptions, advice times (hankeklinikka), the newsletter archive.

Everything works without JavaScript. Forms follow the GOV.UK patterns: an error summary at the top linking
to each field, the message next to the field, values kept, a check step and a confirmation panel.
"""

from koonto.intake.web.pages import (
    advice,
    attachments,
    events,
    front,
    ideas,
    newsletters,
    registrations,
    status,
    subscriptions,
)

ROUTERS = [
    front.router,
    ideas.router,
    status.router,
    events.router,
    registrations.router,
    subscriptions.router,
    advice.router,
    attachments.router,
    newsletters.router,
]
