"""BAN/BAL import: streets and addresses created or matched, coordinates filled, addresses
without coordinates counted and listed."""

import pytest
from django.core.management import CommandError, call_command

from parvis.geo import ban
from parvis.people.models import Address, Street

from .conftest import BAN, at, resident, street

pytestmark = pytest.mark.django_db


def test_import_creates_the_town_streets_and_addresses():
    report = ban.import_ban(BAN, postcode="54111")
    assert report.rows == 486 and not report.skipped
    assert report.streets_created == 21 and report.created == 486
    assert Street.objects.filter(citycode="54084", postcode="54111").count() == 21
    joffre = Address.objects.get(street__name="Rue Joffre", number=1, suffix="")
    assert (joffre.latitude, joffre.longitude) == (49.322203, 5.833622)
    assert joffre.ban_id == "54084_0200_00001"
    # Idempotent: a second run matches everything and creates nothing.
    again = ban.import_ban(BAN, postcode="54111")
    assert again.created == 0 and again.streets_created == 0 and again.matched == 486


def test_residents_addresses_are_matched_and_the_unmatched_listed():
    # Typed by an agent: straight apostrophe, other case; the BAN writes "Rue Jeanne d’Arc".
    arc = street("rue jeanne d'arc")
    matched = at(arc, 3)
    unknown = at(arc, 999)  # no such number in the BAN
    resident("Ana", matched)
    resident("Bob", unknown)
    resident("Cid", unknown)
    report = ban.import_ban(BAN, postcode="54111")
    matched.refresh_from_db()
    assert (matched.latitude, matched.longitude) == (49.322672, 5.834585)
    assert report.matched == 486 - report.created and report.created == 485
    assert not Street.objects.filter(name="Rue Jeanne d'Arc").exists()  # the existing one kept
    assert report.without_coordinates == 1
    assert report.without_coordinates_sample == ["999 rue jeanne d'arc, 54111 Mont-Bonvillers"]
    row = ban.addresses_without_coordinates().get()
    assert row.pk == unknown.pk and row.residents == 2


def test_the_postcode_comes_from_known_streets_and_is_otherwise_asked_for(english):
    with pytest.raises(ban.BANError, match="give it with --postcode"):
        ban.import_ban(BAN)
    street("Rue Joffre")  # postcode 54111 known for INSEE 54084
    assert ban.import_ban(BAN).created == 486


def test_lambert93_is_used_when_longitude_and_latitude_are_missing(tmp_path):
    lines = BAN.read_text(encoding="utf-8").splitlines()
    header = lines[0].split(";")
    first = lines[1].split(";")
    first[header.index("long")] = first[header.index("lat")] = ""
    path = tmp_path / "lambert.csv"
    path.write_text("\n".join([lines[0], ";".join(first)]) + "\n", encoding="utf-8")
    report = ban.import_ban(path, postcode="54111")
    assert report.reprojected == 1
    address = Address.objects.get()
    assert address.latitude == pytest.approx(49.322203, abs=1e-6)
    assert address.longitude == pytest.approx(5.833622, abs=1e-6)


def test_bad_files_are_clear_errors_and_change_nothing(tmp_path, english):
    not_csv = tmp_path / "x.csv"
    not_csv.write_text('{"type": "FeatureCollection"}', encoding="utf-8")
    with pytest.raises(ban.BANError, match="Not a BAN/BAL file"):
        ban.import_ban(not_csv, postcode="54111")
    wrong = tmp_path / "y.csv"
    wrong.write_text("a;b\n1;2\n", encoding="utf-8")
    with pytest.raises(ban.BANError, match="missing columns"):
        ban.import_ban(wrong, postcode="54111")
    with pytest.raises(CommandError, match="No such file"):
        call_command("geo", "import-ban", str(tmp_path / "none.csv"))
    assert not Address.objects.exists()


def test_rows_without_number_are_skipped_and_reported(tmp_path, capsys):
    lines = BAN.read_text(encoding="utf-8").splitlines()
    header = lines[0].split(";")
    row = lines[1].split(";")
    row[header.index("numero")] = "99999"
    path = tmp_path / "lieu-dit.csv"
    path.write_text("\n".join([lines[0], ";".join(row), lines[2]]) + "\n", encoding="utf-8")
    call_command("geo", "import-ban", str(path), "--postcode", "54111")
    out = capsys.readouterr()
    assert "rows=2 skipped=1" in out.out and "line 2: skipped" in out.err
