"""The JSON API: the same submissions as the forms, for integrations and progressive enhancement."""

from koonto.intake.web.api import advice, ideas, listings, registrations, subscriptions

ROUTERS = [ideas.router, registrations.router, subscriptions.router, listings.router, advice.router]
