"""Importing the declarative local aids of the State's young people's simulator (aides-jeunes,
betagouv, AGPL-3.0) into Parvis's rule format.

Each `benefits/javascript/*.yml` has `conditions_generales` (age, territories, family quotient…)
and `profils` (jobseeker, student…, any of them). A benefit is imported when every general
condition translates to facts Parvis holds; profiles Parvis cannot recognise (apprentice,
high-school pupil…) are left out of the "any" and named in the rule's `to_check`, and a
benefit none of whose profiles Parvis recognises is skipped. Skipped benefits are listed with
their reason. The free-text `conditions` of a benefit become its `to_check` list."""

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from django.db import transaction
from django.utils.text import slugify

from .models import LocalRule
from .rules import RuleError, dump_rule, known_fields, load_yaml, validate_rule

ORIGIN = LocalRule.Origin.AIDES_JEUNES
HOUSING = {
    "proprietaire": ["owner", "proprietaire", "primo_accedant"],
    "primo_accedant": ["primo_accedant"],
    "locataire": [
        "tenant",
        "social_housing",
        "locataire_vide",
        "locataire_meuble",
        "locataire_hlm",
        "locataire_foyer",
    ],
    "heberge": ["hosted", "loge_gratuitement"],
    "loge_gratuitement": ["hosted", "loge_gratuitement"],
    "sans_domicile": ["sans_domicile"],
}
PROFILES = {
    "chomeur": {"employment_status": "unemployed"},
    "salarie": {"employment_status": "employed"},
    "inactif": {"employment_status": "inactive"},
    "etudiant": {"any": [{"student": True}, {"employment_status": "student"}]},
    "enseignement_superieur": {"any": [{"student": True}, {"employment_status": "student"}]},
    "beneficiaire_rsa": {"rsa_recipient": True},
    "situation_handicap": {"disability_recognised": True},
    "parent": {"children": ">= 1"},
}
PROFILE_LABELS = {
    "etudiant": "étudiant(e)",
    "enseignement_superieur": "étudiant(e) du supérieur",
    "apprenti": "apprenti(e)",
    "lyceen": "lycéen(ne)",
    "collegien": "collégien(ne)",
    "stagiaire": "stagiaire",
    "service_civique": "volontaire en service civique",
    "professionnalisation": "contrat de professionnalisation",
    "independant": "travailleur indépendant",
}


CRITERIA_LABELS = {
    "annee_etude": "année d'études",
    "boursier": "boursier",
    "mention_baccalaureat": "mention au baccalauréat",
    "formation_sanitaire_social": "formation sanitaire ou sociale",
    "taux_incapacite": "taux d'incapacité",
    "enfants_eligibles": "enfants éligibles",
}


class NotEvaluable(Exception):
    pass


@dataclass
class ImportReport:
    imported: int = 0
    created: int = 0
    partial: int = 0
    skipped: dict[str, str] = field(default_factory=dict)  # file -> reason

    def reasons(self) -> Counter:
        return Counter(self.skipped.values())


def _institutions(directory: Path) -> dict[str, dict]:
    found = {}
    folder = directory / "institutions"
    if not folder.is_dir():
        folder = directory.parent / "institutions"
    for path in sorted(folder.glob("*.yml")) if folder.is_dir() else []:
        try:
            found[path.stem] = load_yaml(path.read_text(encoding="utf-8")) or {}
        except Exception:  # a broken institution file only loses its name
            continue
    return found


def _general(condition: dict, institutions: dict, institution_key: str) -> list[dict]:
    kind = condition.get("type")
    if kind == "age":
        op = str(condition.get("operator") or "=")
        return [{"age": f"{op} {condition['value']}"}]
    if kind in ("departements", "regions", "communes", "codes_postaux"):
        values = [str(v) for v in condition.get("values") or []]
        if not values:
            raise NotEvaluable(f"condition « {kind} » sans valeur")
        name = {
            "departements": "departement",
            "regions": "region",
            "communes": "commune",
            "codes_postaux": "postcode",
        }[kind]
        return [{name: values}]
    if kind == "quotient_familial":
        value = float(condition["value"])
        # Parvis holds the CAF monthly family quotient; a yearly ceiling is divided by 12.
        if condition.get("period") == "year":
            value = round(value / 12, 2)
        return [{"family_quotient": f"{condition.get('operator') or '<='} {value:g}"}]
    if kind == "beneficiaire_rsa":
        return [{"rsa_recipient": True}]
    if kind == "statut_occupation_logement":
        values = sorted({v for s in condition.get("includes") or [] for v in HOUSING.get(s, [])})
        if not values:
            raise NotEvaluable("statut d'occupation du logement non reconnu")
        return [{"housing_status": values}]
    if kind == "attached_to_institution":
        institution = institutions.get(institution_key) or {}
        itype = institution.get("type")
        code = str(institution.get("code_insee") or "")
        if itype == "commune" and code:
            return [{"commune": [code]}]
        if itype == "departement" and code:
            return [{"departement": [code]}]
        if itype == "region" and code:
            return [{"region": [code]}]
        if itype == "caf" and institution.get("departments"):
            return [{"departement": [str(d) for d in institution["departments"]]}]
        if itype in ("national", "europeen"):
            return []
        raise NotEvaluable(f"territoire de l'institution inconnu de Parvis ({itype or '?'})")
    if kind in ("epcis", "excluded_epcis"):
        raise NotEvaluable("appartenance des communes aux EPCI inconnue de Parvis")
    reasons = {
        "regime_securite_sociale": "régime de sécurité sociale inconnu de Parvis",
        "formation_sanitaire_social": "formation sanitaire ou sociale inconnue de Parvis",
        "difficultes_acces_ou_frais_logement": "difficultés de logement inconnues de Parvis",
        "agence_travail_temporaire": "missions d'intérim inconnues de Parvis",
    }
    raise NotEvaluable(reasons.get(kind, f"condition « {kind} » inconnue de Parvis"))


def _profile(profile: dict) -> dict:
    kind = profile.get("type")
    if kind not in PROFILES:
        raise NotEvaluable(PROFILE_LABELS.get(kind, str(kind)))
    conditions = [PROFILES[kind]]
    for inner in profile.get("conditions") or []:
        if inner.get("type") != "age":
            criterion = CRITERIA_LABELS.get(inner.get("type"), str(inner.get("type")))
            raise NotEvaluable(f"{PROFILE_LABELS.get(kind, kind)} ({criterion})")
        conditions.append({"age": f"{inner.get('operator') or '='} {inner['value']}"})
    return conditions[0] if len(conditions) == 1 else {"all": conditions}


def convert(stem: str, data: dict, institutions: dict) -> tuple[dict, bool]:
    """The Parvis rule (as `validate_rule` reads it) for one aides-jeunes benefit, and whether
    some profiles were left out. Raises NotEvaluable with the reason."""
    conditions = []
    for condition in data.get("conditions_generales") or []:
        conditions += _general(condition, institutions, data.get("institution", ""))
    to_check = [str(t).strip() for t in data.get("conditions") or [] if str(t).strip()]
    partial = False
    profiles = data.get("profils") or []
    if profiles:
        kept, dropped = [], []
        for profile in profiles:
            try:
                kept.append(_profile(profile))
            except NotEvaluable as exc:
                dropped.append(str(exc))
        if not kept:
            raise NotEvaluable("profils non évaluables : " + ", ".join(sorted(set(dropped))))
        if dropped:
            partial = True
            to_check.append(
                "Autres profils possibles, non évalués par Parvis : "
                + ", ".join(sorted(set(dropped)))
            )
        conditions.append(kept[0] if len(kept) == 1 else {"any": kept})
    if not conditions:
        raise NotEvaluable("aucune condition évaluable (aide nationale sans critère)")
    institution = institutions.get(data.get("institution", "")) or {}
    amount = data.get("montant") if data.get("type") == "float" else None
    rule = {
        "code": ("aj-" + slugify(stem))[:120],
        "label": str(data.get("label") or stem)[:300],
        "institution": str(institution.get("name") or data.get("institution") or ""),
        "description": str(data.get("description") or "").strip(),
        "link": str(data.get("link") or ""),
        "periodicity": str(data.get("periodicite") or ""),
        "to_check": to_check,
        "conditions": conditions,
    }
    if isinstance(amount, int | float) and not isinstance(amount, bool) and amount >= 0:
        rule["amount"] = float(amount)
    return rule, partial


def import_directory(directory: str | Path, *, enable: bool = True) -> ImportReport:
    """Import every benefit of `directory` (benefits/javascript, or the aides-jeunes root)."""
    directory = Path(directory)
    benefits = directory
    for candidate in (directory / "benefits" / "javascript", directory / "javascript"):
        if candidate.is_dir():
            benefits = candidate
    root = benefits.parent.parent if benefits.name == "javascript" else directory
    institutions = _institutions(root)
    fields = known_fields()
    report = ImportReport()
    files = sorted(benefits.glob("*.yml"))
    if not files:
        raise FileNotFoundError(f"no *.yml benefit file in {benefits}")
    with transaction.atomic():
        for path in files:
            try:
                data = load_yaml(path.read_text(encoding="utf-8"))
                if not isinstance(data, dict):
                    raise NotEvaluable("fichier sans définition")
                rule, partial = convert(path.stem, data, institutions)
                definition = validate_rule(rule, fields)
            except NotEvaluable as exc:
                report.skipped[path.name] = str(exc)
                continue
            except RuleError as exc:
                report.skipped[path.name] = "règle invalide : " + "; ".join(exc.errors)
                continue
            except yaml.YAMLError as exc:
                mark = getattr(exc, "problem_mark", None)
                where = f", ligne {mark.line + 1}" if mark else ""
                report.skipped[path.name] = f"YAML invalide{where}"
                continue
            except Exception as exc:  # a malformed file is reported, never fatal
                report.skipped[path.name] = f"fichier illisible : {type(exc).__name__}"
                continue
            _rule, created = LocalRule.objects.update_or_create(
                code=definition["code"],
                defaults={
                    "label": definition["label"],
                    "origin": ORIGIN,
                    "source": dump_rule(rule),
                    "definition": definition,
                    "institution": definition["institution"],
                },
                create_defaults={
                    "label": definition["label"],
                    "origin": ORIGIN,
                    "source": dump_rule(rule),
                    "definition": definition,
                    "institution": definition["institution"],
                    "enabled": enable,
                },
            )
            report.imported += 1
            report.created += int(created)
            report.partial += int(partial)
    return report
