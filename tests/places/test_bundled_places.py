"""The bundled plan's places with its banner's village list: every village the list names gets its 苏木/镇."""

import pytest

from funding.models import AnnualBudget
from projects.models import ListedVillage, Project, VillageAlias
from projects.services import place_questions, place_recognition

pytestmark = pytest.mark.django_db

BANNER_WIDE = {"科右中旗", "对口区（海淀区）", "科右中旗各苏木镇"}


def test_every_village_the_list_names_has_its_township_and_none_is_wrong(bundled, village_rows):
    by_name = {}
    for code, (township, village) in village_rows.items():
        by_name.setdefault(village, set()).add(township)
    projects = Project.objects.filter(plan=bundled).select_related("township", "village")
    checked = 0
    for project in projects:
        if project.village and project.village.code:  # resolved through the list: against the file
            township, village = village_rows[project.village.code]
            assert (project.township.name, project.village.name) == (township, village), project.location_text
            checked += 1
        elif project.location_text in by_name:
            pytest.fail(f"{project.location_text} is in the list but has no code")
    assert checked >= 40
    # A text naming exactly a listed village (unique in the list) always gets that village's township.
    for project in projects:
        towns = by_name.get(project.location_text.strip())
        if towns and len(towns) == 1:
            assert project.township is not None and project.township.name in towns, project.location_text


def test_rows_with_a_township_the_rest_banner_wide_or_on_the_review_list(bundled):
    rows = list(AnnualBudget.objects.filter(project__plan=bundled).values_list(
        "project__location_text", "project__township_id"))
    assert len(rows) == 148
    placed = [text for text, township in rows if township]
    assert len(placed) >= 55
    recognition = place_recognition(bundled)
    review = {text for item in place_questions(bundled, recognition) for text in item.texts}
    for text, township in rows:
        if township:
            continue
        parsed = recognition.parse(text)
        assert parsed.wide or text in review, text
        if text in BANNER_WIDE:
            assert parsed.wide and text not in review


def test_spellings_the_rules_matched_are_recorded_as_aliases(bundled):
    aliases = dict(VillageAlias.objects.filter(source="rule").values_list("spelling", "village__name"))
    assert aliases["窑艾里嘎查"] == "窑艾勒嘎查"
    assert aliases["莫力黑哈达嘎查"] == "莫勒黑哈达嘎查"
    assert aliases["草高吐"] == "草高图嘎查"
    assert ListedVillage.objects.filter(listed=True).count() == 173
