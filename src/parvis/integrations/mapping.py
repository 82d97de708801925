"""Mapping profiles: which column of an extract becomes which person field or fact.

A profile is checked when it is saved (every fact needs a legal basis, every fact key must
exist) and compiled once per import; then each row is mapped to a `MappedRecord` or to the
list of what is wrong with it, column by column."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from parvis.people.models import FactKey, Sex
from parvis.people.normalize import normalize_email, normalize_nir, normalize_phone

from .values import is_blank, parse_date, parse_value

IDENTITY_TARGETS = {
    "record_id": _("Identifier in the source"),
    "first_names": _("First names"),
    "last_name": _("Last name"),
    "birth_name": _("Birth name"),
    "birth_date": _("Birth date"),
    "birth_place": _("Birth place"),
    "sex": _("Sex"),
    "nir": _("Social security number (NIR)"),
    "email": _("Email"),
    "phone": _("Phone"),
    "address": _("Address (number and street)"),
    "postcode": _("Postcode"),
    "city": _("Town"),
}
REQUIRED = ("first_names", "last_name")
SEX_WORDS = {
    "f": "F",
    "femme": "F",
    "feminin": "F",
    "féminin": "F",
    "2": "F",
    "mme": "F",
    "m": "M",
    "homme": "M",
    "masculin": "M",
    "1": "M",
    "m.": "M",
    "x": "X",
}


def validate_columns(columns, default_legal_basis: str = "") -> list[dict]:
    """Check a profile's column list; raise one ValidationError listing every problem."""
    if not isinstance(columns, list) or not columns:
        raise ValidationError(_("A profile needs at least one column."))
    problems: list[str] = []
    cleaned: list[dict] = []
    targets: list[str] = []
    keys = set(FactKey.objects.values_list("key", flat=True))
    for index, spec in enumerate(columns, start=1):
        if not isinstance(spec, dict) or not str(spec.get("column", "")).strip():
            problems.append(_("Line %(n)s: the column name is missing.") % {"n": index})
            continue
        column = str(spec["column"]).strip()
        target = str(spec.get("target", "")).strip()
        item = {"column": column, "target": target}
        if target == "ignore":
            pass
        elif target.startswith("fact:"):
            key = target[5:]
            if key not in keys:
                problems.append(
                    _("Column “%(column)s”: unknown fact key “%(key)s”.")
                    % {"column": column, "key": key}
                )
            basis = str(spec.get("legal_basis") or default_legal_basis or "").strip()
            if not basis:
                problems.append(
                    _("Column “%(column)s”: a fact needs its legal basis (GDPR art. 6).")
                    % {"column": column}
                )
            item["legal_basis"] = basis
            if spec.get("valid_days") not in (None, ""):
                try:
                    item["valid_days"] = int(spec["valid_days"])
                except (TypeError, ValueError):
                    problems.append(
                        _("Column “%(column)s”: invalid validity.") % {"column": column}
                    )
        elif target in IDENTITY_TARGETS:
            if target in targets:
                problems.append(_("“%(target)s” is mapped twice.") % {"target": target})
        else:
            problems.append(
                _("Column “%(column)s”: unknown target “%(target)s”.")
                % {"column": column, "target": target}
            )
        targets.append(target)
        cleaned.append(item)
    for target in REQUIRED:
        if target not in targets:
            problems.append(
                _("No column gives the “%(target)s”.") % {"target": IDENTITY_TARGETS[target]}
            )
    if problems:
        raise ValidationError(problems)
    return cleaned


@dataclass
class MappedRecord:
    line: int
    record_key: str
    row_hash: str
    identity: dict  # first_names, last_name, birth_name, birth_date (date), birth_place, sex, nir
    email: str = ""
    phone: str = ""
    address: str = ""
    postcode: str = ""
    city: str = ""
    # [[key, value as text, legal basis, valid_until ISO or ""]]
    facts: list = field(default_factory=list)


class CompiledProfile:
    def __init__(self, profile, today: date | None = None):
        self.profile = profile
        self.columns = validate_columns(profile.columns, profile.legal_basis)
        self.today = today or timezone.localdate()
        fact_keys = {c["target"][5:] for c in self.columns if c["target"].startswith("fact:")}
        self.fact_types = dict(
            FactKey.objects.filter(key__in=fact_keys).values_list("key", "value_type")
        )
        self.default_valid_days = profile.valid_days

    def map(self, line: int, values: dict) -> tuple[MappedRecord | None, list[tuple[str, str]]]:
        errors: list[tuple[str, str]] = []
        identity = {
            "first_names": "",
            "last_name": "",
            "birth_name": "",
            "birth_date": None,
            "birth_place": "",
            "sex": "",
            "nir": "",
        }
        extra = {
            "record_id": "",
            "email": "",
            "phone": "",
            "address": "",
            "postcode": "",
            "city": "",
        }
        facts = []
        for spec in self.columns:
            column, target = spec["column"], spec["target"]
            if target == "ignore":
                continue
            if column not in values:
                errors.append((column, _("column missing from the file")))
                continue
            raw = values[column]
            if is_blank(raw):
                continue
            try:
                if target.startswith("fact:"):
                    key = target[5:]
                    typed = parse_value(self.fact_types[key], raw)
                    days = spec.get("valid_days", self.default_valid_days)
                    until = (self.today + timedelta(days=days)).isoformat() if days else ""
                    shown = typed.isoformat() if isinstance(typed, date) else str(typed)
                    facts.append([key, shown, spec["legal_basis"], until])
                elif target == "birth_date":
                    birth = parse_date(raw)
                    if birth > self.today or birth.year < 1880:
                        raise ValueError(_("implausible birth date %(d)s") % {"d": birth})
                    identity["birth_date"] = birth
                elif target == "sex":
                    sex = SEX_WORDS.get(str(raw).strip().lower())
                    if sex is None or sex not in Sex.values:
                        raise ValueError(_("unknown sex “%(v)s”") % {"v": str(raw)[:20]})
                    identity["sex"] = sex
                elif target == "nir":
                    identity["nir"] = normalize_nir(str(raw))
                elif target == "email":
                    extra["email"] = normalize_email(str(raw))
                elif target == "phone":
                    extra["phone"] = normalize_phone(str(raw))
                elif target in identity:
                    identity[target] = " ".join(str(raw).split())[:150]
                else:
                    extra[target] = " ".join(str(raw).split())[:200]
            except ValidationError as exc:
                errors.append((column, " ".join(str(m) for m in exc.messages)))
            except (ValueError, KeyError) as exc:
                errors.append((column, str(exc)))
        for target in REQUIRED:
            if not identity[target] and not any(c == target for c, _m in errors):
                column = next(c["column"] for c in self.columns if c["target"] == target)
                errors.append((column, _("required value is empty")))
        if errors:
            return None, errors
        content = json.dumps(
            [identity, extra, facts], default=str, sort_keys=True, ensure_ascii=False
        )
        row_hash = hashlib.sha256(content.encode()).hexdigest()
        if extra["record_id"]:
            key_source = "id:" + extra["record_id"]
        else:
            # No identifier in the source: the identity itself is the key, so a new delivery
            # with other values for the same person updates instead of duplicating.
            key_source = "|".join(
                str(identity[k]).lower() for k in ("last_name", "first_names", "birth_date", "nir")
            )
        record_key = hashlib.sha256(key_source.encode()).hexdigest()[:40]
        return (
            MappedRecord(
                line=line,
                record_key=record_key,
                row_hash=row_hash,
                identity=identity,
                email=extra["email"],
                phone=extra["phone"],
                address=extra["address"],
                postcode=extra["postcode"],
                city=extra["city"],
                facts=facts,
            ),
            [],
        )
