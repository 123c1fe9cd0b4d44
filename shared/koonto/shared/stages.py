"""The case stages' names, in Finnish: the source text every service shows. Their Swedish and English names are
in the shared catalogue (shared/koonto/shared/locale) and nowhere else; reporting's reports are Finnish.

Data, not logic: the stages themselves are the `Stage` of the advisory contract. The services' catalogue
extraction reads this file too (see each service's babel.cfg), so the msgids stay in their catalogues.
"""

from __future__ import annotations

from koonto.shared.i18n import N_

STAGE_LABELS: dict[str, str] = {
    "idea": N_("Idea vastaanotettu"),
    "sparring": N_("Sparrauksessa"),
    "preparing": N_("Hakemus valmisteilla"),
    "submitted": N_("Hakemus jätetty"),
    "supplementing": N_("Täydennyspyyntö"),
    "funded": N_("Myönteinen rahoituspäätös"),
    "declined": N_("Kielteinen rahoituspäätös"),
    "implementation": N_("Toteutuksessa"),
    "closed": N_("Päättynyt"),
    "withdrawn": N_("Ei etene"),
}
