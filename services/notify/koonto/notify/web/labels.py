"""What the staff pages call the codes of the delivery log (message kinds, channels, statuses, reasons, lawful
bases): Finnish source texts, translated at render time through notify's catalogues. A code without a label is
shown as "Muu" with the code beside it, never alone."""

from __future__ import annotations

from typing import Any

from koonto.shared.i18n import N_, Catalogues

KINDS: dict[str, str] = {
    "receipt": N_("Vastaanottokuittaus"),
    "status-update": N_("Tilanteen muutos"),
    "advisor-message": N_("Neuvojan viesti"),
    "subscription-confirm": N_("Tilauksen vahvistuspyyntö"),
    "draft-resume": N_("Linkki idean luonnokseen"),
    "registration-confirmation": N_("Ilmoittautumisen vahvistus"),
    "registration-reminder": N_("Muistutus tilaisuutta edeltävänä päivänä"),
    "advice-booking-confirmation": N_("Neuvonta-ajan vahvistus"),
    "advice-session-reminder": N_("Neuvonta-ajan muistutus"),
    "advice-booking-cancelled": N_("Neuvonta-ajan peruutus"),
    "erasure-confirmation": N_("Tietojen poiston vahvistus"),
    "call-announcement": N_("Rahoitushaun tiedote"),
    "call-reminder": N_("Hakuajan muistutus"),
    "event-invitation": N_("Kutsu tilaisuuteen"),
    "followup-reminder": N_("Muistutus neuvojalle"),
    "staff-digest": N_("Päivän kooste henkilöstölle"),
    "staff-password-link": N_("Salasanalinkki henkilöstölle"),
    "newsletter": N_("Uutiskirje"),
    "newsletter-test": N_("Uutiskirjeen testiviesti"),
}

CHANNELS: dict[str, str] = {"email": N_("Sähköposti"), "sms": N_("Tekstiviesti")}

STATUSES: dict[str, str] = {
    "pending": N_("Odottaa lähetystä"),
    "sending": N_("Lähetetään"),
    "sent": N_("Lähetetty"),
    "failed": N_("Epäonnistui"),
    "skipped": N_("Ohitettu"),
    "cancelled": N_("Peruttu"),
    "unconfirmed": N_("Lähetys varmistamatta"),
    "held": N_("Keskeytetty"),
}

TOPICS: dict[str, str] = {
    "call_announcements": N_("Rahoitushakujen tiedotteet"),
    "newsletter": N_("Uutiskirje"),
    "events": N_("Koulutukset ja foorumit"),
}

CAMPAIGNS: dict[str, str] = {  # a newsletter's status
    "draft": N_("Luonnos"),
    "scheduled": N_("Ajastettu"),
    "sending": N_("Lähtee"),
    "paused": N_("Keskeytetty"),
    "done": N_("Lähetetty"),
}

REASONS: dict[str, str] = {  # why a delivery was skipped, cancelled or postponed
    "suppressed": N_("Osoite on estetty (palautunut viesti tai virheellinen numero)"),
    "no-consent": N_("Vastaanottaja ei ole tilannut tätä aihetta"),
    "erased": N_("Vastaanottajan tiedot poistettu"),
    "quiet-hours": N_("Tekstiviestien hiljainen aika"),
}

BASES: dict[str, str] = {  # the lawful basis a kind is sent on
    "service": N_("Oman asian viesti (oikeutettu etu)"),
    "consent": N_("Tilaus (suostumus)"),
    "staff": N_("Henkilöstön työviesti"),
}

LANGUAGES: dict[str, str] = {"fi": N_("suomi"), "sv": N_("ruotsi"), "en": N_("englanti")}

OTHER = N_("Muu")

ALL: dict[str, dict[str, str]] = {
    "kinds": KINDS, "channels": CHANNELS, "statuses": STATUSES, "reasons": REASONS, "bases": BASES,
    "languages": LANGUAGES, "topics": TOPICS, "campaigns": CAMPAIGNS,
}


def label(catalogues: Catalogues, group: str, code: str | None) -> str:
    """The code `code` of `group` in the page's language; an unknown code as "Muu (code)"."""
    if not code:
        return ""
    text = ALL[group].get(code)
    return catalogues.gettext(text) if text else f"{catalogues.gettext(OTHER)} ({code})"


def install(env: Any, catalogues: Catalogues) -> None:
    """`label("kinds", d.kind)` in notify's templates."""
    env.globals["label"] = lambda group, code: label(catalogues, group, code)
