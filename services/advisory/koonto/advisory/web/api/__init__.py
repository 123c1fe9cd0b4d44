"""The JSON API under /api/v1, the token endpoint and the JWKS, one router per resource.

Every staff endpoint refuses anonymous calls. Routes call a use case or a view and let the domain errors
propagate: `web/errors.py` answers them.
"""

from koonto.advisory.web.api import auth, calls, cases, events, followups, sessions, staff

ROUTERS = [auth.router, cases.router, sessions.router, followups.router, calls.router, events.router, staff.router]
