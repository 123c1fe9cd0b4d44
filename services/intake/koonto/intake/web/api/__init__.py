"""The JSON API: the same submissions as the forms, for integrations and progressive enhancement."""

from koonto.intake.web.api import ideas, listings, registrations, subscriptions

ROUTERS = [ideas.router, registrations.router, subscriptions.router, listings.router]
