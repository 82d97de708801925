"""Import a Base Adresse Locale / BAN CSV and match residents' addresses to it.

The file is the BAL 1.3 format (`;`-separated, UTF-8): `voie_nom`, `numero`, `suffixe`,
`commune_insee`, `commune_nom`, `cle_interop`, WGS84 `long`/`lat` and Lambert-93 `x`/`y`
(used, reprojected, when `long`/`lat` are empty). BAL files carry no postcode: it comes from a
`code_postal` column when there is one, else from `--postcode`, else from the streets already
known for that INSEE code.

Addresses are the people app's `Street` / `Address` rows: a BAN address matches an existing
address with the same number, suffix, normalised street name and postcode; a match gets the
BAN coordinates and identifier, a BAN address nobody lives at yet is created (so that people
can be placed there). Residents' addresses still without coordinates afterwards are counted
and listed: they are not on the map and no geographic selection can reach them."""

import csv
import io
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from django.db.models import Count, Q
from django.utils.translation import gettext as _

from parvis.people.models import Address, Street
from parvis.people.normalize import normalize_text

from .projection import lambert93_to_wgs84

REQUIRED = {"voie_nom", "numero", "commune_insee", "commune_nom"}


class BANError(ValueError):
    pass


@dataclass
class BANReport:
    rows: int = 0
    skipped: list[tuple[int, str]] = field(default_factory=list)
    streets_created: int = 0
    matched: int = 0  # existing addresses given (or confirmed in) their BAN position
    moved: int = 0  # of which the coordinates changed
    created: int = 0
    reprojected: int = 0
    without_coordinates: int = 0
    without_coordinates_sample: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "rows": self.rows,
            "skipped": len(self.skipped),
            "streets_created": self.streets_created,
            "matched": self.matched,
            "moved": self.moved,
            "created": self.created,
            "reprojected": self.reprojected,
            "without_coordinates": self.without_coordinates,
        }


def suffix_key(suffix: str) -> str:
    return normalize_text(suffix).replace(" ", "")


def _float(value: str):
    value = (value or "").strip().replace(",", ".")
    if not value:
        return None
    try:
        return float(value)
    except ValueError:
        return None


def read_rows(text: str, postcode: str = "") -> tuple[list[dict], list[tuple[int, str]]]:
    first = text[:4096].splitlines()[0] if text.strip() else ""
    if ";" not in first:
        raise BANError(_("Not a BAN/BAL file: expected a header line with “;” separators."))
    reader = csv.DictReader(io.StringIO(text), delimiter=";")
    columns = {c.strip() for c in reader.fieldnames or []}
    missing = REQUIRED - columns
    if missing:
        raise BANError(
            _("Not a BAN/BAL file: missing columns %(c)s.") % {"c": ", ".join(sorted(missing))}
        )
    has_lonlat, has_xy = {"long", "lat"} <= columns, {"x", "y"} <= columns
    if not (has_lonlat or has_xy):
        raise BANError(_("The file has no coordinates (long/lat or x/y columns)."))
    rows, skipped = [], []
    for line_no, line in enumerate(reader, start=2):
        name = (line.get("voie_nom") or "").strip()
        number = (line.get("numero") or "").strip()
        if not name:
            skipped.append((line_no, _("no street name")))
            continue
        if not number.isdigit() or int(number) in (0, 99999):
            skipped.append((line_no, _("no house number (%(n)s)") % {"n": number or "—"}))
            continue
        lon, lat = _float(line.get("long", "")), _float(line.get("lat", ""))
        reprojected = False
        if lon is None or lat is None:
            x, y = _float(line.get("x", "")), _float(line.get("y", ""))
            if x is not None and y is not None:
                lon, lat = lambert93_to_wgs84(x, y)
                lon, lat, reprojected = round(lon, 6), round(lat, 6), True
        if lon is not None and not (-180 <= lon <= 180 and -90 <= lat <= 90):
            skipped.append((line_no, _("coordinates out of range")))
            continue
        rows.append(
            {
                "street": name.replace("’", "'"),
                "norm": normalize_text(name),
                "number": int(number),
                "suffix": (line.get("suffixe") or "").strip()[:10],
                "citycode": (line.get("commune_insee") or "").strip()[:5],
                "city": (line.get("commune_nom") or "").strip()[:150],
                "postcode": ((line.get("code_postal") or "").strip() or postcode)[:5],
                "lon": lon,
                "lat": lat,
                "reprojected": reprojected,
                "ban_id": (line.get("cle_interop") or line.get("uid_adresse") or "").strip()[:60],
            }
        )
    return rows, skipped


def _postcodes(rows: list[dict]) -> None:
    """Fill missing postcodes from the streets already known for the INSEE code."""
    missing = {r["citycode"] for r in rows if not r["postcode"]}
    known = {}
    for code in missing:
        codes = set(
            Street.objects.filter(citycode=code)
            .exclude(postcode="")
            .values_list("postcode", flat=True)
        )
        if len(codes) != 1:
            raise BANError(
                _(
                    "The file has no postcode column and the postcode of town %(code)s is not "
                    "known: give it with --postcode."
                )
                % {"code": code}
            )
        known[code] = codes.pop()
    for row in rows:
        if not row["postcode"]:
            row["postcode"] = known[row["citycode"]]


@transaction.atomic
def import_ban(path, *, postcode: str = "", create: bool = True, sample: int = 50) -> BANReport:
    path = Path(path)
    if not path.exists():
        raise BANError(_("No such file: %(p)s") % {"p": path})
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise BANError(_("The file is not UTF-8 text.")) from None
    rows, skipped = read_rows(text, postcode)
    _postcodes(rows)
    report = BANReport(rows=len(rows) + len(skipped), skipped=skipped)
    report.reprojected = sum(r["reprojected"] for r in rows)

    # Streets: the existing ones by (postcode, normalised name), the others created.
    streets: dict[tuple[str, str], Street] = {}
    for street in Street.objects.filter(postcode__in={r["postcode"] for r in rows}):
        streets.setdefault((street.postcode, street.name_norm), street)
    new_streets = {}
    for row in rows:
        key = (row["postcode"], row["norm"])
        if key not in streets and key not in new_streets:
            new_streets[key] = Street(
                name=row["street"][:200],
                name_norm=row["norm"][:200],
                postcode=row["postcode"],
                citycode=row["citycode"],
                city=row["city"],
            )
    if new_streets:
        Street.objects.bulk_create(new_streets.values(), batch_size=1000)
        report.streets_created = len(new_streets)
        for street in Street.objects.filter(
            postcode__in={k[0] for k in new_streets}, name_norm__in={k[1] for k in new_streets}
        ):
            streets.setdefault((street.postcode, street.name_norm), street)

    street_ids = {s.pk for s in streets.values()}
    existing: dict[tuple[int, int, str], list[Address]] = defaultdict(list)
    for address in Address.objects.filter(street_id__in=street_ids, number__isnull=False):
        existing[(address.street_id, address.number, suffix_key(address.suffix))].append(address)
    changed, created = [], []
    for row in rows:
        street = streets[(row["postcode"], row["norm"])]
        key = (street.pk, row["number"], suffix_key(row["suffix"]))
        if key in existing:
            for address in existing[key]:
                report.matched += 1
                if row["lat"] is None:
                    continue
                if (address.latitude, address.longitude) != (row["lat"], row["lon"]):
                    if address.latitude is not None:
                        report.moved += 1
                    address.latitude, address.longitude = row["lat"], row["lon"]
                    address.ban_id = row["ban_id"] or address.ban_id
                    changed.append(address)
                elif row["ban_id"] and address.ban_id != row["ban_id"]:
                    address.ban_id = row["ban_id"]
                    changed.append(address)
        elif create:
            address = Address(
                street=street,
                number=row["number"],
                suffix=row["suffix"],
                latitude=row["lat"],
                longitude=row["lon"],
                ban_id=row["ban_id"],
            )
            existing[key].append(address)
            created.append(address)
    Address.objects.bulk_update(changed, ["latitude", "longitude", "ban_id"], batch_size=1000)
    Address.objects.bulk_create(created, batch_size=2000)
    report.created = len(created)
    missing = addresses_without_coordinates(citycodes={r["citycode"] for r in rows})
    report.without_coordinates = missing.count()
    report.without_coordinates_sample = [a.label for a in missing[:sample]]
    return report


def addresses_without_coordinates(citycodes=None):
    """Addresses where somebody lives now and that have no position: off the map, out of
    reach of any geographic selection. Counted and listed, never silently dropped."""
    rows = (
        Address.objects.filter(Q(latitude__isnull=True) | Q(longitude__isnull=True))
        .filter(residences__end__isnull=True, residences__isnull=False)
        .select_related("street")
        .annotate(residents=Count("residences"))
        .order_by("street__name", "number", "suffix")
    )
    if citycodes:
        rows = rows.filter(street__citycode__in=citycodes)
    return rows
