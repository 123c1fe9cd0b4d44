"""A fixed sample of ideas written for the partner suggestion tests (unit and integration): Finnish texts whose
shared words come in different inflected forms, one Swedish idea, one that did not consent."""

from __future__ import annotations

import uuid
from typing import Any

from koonto.shared.contracts.intake import Consents, Contact, IdeaSubmitted, Organisation
from tests.support.samples import idea_submitted

CONSENTED = Consents(privacy_notice=True, partner_introductions=True)

SAMPLE: dict[str, dict[str, Any]] = {
    # the idea the tests ask about
    "toivala": dict(
        org=("Kyläyhdistys Toivala ry", "siilinjarvi"), themes=("village", "elderly"), groups=("ikäihmiset",),
        title="Kylätalon esteettömyys kuntoon",
        description="Korjaamme kylätalon esteettömyyden: luiska, leveät ovet ja esteetön wc. Kylätalossa "
        "kokoontuvat ikäihmisten kerhot, ja haluamme että kaikki pääsevät kylätaloon.",
    ),
    # the closest: the same words inflected otherwise, a neighbouring municipality (Kuopion seutukunta)
    "vehmersalmi": dict(
        org=("Vehmersalmen kyläseura ry", "kuopio"), themes=("elderly",), groups=("Ikäihmiset",),
        title="Esteetön kylätalo",
        description="Kylätaloa remontoidaan esteettömäksi, jotta ikäihmiset ja pyörätuolia käyttävät "
        "pääsevät kylätalossa järjestettäviin tapahtumiin. Luiska ja esteetön wc.",
    ),
    # a village hall too, in another sub-region, other themes
    "sukeva": dict(
        org=("Sukevan kyläyhdistys ry", "sonkajarvi"), themes=("village", "culture"), groups=("kyläläiset",),
        title="Kylätalon kesäteatteri",
        description="Kylätalon pihalle rakennetaan kesäteatterin katsomo. Kylätalossa harjoitellaan näytelmiä.",
    ),
    # nothing in common with the asked idea
    "varkaus": dict(
        org=("Varkauden Palloseura ry", "varkaus"), themes=("sport", "youth"), groups=("nuoret",),
        title="Futsal-kerho nuorille",
        description="Perustetaan futsal-vuoro nuorille liikuntahallissa kahdesti viikossa.",
    ),
    # as close as can be, but the association did not consent: never shown
    "hiltulanlahti": dict(
        org=("Hiltulanlahden kyläyhdistys ry", "kuopio"), themes=("village", "elderly"), groups=("ikäihmiset",),
        title="Kylätalon esteettömyys",
        description="Kylätalon esteettömyys paranee: luiska ja esteetön wc kylätaloon ikäihmisille.",
        consent=False,
    ),
    # Swedish: stemmed with the Swedish stemmer, similar to the other Swedish text only
    "bygdegard": dict(
        org=("Byaföreningen i Jorois rf", "joroinen"), themes=("village",), groups=("äldre",),
        title="Tillgänglig bygdegård", language="sv",
        description="Vi vill göra bygdegården tillgänglig för äldre: en ramp och bredare dörrar till bygdegården.",
    ),
    "bygdegard2": dict(
        org=("Lepävirta svenska förening rf", "leppavirta"), themes=("culture",), groups=(),
        title="Musik i bygdegården", language="sv",
        description="Konserter i bygdegårdens sal för hela byn.",
    ),
}


def sample_idea(key: str, **overrides: Any) -> IdeaSubmitted:
    spec = SAMPLE[key]
    name, municipality = spec["org"]
    values: dict[str, Any] = {
        "idea_id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"partner-sample:{key}")),
        "reference": f"KOO-2026-{list(SAMPLE).index(key) + 1:04d}",
        "organisation": Organisation(name=name, type="registered_association", municipality=municipality),
        "contact": Contact(
            name=f"Yhteyshenkilö {key}", email=f"{key}@example.fi", language=spec.get("language", "fi"),
        ),
        "title": spec["title"], "description": spec["description"], "themes": spec["themes"],
        "target_groups": spec["groups"],
        "consents": CONSENTED if spec.get("consent", True) else Consents(privacy_notice=True),
    }
    values.update(overrides)
    return idea_submitted(**values)
