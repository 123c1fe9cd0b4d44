"""Server-rendered staff pages (Finnish first; Swedish and English from the .po catalogues), one router per
resource.

Every page needs a signed-in staff member: an anonymous request gets the login form with status 401, a wrong
role a 403 page (`auth.py`). Every form carries `csrf_token`; a post without the right one is refused (403).
Posts redirect (303) to the page they came from, so reloading never repeats an action. Shared helpers (render,
the posted form, refusals shown next to a field) are in `common.py`.
"""

from koonto.advisory.web.pages import (
    auth,
    board,
    calls,
    cases,
    dead_letters,
    events,
    followups,
    partners,
    passwords,
    slots,
    sso,
    staff,
)

ROUTERS = [
    auth.router, board.router, cases.router, partners.router, followups.router, calls.router, events.router,
    slots.router, staff.router, dead_letters.router, passwords.router, sso.router,
]
