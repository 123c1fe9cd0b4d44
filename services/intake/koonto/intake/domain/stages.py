"""The case lifecycle in plain language, for the association's status page (docs/architecture.md, "The case
lifecycle")."""

from __future__ import annotations

from koonto.intake.domain.messages import N_
from koonto.shared.stages import STAGE_LABELS

INITIAL_STAGE = "idea"

STAGE_EXPLANATIONS = {
    "idea": N_("Olemme saaneet ideanne. Neuvoja ottaa teihin yhteyttä muutaman arkipäivän kuluessa."),
    "sparring": N_("Neuvoja on yhteydessä teihin, ja ideaa kehitetään yhdessä."),
    "preparing": N_("Rahoitushakemusta kirjoitetaan. Saatte tukea hakemuksen tekemiseen."),
    "submitted": N_("Hakemus on jätetty rahoittajalle. Rahoittaja käsittelee sen."),
    "supplementing": N_("Rahoittaja pyysi lisätietoja. Neuvoja auttaa täydennyksessä."),
    "funded": N_("Hanke sai rahoituksen. Onnittelut!"),
    "declined": N_("Hanke ei saanut rahoitusta tällä kertaa. Voimme katsoa yhdessä seuraavaa hakua."),
    "implementation": N_("Hanke on käynnissä. Saatte tukea maksatushakemuksiin ja raportointiin."),
    "closed": N_("Hanke on päättynyt ja loppuraportti on tehty."),
    "withdrawn": N_("Idea ei etene tällä hetkellä."),
}

# The order the status page shows as a simple progress list.
MAIN_PATH = ("idea", "sparring", "preparing", "submitted", "funded", "implementation", "closed")


def stage_label(stage: str) -> str:
    return STAGE_LABELS.get(stage, STAGE_LABELS[INITIAL_STAGE])
