"""Advisory's HTTP side: the JSON API (/api/v1, JWKS, token) and the staff pages (/advisory/...)."""

from koonto.advisory.web.api import api_router
from koonto.advisory.web.pages import configure_pages, pages_router

__all__ = ["api_router", "configure_pages", "pages_router"]
