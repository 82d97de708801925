"""Importing aides-jeunes' declarative local aids: what is imported, what is not and why."""

from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from parvis.rights.aides_jeunes import import_directory
from parvis.rights.models import LocalRule

from ..conftest import require_or_skip

pytestmark = pytest.mark.django_db
AIDES_JEUNES = Path(settings.PARVIS_SHARED_DATA) / "aides-jeunes"


@pytest.fixture
def directory():
    require_or_skip(AIDES_JEUNES.is_dir(), f"aides-jeunes data missing in {AIDES_JEUNES}")
    return AIDES_JEUNES / "benefits" / "javascript"


def test_every_benefit_is_imported_or_listed_with_its_reason(directory):
    files = len(list(directory.glob("*.yml")))
    report = import_directory(directory)
    assert report.imported + len(report.skipped) == files
    assert report.imported > 250 and report.created == report.imported
    assert LocalRule.objects.filter(origin="aides_jeunes").count() == report.imported
    reasons = report.reasons()
    assert any("EPCI" in r or "epci" in r for r in reasons)
    assert any(r.startswith("profils non évaluables") for r in reasons)
    # Age with "operator: =" (a YAML 1.1 tag when unquoted) is read as text.
    discover = LocalRule.objects.get(code="aj-union_europeenne_discovereu")
    assert discover.definition["conditions"] == {
        "all": [{"field": "age", "op": "=", "value": 18.0}]
    }
    bafa = LocalRule.objects.get(
        code="aj-aide-au-bafa-pour-une-session-dapprofondissement-ou-de-qualification-caf-de-la-haute-savoie"
    )
    assert bafa.institution == "CAF de la Haute-Savoie"
    assert {"field": "departement", "op": "in", "value": ["74"]} in bafa.definition["conditions"][
        "all"
    ]
    assert bafa.definition["amount"] == 109.0
    assert bafa.definition["to_check"]  # the free-text conditions, for the agent to verify
    # The stored source is the rule format, readable and editable in the console.
    assert "conditions:" in bafa.source and "departement:" in bafa.source
    # Importing again changes nothing and keeps what agents set (enabled or not).
    LocalRule.objects.filter(pk=bafa.pk).update(enabled=False)
    again = import_directory(directory)
    assert again.created == 0 and again.imported == report.imported
    assert not LocalRule.objects.get(pk=bafa.pk).enabled


def test_the_command_prints_counts_and_reasons(directory):
    out = StringIO()
    call_command("rights", "import-aides-jeunes", str(directory), stdout=out)
    text = out.getvalue()
    assert text.startswith("Imported ")
    assert "not imported" in text and "Not imported, by reason:" in text
    assert "appartenance des communes aux EPCI inconnue de Parvis" in text


def test_broken_files_are_reported_not_fatal(tmp_path):
    folder = tmp_path / "benefits" / "javascript"
    folder.mkdir(parents=True)
    (folder / "good.yml").write_text(
        "label: Aide\ninstitution: x\nconditions_generales:\n  - type: age\n"
        "    operator: '<='\n    value: 25\nprofils: []\n"
    )
    (folder / "broken.yml").write_text("label: [oops\n")
    (folder / "epci.yml").write_text(
        "label: E\ninstitution: x\nconditions_generales:\n  - type: epcis\n"
        "    values: ['200072015']\n"
    )
    (folder / "lyceen.yml").write_text(
        "label: L\ninstitution: x\nconditions_generales: []\nprofils:\n  - type: lyceen\n"
    )
    report = import_directory(tmp_path)
    assert report.imported == 1
    assert report.skipped == {
        "broken.yml": "YAML invalide, ligne 2",
        "epci.yml": "appartenance des communes aux EPCI inconnue de Parvis",
        "lyceen.yml": "profils non évaluables : lycéen(ne)",
    }


def test_an_empty_directory_is_a_clear_error(tmp_path):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="no \\*.yml benefit file"):
        call_command("rights", "import-aides-jeunes", str(tmp_path), stdout=StringIO())
