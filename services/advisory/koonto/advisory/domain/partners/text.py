"""An idea's text as terms for similarity: words, stop words removed, stemmed with Snowball in the text's own
language, so that "kylätalon", "kylätaloa" and "kylätalossa" are one term (`kylätalo`).

The language is read from the text itself (which language's stop words it uses most), the contact's language
breaking a tie: an association may write in Finnish and ask for Swedish mail. The stop word lists are the
Snowball project's lists for Finnish and Swedish (the commonest forms; the pronoun paradigms cut short), with the
English one for an idea written in English.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache

import snowballstemmer  # type: ignore[import-untyped]

STEMMERS = {"fi": "finnish", "sv": "swedish", "en": "english"}

STOP_WORDS: dict[str, frozenset[str]] = {
    "fi": frozenset("""
        olla olen olet on olemme olette ovat ole oli olisi olisit olisin olisimme olisitte olisivat olit olin
        olimme olitte olivat ollut olleet ei eivät emme en et ette eikä ettei että jos jotta kun koska kuin mutta
        niin sekä sillä tai vaan vai vaikka ja myös vielä jo nyt sitten siis kanssa mukaan noin ilman yli alla
        ennen jälkeen aikana kautta vuoksi takia lisäksi esimerkiksi kaikki kaikkien kaikille kaikkia joka jokainen
        jotka jonka jota jossa josta johon jolla jolle jolta joita joissa joista joihin joilla joille joiden mikä
        mitkä minkä mitä missä mistä mihin millä mille miltä mikään kuka ketkä kenen ketä keneen kenellä tämä
        tämän tätä tässä tästä tähän tällä tälle tältä täksi tänä nämä näiden näitä näissä näistä näihin näillä
        näille se sen sitä siinä siitä siihen sille siltä siksi sinä ne niiden niitä niissä niistä niihin niillä
        niille niiksi noin tuo tuon tuota tuossa tuosta tuohon tuolla tuolle tuolta nuo minä minun minua minussa
        minusta minuun minulla minulle sinun sinua sinussa sinusta sinuun sinulla sinulle hän hänen häntä hänessä
        hänestä häneen hänellä hänelle me meidän meitä meissä meistä meihin meillä meille te teidän teitä teissä
        teistä teihin teillä teille he heidän heitä heissä heistä heihin heillä heille oma oman omaa omat omien
        voi voida voidaan voisi voivat voimme pitää pitäisi tulee tulla tehdä tehdään saada saa saadaan haluamme
        halutaan myös hyvin enemmän paljon vähän sekä eli ym yms mm jne uusi uuden uutta uusia erityisesti
        """.split()),
    "sv": frozenset("""
        och det att i en jag hon som han på den med var sig för så till är men ett om hade de av icke mig du
        henne då sin nu har inte hans honom skulle hennes där min man ej vid kunde något från ut när efter upp vi
        dem vara vad över än dig kan sina här ha mot alla under någon eller allt mycket sedan ju denna själv detta
        åt utan varit hur ingen mitt ni bli blev oss din dessa några deras blir mina samma vilken er sådan vår
        blivit dess inom mellan sådant varför varje vilka ditt vem vilket sitta sådana vart dina vars vårt våra
        ert era vilkas också även ska kommer vill genom
        """.split()),
    "en": frozenset("""
        a about above after again against all am an and any are as at be because been before being below between
        both but by can could did do does doing down during each few for from further had has have having he her
        here hers herself him himself his how i if in into is it its itself just me more most my myself no nor
        not now of off on once only or other our ours ourselves out over own same she should so some such than
        that the their theirs them themselves then there these they this those through to too under until up
        very was we were what when where which while who whom why will with would you your yours also
        """.split()),
}

WORD = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*", re.UNICODE)
MIN_LENGTH = 3  # shorter words ("ry", "ja") carry no idea


@dataclass(frozen=True)
class Terms:
    """A text as stemmed terms: how often each occurs, the shortest word seen for each (what a reason shows),
    the language it was stemmed in, and its length in terms (BM25 normalises by it)."""

    counts: dict[str, int]
    words: dict[str, str]
    language: str
    length: int = field(init=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "length", sum(self.counts.values()))  # read for every posting of a query


@cache
def _stemmer(language: str) -> snowballstemmer.stemmer:
    return snowballstemmer.stemmer(STEMMERS[language])


def words_of(text: str) -> list[str]:
    return [w.lower() for w in WORD.findall(text)]


def language_of(words: list[str], fallback: str = "fi") -> str:
    """The language whose stop words the text uses most; `fallback` (the contact's language) on a tie."""
    hits = {language: sum(1 for w in words if w in stops) for language, stops in STOP_WORDS.items()}
    best = max(hits.values())
    if best == 0 or hits.get(fallback, 0) == best:
        return fallback if fallback in STEMMERS else "fi"
    return max(hits, key=lambda language: hits[language])


def terms_of(*texts: str, fallback_language: str = "fi") -> Terms:
    words = [w for text in texts for w in words_of(text)]
    language = language_of(words, fallback_language)
    stops, stemmer = STOP_WORDS[language], _stemmer(language)
    counts: Counter[str] = Counter()
    shortest: dict[str, str] = {}
    for word in words:
        if len(word) < MIN_LENGTH or word in stops:
            continue
        stem = stemmer.stemWord(word)
        counts[stem] += 1
        if stem not in shortest or _shown_first(word, stem) < _shown_first(shortest[stem], stem):
            shortest[stem] = word
    return Terms(counts=dict(counts), words=shortest, language=language)


def _shown_first(word: str, stem: str) -> tuple[bool, int, str]:
    """The base form when the text has it ("kylätalo"), else the shortest form seen."""
    return word != stem, len(word), word


def plainest(stem: str, forms: Iterable[str]) -> str:
    """Of the forms of one term, the one a reason shows."""
    return min(forms, key=lambda word: _shown_first(word, stem))


def phrase_key(text: str, language: str = "fi") -> str:
    """A short phrase (a target group) compared by its stems: "ikäihmiset" and "ikäihmisille" are the same group."""
    stemmer = _stemmer(language if language in STEMMERS else "fi")
    return " ".join(sorted(stemmer.stemWord(w) for w in words_of(text) if w not in STOP_WORDS.get(language, ())))
