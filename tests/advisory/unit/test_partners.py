"""Partner suggestions on the in-memory store: the ranking of a fixed sample of ideas, inflected Finnish forms
matched by their stems, consent on both sides, amendments and erasure followed, another replica's index."""

from __future__ import annotations

from koonto.advisory.bootstrap import AdvisoryContainer
from koonto.advisory.domain.case import case_id_for
from koonto.advisory.domain.partners.text import terms_of
from koonto.advisory.use_cases.partners import CHANGES_KEPT_MS, LOOKBACK_MS, Partners
from koonto.shared.contracts.intake import ErasureRequested, IdeaAmended
from koonto.shared.mongo import epoch_ms
from tests.advisory.partner_samples import SAMPLE, sample_idea
from tests.advisory.unit.conftest import context


async def open_sample(deps: AdvisoryContainer) -> dict[str, str]:
    """Every sample idea as a case: key -> case id."""
    ids = {}
    for key in SAMPLE:
        idea = sample_idea(key)
        await deps.cases.open_case_from_idea(idea, context(idea))
        ids[key] = case_id_for(idea.idea_id)
    return ids


async def ranked(deps: AdvisoryContainer, case_id: str) -> list[str]:
    case = await deps.views.case(case_id)
    return [s.profile.organisation for s in await deps.partners.suggestions(case)]


def test_inflected_forms_of_one_word_are_one_term_and_stop_words_are_not_terms() -> None:
    terms = terms_of("Kylätalon ja kylätaloa sekä kylätalossa, kylätaloon", fallback_language="fi")
    assert terms.counts == {"kylätalo": 4} and terms.language == "fi"
    swedish = terms_of("Vi vill renovera bygdegården, och bygdegård", fallback_language="fi")
    assert swedish.language == "sv" and swedish.counts["bygdegård"] == 2 and "och" not in swedish.words


async def test_the_closest_idea_comes_first_with_its_reasons_and_the_unrelated_are_left_out(deps) -> None:
    ids = await open_sample(deps)
    suggestions = await deps.partners.suggestions(await deps.views.case(ids["toivala"]))
    names = [s.profile.organisation for s in suggestions]
    assert names == ["Vehmersalmen kyläseura ry", "Sukevan kyläyhdistys ry"]
    best = suggestions[0]
    reasons = {r.kind: r.values for r in best.reasons}
    assert reasons["theme"] == ("elderly",)
    assert reasons["group"] == ("Ikäihmiset",)
    assert reasons["neighbour"] == ("kuopio",)  # Kuopio and Siilinjärvi: Kuopion seutukunta
    assert "kylätalo" in reasons["words"] and "luiska" in reasons["words"]  # kylätalon / kylätaloa / kylätalossa
    assert best.score > suggestions[1].score
    assert {r.kind for r in suggestions[1].reasons} == {"theme", "words"}  # village; no neighbour, no group


async def test_only_consenting_associations_are_suggested_and_only_to_consenting_ones(deps) -> None:
    ids = await open_sample(deps)
    for key in SAMPLE:
        assert "Hiltulanlahden kyläyhdistys ry" not in await ranked(deps, ids[key])
    assert await ranked(deps, ids["hiltulanlahti"]) == []  # no consent: no suggestions on its page either


async def test_swedish_ideas_match_each_other_by_swedish_stems(deps) -> None:
    ids = await open_sample(deps)
    suggestions = await deps.partners.suggestions(await deps.views.case(ids["bygdegard"]))
    assert [s.profile.organisation for s in suggestions][:1] == ["Lepävirta svenska förening rf"]
    words = dict((r.kind, r.values) for r in suggestions[0].reasons)["words"]
    assert words == ("bygdegården",) or "bygdegård" in words[0]


async def test_an_amendment_and_a_withdrawn_consent_change_the_suggestions(deps) -> None:
    ids = await open_sample(deps)
    toivala = await deps.views.case(ids["toivala"])

    async def sukeva_suggested() -> tuple[float, tuple[str, ...]]:
        found = next(s for s in await deps.partners.suggestions(toivala) if s.profile.case_id == ids["sukeva"])
        return found.score, next(r.values for r in found.reasons if r.kind == "words")

    score_before, words_before = await sukeva_suggested()
    sukeva = sample_idea("sukeva")
    await deps.cases.amend_case(IdeaAmended(
        idea_id=sukeva.idea_id, reference=sukeva.reference, amended_at=sukeva.submitted_at,
        changed_fields=("description",),
        description="Kylätalon esteettömyys: luiska ja esteetön wc, jotta ikäihmiset pääsevät kylätaloon.",
    ))
    score_after, words_after = await sukeva_suggested()
    assert score_after > score_before and "luiska" in words_after and "luiska" not in words_before
    await deps.cases.amend_case(IdeaAmended(
        idea_id=sukeva.idea_id, reference=sukeva.reference, amended_at=sukeva.submitted_at,
        changed_fields=("consents.partner_introductions",), partner_introductions=False,
    ))
    assert await ranked(deps, ids["toivala"]) == ["Vehmersalmen kyläseura ry"]


async def test_an_erasure_removes_the_person_from_every_suggestion(deps) -> None:
    ids = await open_sample(deps)
    vehmersalmi = sample_idea("vehmersalmi")
    await deps.cases.erase_contact(ErasureRequested(
        request_id="erasure-1", email=vehmersalmi.contact.email, idea_ids=(vehmersalmi.idea_id,),
        requested_at=vehmersalmi.submitted_at,
    ))
    assert await ranked(deps, ids["toivala"]) == ["Sukevan kyläyhdistys ry"]
    assert await ranked(deps, ids["vehmersalmi"]) == []
    stored = await deps.store.partners.profiles.find_one({"_id": ids["vehmersalmi"]})
    assert stored is not None and stored["listed"] is False and "terms" not in stored and "title" not in stored


async def test_another_replica_loads_the_profiles_and_follows_their_changes(deps) -> None:
    ids = await open_sample(deps)
    other = Partners(deps.cases.c)  # a second replica's index over the same store
    toivala = await deps.views.case(ids["toivala"])
    assert [s.profile.case_id for s in await other.suggestions(toivala)] == [
        s.profile.case_id for s in await deps.partners.suggestions(toivala)
    ]
    assert len(other.index) == len(SAMPLE) - 1  # the one without consent is not loaded
    vehmersalmi = sample_idea("vehmersalmi")
    await deps.cases.amend_case(IdeaAmended(
        idea_id=vehmersalmi.idea_id, reference=vehmersalmi.reference, amended_at=vehmersalmi.submitted_at,
        changed_fields=("consents.partner_introductions",), partner_introductions=False,
    ))
    assert [s.profile.organisation for s in await other.suggestions(toivala)] == ["Sukevan kyläyhdistys ry"]


async def test_a_redelivered_idea_writes_the_same_profile_and_the_index_does_not_count_it_twice(deps) -> None:
    await open_sample(deps)
    idea = sample_idea("toivala")
    before = dict(deps.partners.index.document_frequency)
    await deps.cases.open_case_from_idea(idea, context(idea))
    assert dict(deps.partners.index.document_frequency) == before


async def test_clusters_group_the_similar_ideas_with_what_they_share(deps) -> None:
    ids = await open_sample(deps)
    sukeva = sample_idea("sukeva")
    await deps.cases.amend_case(IdeaAmended(
        idea_id=sukeva.idea_id, reference=sukeva.reference, amended_at=sukeva.submitted_at,
        changed_fields=("description",), description="Kylätalon esteettömyys ja luiska ikäihmisille.",
    ))
    found = await deps.partners.clusters()
    village = next(c for c in found if any(p.case_id == ids["toivala"] for p in c.members))
    assert {p.case_id for p in village.members} == {ids["toivala"], ids["vehmersalmi"], ids["sukeva"]}
    assert "kylätalo" in village.words and "elderly" in village.themes
    assert all(p.case_id != ids["varkaus"] for c in found for p in c.members)


async def test_a_replica_behind_the_change_logs_horizon_loads_everything_again(deps) -> None:
    ids = await open_sample(deps)
    other = Partners(deps.cases.c)
    toivala = await deps.views.case(ids["toivala"])
    assert len(await other.suggestions(toivala)) == 2
    vehmersalmi = sample_idea("vehmersalmi")
    await deps.cases.amend_case(IdeaAmended(
        idea_id=vehmersalmi.idea_id, reference=vehmersalmi.reference, amended_at=vehmersalmi.submitted_at,
        changed_fields=("consents.partner_introductions",), partner_introductions=False,
    ))
    await deps.store.partners.forget_changes_before(epoch_ms() + 1)  # another replica pruned the log meanwhile
    other._synced_ms = epoch_ms() - CHANGES_KEPT_MS - LOOKBACK_MS - 1  # last caught up over an hour ago
    assert [s.profile.organisation for s in await other.suggestions(toivala)] == ["Sukevan kyläyhdistys ry"]
    assert ids["vehmersalmi"] not in other.index.profiles
