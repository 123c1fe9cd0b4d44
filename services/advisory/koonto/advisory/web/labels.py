"""What the staff pages call the codes they show (roles, kinds of session and event, timeline entries, the
fields an association amended, a call's notices): Finnish source texts, translated when a page is rendered."""

from __future__ import annotations

from koonto.advisory.i18n import N_

ROLE_LABELS = {
    "admin": N_("Pääkäyttäjä"),
    "coordinator": N_("Koordinaattori"),
    "advisor": N_("Neuvoja"),
    "funder": N_("Rahoittaja"),
}
SESSION_KIND_LABELS = {
    "phone": N_("Puhelin"),
    "meeting": N_("Tapaaminen"),
    "video": N_("Videoyhteys"),
    "email": N_("Sähköposti"),
    "workshop": N_("Työpaja"),
}
EVENT_KIND_LABELS = {
    "training": N_("Koulutus"),
    "forum": N_("Foorumi"),
    "talk": N_("Puheenvuoro"),
    "workshop": N_("Työpaja"),
    "networking": N_("Verkostotilaisuus"),
}
SLOT_KIND_LABELS = {  # how an advice time (hankeklinikka) is held
    "in_person": N_("Tapaaminen paikan päällä"),
    "phone": N_("Puhelu"),
    "online": N_("Verkkotapaaminen"),
}
SLOT_STATUS_LABELS = {
    "free": N_("Vapaa"),
    "booked": N_("Varattu"),
    "withdrawn": N_("Peruttu"),
}
ENTRY_LABELS = {
    "opened": N_("Tapaus avattu"),
    "stage": N_("Vaihe vaihtui"),
    "session": N_("Neuvonta"),
    "note": N_("Muistiinpano"),
    "message": N_("Viesti yhdistykselle"),
    "assigned": N_("Vastuuhenkilö"),
    "followup": N_("Muistutus asetettu"),
    "amended": N_("Yhdistys täydensi tietoja"),
    "erased": N_("Yhteystiedot poistettu pyynnöstä"),
    "sla": N_("Ensimmäisen yhteydenoton määräaika ylittyi"),
    "results-published": N_("Tulokset julkaistu esittelysivulla"),
    "results-withdrawn": N_("Tulokset poistettu esittelysivulta"),
}
AMENDED_FIELDS = {  # what an association changed on its status page (idea-amended's changed_fields)
    "description": N_("Kuvaus"),
    "contact.name": N_("Yhteyshenkilön nimi"),
    "contact.email": N_("Sähköposti"),
    "contact.phone": N_("Puhelin"),
    "contact.language": N_("Viestien kieli"),
    "contact.channel": N_("Viestintätapa"),
    "consents.partner_introductions": N_("Suostumus kumppaniesittelyihin"),
}
REASON_LABELS = {  # why an association is suggested as a partner: (one value, several values)
    "theme": (N_("sama teema: %(values)s"), N_("samat teemat: %(values)s")),
    "group": (N_("sama kohderyhmä: %(values)s"), N_("samat kohderyhmät: %(values)s")),
    "municipality": (N_("sama kunta %(values)s"), N_("sama kunta %(values)s")),
    "neighbour": (N_("naapurikunta %(values)s"), N_("naapurikunta %(values)s")),
    "words": (N_("yhteisiä sanoja: %(values)s"), N_("yhteisiä sanoja: %(values)s")),
}
NOTICE_LABELS = [
    ("opened", N_("Haku avautui")),
    ("closing_14", N_("14 päivää jäljellä")),
    ("closing_3", N_("3 päivää jäljellä")),
    ("closed", N_("Haku päättyi")),
]
