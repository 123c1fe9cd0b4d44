"""DCAT-AP 2 metadata of the open data in JSON-LD, for harvesting into CKAN (avoindata.fi: ckanext-dcat reads
`dcat:Catalog` / `dcat:Dataset` / `dcat:Distribution`).

One catalog with one dataset, the indicators, and its three distributions: the CSV, the JSON and the data
dictionary. The publisher is the region file's administering association (its first operator), the contact
point the project's address; the temporal coverage runs from the first day of the first year with data to
today; the spatial coverage is the region and its municipalities by name. Controlled vocabularies are the EU
Publications Office's (languages, file types, data theme, frequency) and IANA's media types, as DCAT-AP asks.
The `@context` is inline, so reading the document needs nothing from the network.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from koonto.reporting.exports.opendata import LICENCE_ID, LICENCE_URL, Translate, in_languages
from koonto.shared.i18n import N_
from koonto.shared.region import Region

EU = "http://publications.europa.eu/resource/authority/"
CONTEXT = {
    "dcat": "http://www.w3.org/ns/dcat#", "dct": "http://purl.org/dc/terms/", "foaf": "http://xmlns.com/foaf/0.1/",
    "vcard": "http://www.w3.org/2006/vcard/ns#", "skos": "http://www.w3.org/2004/02/skos/core#",
    "xsd": "http://www.w3.org/2001/XMLSchema#", "dcatap": "http://data.europa.eu/r5r/",
}
LANGUAGE_URIS = {"fi": EU + "language/FIN", "sv": EU + "language/SWE", "en": EU + "language/ENG"}
TITLE = N_("Kansalaistoimijoiden hanketoiminnan tunnusluvut")
DESCRIPTION = N_("Yhdistysten ja kansalaisryhmien hankeideat, neuvonta, rahoitushakemukset, rahoitetut hankkeet, "
                 "koulutukset ja osallistujat kunnittain, vuosittain ja neljännesvuosittain. Alle viiden luvut on "
                 "piilotettu tietosuojan vuoksi.")
CATALOG_TITLE = N_("Koonto-hankkeen avoin data")
KEYWORDS = (N_("yhdistykset"), N_("hankkeet"), N_("kansalaistoiminta"), N_("neuvonta"), N_("koulutus"))


def texts(translate: Translate, message: str) -> list[dict[str, str]]:
    return [{"@value": text, "@language": lang} for lang, text in in_languages(translate, message).items()]


def typed_date(day: date | datetime, kind: str = "date") -> dict[str, str]:
    return {"@value": day.isoformat(), "@type": f"xsd:{kind}"}


def _distribution(
    url: str, translate: Translate, title: str, media_type: str, file_type: str, modified: datetime
) -> dict[str, Any]:
    return {
        "@id": url + "#distribution", "@type": "dcat:Distribution", "dct:title": texts(translate, title),
        "dcat:accessURL": {"@id": url}, "dcat:downloadURL": {"@id": url},
        "dcat:mediaType": {"@id": "http://www.iana.org/assignments/media-types/" + media_type},
        "dct:format": {"@id": EU + "file-type/" + file_type}, "dct:license": {"@id": LICENCE_URL},
        "dct:modified": typed_date(modified, "dateTime"),
    }


def catalog(
    region: Region, translate: Translate, *, base_url: str, modified: datetime, first: date, last: date
) -> dict[str, Any]:
    base = base_url.rstrip("/")
    page = base + "/avoin-data"
    api = base + "/api/v1/open-data"
    publisher = {
        "@id": region.website + "#publisher", "@type": "foaf:Organization",
        "foaf:name": region.operators[0] if region.operators else region.project_name,
        "foaf:homepage": {"@id": region.website},
    }
    spatial = {
        "@type": "dct:Location",
        "skos:prefLabel": [{"@value": region.name_fi, "@language": "fi"}, {"@value": region.name_sv, "@language": "sv"},
                           {"@value": region.name_en, "@language": "en"}],
        "skos:altLabel": [{"@value": m.name_fi, "@language": "fi"} for m in region.municipalities],
    }
    dataset = {
        "@id": page + "#dataset", "@type": "dcat:Dataset", "dct:identifier": f"koonto-{region.code}-indicators",
        "dct:title": texts(translate, TITLE), "dct:description": texts(translate, DESCRIPTION),
        "dcat:keyword": [entry for word in KEYWORDS for entry in texts(translate, word)],
        "dcat:theme": {"@id": EU + "data-theme/SOCI"}, "dct:publisher": publisher,
        "dcat:contactPoint": {"@type": "vcard:Organization", "vcard:fn": region.project_name,
                              "vcard:hasEmail": {"@id": "mailto:" + region.contact_email}},
        "dct:temporal": {"@type": "dct:PeriodOfTime", "dcat:startDate": typed_date(first),
                         "dcat:endDate": typed_date(last)},
        "dct:spatial": spatial, "dct:language": [{"@id": uri} for uri in LANGUAGE_URIS.values()],
        "dct:accrualPeriodicity": {"@id": EU + "frequency/DAILY"}, "dct:modified": typed_date(modified, "dateTime"),
        "dcat:landingPage": {"@id": page}, "foaf:page": {"@id": page + "/tietokuvaus"},
        "dct:conformsTo": {"@id": api + "/dictionary.json"},
        "dcat:distribution": [
            _distribution(api + "/indicators.csv", translate, N_("Tunnusluvut (CSV)"), "text/csv", "CSV", modified),
            _distribution(api + "/indicators.json", translate, N_("Tunnusluvut (JSON)"), "application/json", "JSON",
                          modified),
            _distribution(api + "/dictionary.json", translate, N_("Tietokuvaus (JSON)"), "application/json", "JSON",
                          modified),
        ],
    }
    return {
        "@context": CONTEXT, "@id": api + "/catalog.jsonld", "@type": "dcat:Catalog",
        "dct:title": texts(translate, CATALOG_TITLE), "dct:description": texts(translate, DESCRIPTION),
        "dct:publisher": publisher, "foaf:homepage": {"@id": page},
        "dct:language": [{"@id": uri} for uri in LANGUAGE_URIS.values()],
        "dct:license": {"@id": LICENCE_URL, "@type": "dct:LicenseDocument", "dct:identifier": LICENCE_ID},
        "dct:modified": typed_date(modified, "dateTime"), "dcat:dataset": [dataset],
    }
