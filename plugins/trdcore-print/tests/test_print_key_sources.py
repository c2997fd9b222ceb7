"""Patient handouts print at most six key sources; clinician handouts print every one (issue 15)."""

from __future__ import annotations

from print_fixtures import builtin_catalog
from trdcore_print.handouts import Settings, build_handouts

from trdcore.key_sources import KEY_SOURCE_LIMIT


def test_every_patient_handout_prints_at_most_six_sources_and_says_when_it_cut_some() -> None:
    patient = build_handouts(builtin_catalog(), Settings()).handouts
    clinician = {
        handout.slug: handout
        for handout in build_handouts(builtin_catalog(), Settings(audience="clinician")).handouts
    }
    cut = 0
    for handout in patient:
        assert len(handout.citations) <= KEY_SOURCE_LIMIT, handout.slug
        full = clinician[handout.slug]
        assert not full.sources_cut, handout.slug
        assert len(full.citations) == full.cited
        if handout.sources_cut:
            cut += 1
            assert handout.cited > KEY_SOURCE_LIMIT
    assert cut, "no built-in patient handout cites more than six sources any more"


def test_the_esketamine_handout_prints_its_key_sources_not_all_of_them() -> None:
    (handout,) = [
        handout
        for handout in build_handouts(
            builtin_catalog(), Settings(treatments=("esketamine-nasal-spray",))
        ).handouts
        if handout.slug == "treatment-esketamine-nasal-spray"
    ]
    assert handout.cited >= 20
    assert len(handout.citations) == KEY_SOURCE_LIMIT
