"""Fields read from the text of a French document: dates, names, IBAN/BIC, amounts, addresses,
identity document numbers and the machine readable zone (MRZ) of ID cards and passports.

Plain functions over text, no I/O. Each value comes with a confidence and the way it was found,
because an agent confirms it: a value whose check digit is right (IBAN, MRZ, NIR, SIRET, tax
number, all through python-stdnum except the MRZ) is near certain; a value after its printed
label ("Date de naissance :") is likely; a value guessed from its shape alone is a hint.

Dates and amounts are parsed with small regular expressions rather than a general date parser
(dateparser, babel): French documents use a handful of formats, and a general parser finds
"dates" in reference numbers. The MRZ check digits (ICAO 9303, weights 7-3-1) are computed
here: the one PyPI package for it is unmaintained since 2020, and the rule is ten lines.
"""

import itertools
import re
import unicodedata
from dataclasses import asdict, dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from stdnum import bic as stdnum_bic
from stdnum import iban as stdnum_iban
from stdnum.exceptions import ValidationError
from stdnum.fr import nif, nir, siret

# Confidence of a value by how it was found, before the text quality factor.
CHECKSUM = 0.99  # a check digit or checksum matched
MRZ_UNCHECKED = 0.6  # read in the MRZ but the check digit did not match
CORRECTED = 0.8  # an OCR look-alike (8/B, 0/O) fixed so that the check digits match
LABELLED = 0.85  # found right after its printed label
SHAPE = 0.5  # only its shape says what it is


@dataclass
class Field:
    """One suggested value. `value` is JSON-ready (dates as ISO strings, amounts as strings)."""

    name: str
    value: str
    confidence: float
    raw: str  # the text as read on the document
    source: str  # "mrz", "checksum", "label", "shape"

    def to_dict(self) -> dict:
        return asdict(self)


# --- text folding -----------------------------------------------------------------------------


def fold(text: str) -> str:
    """Lower case without accents, same length as `text`, so that a match in the folded text
    is a slice of the original one (values are returned as printed)."""
    out = []
    for char in text:
        if char in "’‘`´":
            out.append("'")
            continue
        base = unicodedata.normalize("NFKD", char)[:1] or char
        lowered = base.lower()
        out.append(lowered if len(lowered) == 1 else base)
    return "".join(out)


def squash(text: str) -> str:
    """Folded text with every run of non-alphanumerics as one space: for keyword matching."""
    return " ".join(re.sub(r"[^0-9a-z]+", " ", fold(text)).split())


# --- dates ------------------------------------------------------------------------------------

MONTHS = {
    "janvier": 1, "janv": 1, "jan": 1, "fevrier": 2, "fevr": 2, "fev": 2, "mars": 3,
    "avril": 4, "avr": 4, "mai": 5, "juin": 6, "juillet": 7, "juil": 7, "aout": 8,
    "septembre": 9, "sept": 9, "sep": 9, "octobre": 10, "oct": 10, "novembre": 11, "nov": 11,
    "decembre": 12, "dec": 12,
}  # fmt: skip
_MONTH_NAMES = "|".join(sorted(MONTHS, key=len, reverse=True))
DATE_PATTERNS = [
    # 12/03/2024, 12.03.2024, 12-03-2024, 12/03/24
    re.compile(r"(?<![\d/.-])(\d{1,2})\s?[/.-]\s?(\d{1,2})\s?[/.-]\s?(\d{4}|\d{2})(?![\d/.-])"),
    # 12 mars 2024, 1er mars 2024, 12 sept. 2024
    re.compile(rf"(?<!\d)(\d{{1,2}})(?:er)?\s+({_MONTH_NAMES})\.?\s+(\d{{4}})(?!\d)"),
    # 2024-03-12
    re.compile(r"(?<!\d)(\d{4})-(\d{2})-(\d{2})(?!\d)"),
]
# "12 03 1984": how the identity card prints its dates; only trusted after a label.
SPACED_DATE = re.compile(r"(?<!\d)(\d{2}) (\d{2}) (\d{4})(?!\d)")


def _make_date(day: int, month: int, year: int) -> date | None:
    if year < 100:
        year += 2000 if year <= (date.today().year % 100) + 10 else 1900
    try:
        return date(year, month, day)
    except ValueError:
        return None


def find_dates(folded: str, *, spaced: bool = False) -> list[tuple[date, int, int]]:
    """Every date in folded text, as (date, start, end), in reading order."""
    found = []
    for index, pattern in enumerate(DATE_PATTERNS):
        for match in pattern.finditer(folded):
            a, b, c = match.groups()
            if index == 0:
                value = _make_date(int(a), int(b), int(c))
            elif index == 1:
                value = _make_date(int(a), MONTHS[b], int(c))
            else:
                value = _make_date(int(c), int(b), int(a))
            if value and 1900 <= value.year <= 2100:
                found.append((value, match.start(), match.end()))
    if spaced:
        for match in SPACED_DATE.finditer(folded):
            value = _make_date(int(match[1]), int(match[2]), int(match[3]))
            if value:
                found.append((value, match.start(), match.end()))
    found.sort(key=lambda item: item[1])
    # a spaced date may overlap a plain one; keep the first of overlapping matches
    kept: list[tuple[date, int, int]] = []
    for item in found:
        if not kept or item[1] >= kept[-1][2]:
            kept.append(item)
    return kept


# --- amounts ----------------------------------------------------------------------------------

AMOUNT = re.compile(
    r"(?<![\d,.])(-?\s?\d{1,3}(?:[ \u00a0\u202f.]\d{3})+(?:,\d{1,2})?|-?\s?\d+(?:[,.]\d{1,2})?)"
    r"\s*(?:€|eur\b|euros?\b)?"
)


def parse_amount(raw: str) -> Decimal | None:
    """'1 593,00 €', '25 432', '1.845,32', '98.45' -> Decimal."""
    text = re.sub(r"[€\s\u00a0\u202f]|eur(os?)?", "", raw.lower()).strip()
    if not text:
        return None
    if "," in text:
        text = text.replace(".", "").replace(",", ".")
    elif re.fullmatch(r"-?\d{1,3}(\.\d{3})+", text):
        text = text.replace(".", "")  # 25.432 is a thousand separator in French
    try:
        return Decimal(text)
    except InvalidOperation:
        return None


def first_amount(text: str) -> tuple[Decimal, str] | None:
    for match in AMOUNT.finditer(text):
        value = parse_amount(match.group(1))
        if value is not None:
            return value, match.group(0).strip()
    return None


# --- labelled values --------------------------------------------------------------------------

# (field, kind of value, label pattern on folded text). The value is what follows the label on
# the same line, after an optional English label ("NOM / Surname") and a colon.
LABELS: list[tuple[str, str, tuple[str, ...]]] = [
    ("surname", "name", (
        r"\bnom(?: de famille| de naissance)?\b(?! d'usage| du titulaire)(?:\s*/\s*surname)?",
    )),
    ("usual_name", "name", (r"\bnom d'usage\b(?:\s*/\s*[a-z ]+)?",)),
    ("given_names", "name", (r"\bprenom(?:s\b|\(s\)|\b)(?:\s*/\s*given names?)?",)),
    ("birth_date", "date", (
        r"\bdate de naiss(?:ance|\.)?(?:\s*/\s*date of birth)?", r"\bne(?:\(e\)|e)? le\b",
    )),
    ("birth_place", "text", (r"\blieu de naissance\b(?:\s*[/}|]\s*place of birth)?",)),
    ("sex", "sex", (r"\bsexe\b(?:\s*/\s*sex)?",)),
    ("nationality", "text", (r"\bnationalite\b(?:\s*/\s*nationality)?",)),
    ("document_number", "docnum", (
        r"\bn[°o]?\.? ?du document\b(?:\s*/\s*document no\.?)?", r"\bdocument no\b",
    )),
    ("expiry_date", "date", (
        r"\bdate d'expir(?:ation|\.)?(?:\s*/\s*expiry date)?", r"\bvalable jusqu'au\b",
        r"\bexpiry date\b",
    )),
    ("issue_date", "date", (r"\bdate de delivrance\b", r"\bdelivree? le\b")),
    ("tax_number", "taxnum", (r"\bnumero fiscal\b", r"\bn° fiscal\b")),
    ("notice_reference", "text", (r"\breference de l'avis\b",)),
    ("collection_date", "date", (r"\bdate de mise en recouvrement\b",)),
    ("establishment_date", "date", (r"\bdate d'etablissement\b",)),
    ("household_parts", "amount", (r"\bnombre de parts\b",)),
    ("reference_tax_income", "amount", (r"\brevenu fiscal de reference\b",)),
    ("tax_amount", "amount", (
        r"\bmontant de (?:votre|l') ?impot(?: sur le revenu)?\b", r"\bimpot sur le revenu net\b",
    )),
    ("net_pay", "amount", (r"\bnet a payer(?: au salarie)?\b(?! avant)",)),
    ("gross_pay", "amount", (r"\bsalaire brut\b", r"\btotal brut\b")),
    ("net_taxable", "amount", (r"\bnet imposable\b", r"\bnet fiscal\b")),
    ("payment_date", "date", (r"\bdate de paiement\b", r"\bpaye le\b", r"\bvirement le\b")),
    ("employer", "text", (r"\bemployeur\b",)),
    ("employee", "name", (r"\bsalarie\b",)),
    ("nir", "nir", (
        r"\bn° de securite sociale\b", r"\bnumero de securite sociale\b", r"\bn° ss\b",
    )),
    ("siret", "siret", (r"\bsiret\b",)),
    ("account_holder", "name", (r"\btitulaire du compte\b", r"\btitulaire\b(?! du contrat)")),
    ("bank", "text", (r"\bdomiciliation\b", r"\bbanque\b(?! :)")),
    ("contract_holder", "name", (r"\btitulaire du contrat\b", r"\bnom du titulaire\b")),
    ("invoice_date", "date", (
        r"\bdate de (?:la )?facture\b", r"\bfacture du\b", r"\bdate d'emission\b",
    )),
    ("customer_reference", "text", (
        r"\breference client\b", r"\bn° client\b", r"\bnumero client\b",
    )),
    ("delivery_point", "text", (r"\bpoint de livraison\b(?: \(pdl\))?", r"\bpdl\b", r"\bprm\b")),
    ("amount_due", "amount", (
        r"\bmontant ttc\b", r"\btotal ttc\b", r"\bmontant a payer\b", r"\btotal a payer\b",
    )),
]  # fmt: skip
_LABEL_RES = [(name, kind, re.compile("|".join(alts))) for name, kind, alts in LABELS]
_AFTER_LABEL = re.compile(r"^\s*(?:[:;.]\s*|-\s+)?")
_CIVILITY = re.compile(r"^(?:m\.|mme|mlle|monsieur|madame|mademoiselle|m)\s+", re.IGNORECASE)


def _value_after(line: str, end: int) -> str:
    rest = line[end:]
    rest = rest[_AFTER_LABEL.match(rest).end() :]
    # bilingual cards put two labelled values on a line: "SEXE / Sex : F  NATIONALITÉ..."
    return re.split(r"\s{3,}|\s+\|\s+", rest.strip())[0].strip(" :")


def _clean_name(raw: str) -> str:
    name = _CIVILITY.sub("", raw.strip())
    name = re.sub(r"[^\w\s,'-]", " ", name)
    return " ".join(name.replace(",", " ").split())


def labelled_fields(lines: list[str]) -> list[Field]:
    """Values printed after their label, line by line."""
    fields: list[Field] = []
    for index, line in enumerate(lines):
        folded = fold(line)
        for name, kind, regex in _LABEL_RES:
            match = regex.search(folded)
            if not match:
                continue
            value = _value_after(line, match.end())
            if not value and index + 1 < len(lines) and kind in ("name", "text"):
                value = lines[index + 1].strip()  # label on its own line, value below
            field = _parse_labelled(name, kind, value)
            if field:
                fields.append(field)
    return fields


def _parse_labelled(name: str, kind: str, raw: str) -> Field | None:
    if not raw:
        return None
    if kind == "date":
        found = find_dates(fold(raw), spaced=True)
        if not found:
            return None
        value, start, end = found[0]
        return Field(name, value.isoformat(), LABELLED, raw[start:end], "label")
    if kind == "amount":
        amount = first_amount(raw)
        if not amount:
            return None
        return Field(name, str(amount[0]), LABELLED, amount[1], "label")
    if kind == "name":
        value = _clean_name(raw)
        if not value or not re.search(r"[^\W\d_]{2}", value) or len(value) > 80:
            return None
        return Field(name, value, LABELLED, raw, "label")
    if kind == "sex":
        match = re.match(r"([FM])\b", raw.strip())
        return Field(name, match[1], LABELLED, match[1], "label") if match else None
    if kind == "docnum":
        token = re.sub(r"\s", "", raw)
        if not re.fullmatch(r"[A-Z0-9]{8,12}", token):
            return None
        return Field(name, token, LABELLED, raw, "label")
    if kind == "nir":
        compact = re.sub(r"[\s.]", "", raw)[:15]
        if nir.is_valid(compact):
            return Field(name, nir.compact(compact), CHECKSUM, raw, "checksum")
        return Field(name, compact, SHAPE, raw, "label") if len(compact) >= 13 else None
    if kind == "siret":
        compact = re.sub(r"\D", "", raw)[:14]
        if siret.is_valid(compact):
            return Field(name, compact, CHECKSUM, raw, "checksum")
        return None
    if kind == "taxnum":
        compact = re.sub(r"\D", "", raw)[:13]
        if nif.is_valid(compact):
            return Field(name, compact, CHECKSUM, raw, "checksum")
        return Field(name, compact, SHAPE, raw, "label") if len(compact) == 13 else None
    value = raw.strip()
    return Field(name, value, LABELLED, raw, "label") if len(value) <= 120 else None


# --- IBAN and BIC -----------------------------------------------------------------------------

IBAN_CANDIDATE = re.compile(r"\b([A-Z]{2}\s?\d{2}(?:\s?[A-Z0-9]{1,4}){3,8})\b")
BIC_CANDIDATE = re.compile(r"\b([A-Z]{4}[A-Z]{2}[A-Z0-9]{2}(?:[A-Z0-9]{3})?)\b")


def iban_fields(text: str) -> list[Field]:
    """IBANs whose check digits are right (stdnum.iban.validate). Masked ones are ignored."""
    fields: list[Field] = []
    seen = set()
    for line in text.splitlines():
        for match in IBAN_CANDIDATE.finditer(line.upper()):
            candidate = match.group(1)
            # a candidate may swallow a following word ("... 189 BIC"): try shorter tails too
            parts = candidate.split()
            for cut in range(len(parts), 0, -1):
                raw = " ".join(parts[:cut])
                value, confidence = _valid_iban(raw)
                if value is None:
                    continue
                if value not in seen:
                    seen.add(value)
                    fields.append(
                        Field("iban", stdnum_iban.format(value), confidence, raw, "checksum")
                    )
                break
    return fields


def _valid_iban(raw: str) -> tuple[str | None, float]:
    try:
        return stdnum_iban.validate(raw), CHECKSUM
    except ValidationError:
        pass
    # OCR reads 0 as O, 1 as I...: a French BBAN is digits but for the 11-character account
    # number, so retry with look-alike letters read as digits in the check digits, bank and
    # branch codes and key; the IBAN checksum still has to match.
    compact = stdnum_iban.compact(raw)
    if len(compact) == 27 and compact.startswith("FR"):
        fixed = "FR" + _digits(compact[2:14]) + compact[14:25] + _digits(compact[25:])
        try:
            return stdnum_iban.validate(fixed), 0.95
        except ValidationError:
            pass
    return None, 0.0


def bic_fields(lines: list[str], ibans: list[Field]) -> list[Field]:
    """A BIC has no check digit: trust it after a "BIC"/"SWIFT" label, more when its country
    matches the IBAN's."""
    countries = {f.value[:2] for f in ibans}
    fields = []
    for line in lines:
        folded = fold(line)
        label = re.search(r"\b(?:bic|swift)\b", folded)
        if not label:
            continue
        for match in BIC_CANDIDATE.finditer(line[label.end() :].upper()):
            raw = match.group(1)
            if raw in ("BIC", "SWIFT") or not stdnum_bic.is_valid(raw):
                continue
            confidence = 0.9 if raw[4:6] in countries else 0.7
            fields.append(Field("bic", stdnum_bic.compact(raw), confidence, raw, "label"))
            break
    return fields


# --- addresses --------------------------------------------------------------------------------

STREET_TYPES = (
    "rue|avenue|av|bd|boulevard|chemin|impasse|allee|place|route|quai|cours|square|passage|"
    "residence|lotissement|chaussee|faubourg|lieu-dit|lieu dit|hameau|sentier|voie|rond-point|"
    "esplanade|promenade|cite|parvis|mail|ruelle|clos|domaine"
)
STREET = re.compile(
    rf"^\s*(\d{{1,4}}(?:\s?(?:bis|ter|quater|[a-d]))?)[ ,]+(?:{STREET_TYPES})\b[\w\s'’.-]{{2,60}}",
    re.IGNORECASE,
)
POSTCODE_CITY = re.compile(r"(?<!\d)((?:0[1-9]|[1-8]\d|9[0-8])\d{3})\s+([A-Za-zÀ-ÿ' -]{2,50})$")


def address_fields(lines: list[str]) -> list[Field]:
    """A street line and a postcode + town, on the same line or on consecutive lines."""
    fields = []
    for index, line in enumerate(lines):
        street = STREET.match(fold(line))
        if not street:
            continue
        street_text = line.strip()
        same_line = POSTCODE_CITY.search(street_text)
        if same_line:
            street_part = street_text[: same_line.start()].strip(" ,")
            fields.append(_address(street_part, same_line[1], same_line[2], street_text))
            continue
        for following in lines[index + 1 : index + 3]:
            town = POSTCODE_CITY.search(following.strip())
            if town:
                raw = f"{street_text}\n{following.strip()}"
                fields.append(_address(street_text, town[1], town[2], raw))
                break
    return fields


def _address(street: str, postcode: str, town: str, raw: str) -> Field:
    value = f"{' '.join(street.split())}, {postcode} {' '.join(town.split())}"
    return Field("address", value, 0.8, raw, "shape")


def civility_names(lines: list[str]) -> list[Field]:
    """'Mme LE GALL ÉLODIE' alone on a line, as on a tax notice's address block."""
    fields = []
    for line in lines:
        stripped = line.strip()
        if _CIVILITY.match(stripped) and re.fullmatch(r"[\w\s.'-]{4,60}", stripped):
            name = _clean_name(stripped)
            if len(name.split()) >= 2:
                fields.append(Field("full_name", name, 0.6, stripped, "shape"))
    return fields


# --- machine readable zone (ICAO 9303) ---------------------------------------------------------

_MRZ_VALUES = {c: i for i, c in enumerate("0123456789")}
_MRZ_VALUES.update({c: 10 + i for i, c in enumerate("ABCDEFGHIJKLMNOPQRSTUVWXYZ")})
_MRZ_VALUES["<"] = 0
# Characters OCR confuses in the MRZ font: tried in turn when a check digit does not match.
_LOOKALIKES = {"0": "O", "O": "0", "1": "I", "I": "1", "2": "Z", "Z": "2", "4": "A", "A": "4",
               "5": "S", "S": "5", "6": "G", "G": "6", "8": "B", "B": "8"}  # fmt: skip
_TO_DIGIT = {"O": "0", "Q": "0", "D": "0", "I": "1", "L": "1", "Z": "2", "A": "4", "S": "5",
             "G": "6", "T": "7", "B": "8"}  # fmt: skip
MRZ_LINE = re.compile(r"^[A-Z0-9<]{28,46}$")


def mrz_check_digit(field: str) -> str:
    return str(sum(_MRZ_VALUES.get(c, 0) * (7, 3, 1)[i % 3] for i, c in enumerate(field)) % 10)


def _digits(text: str) -> str:
    return "".join(_TO_DIGIT.get(c, c) for c in text)


def _date_checked(value: str, check: str) -> tuple[str, bool]:
    """A YYMMDD field read as digits, and whether its check digit matches."""
    value = _digits(value)
    return value, mrz_check_digit(value) == _digits(check)


def _number_candidates(value: str, check: str) -> tuple[list[str], bool]:
    """Readings of a document number whose check digit matches: the value itself (True), or
    else every variant with the fewest OCR look-alike swaps (0↔O, 8↔B...) that does (False)."""
    check = _digits(check)
    if mrz_check_digit(value) == check:
        return [value], True
    spots = [i for i, c in enumerate(value) if c in _LOOKALIKES][:8]
    for count in range(1, min(len(spots), 3) + 1):
        found = []
        for chosen in itertools.combinations(spots, count):
            chars = list(value)
            for i in chosen:
                chars[i] = _LOOKALIKES[chars[i]]
            candidate = "".join(chars)
            if mrz_check_digit(candidate) == check:
                found.append(candidate)
        if found:
            return found, False
    return [], False


def _choose_number(value: str, check: str) -> tuple[str, float]:
    """The document number and its confidence: checked as read, or corrected when exactly one
    look-alike reading satisfies its check digit. (The composite check digit cannot break a
    tie: the number opens it with the same weights, so every candidate passes it alike.)"""
    candidates, as_read = _number_candidates(value, check)
    if as_read:
        return value, CHECKSUM
    if len(candidates) == 1:
        return candidates[0], CORRECTED
    return value, MRZ_UNCHECKED


def normalise_mrz_line(line: str) -> str:
    text = line.strip().replace("«", "<<").replace("‹", "<").replace(" ", "").upper()
    return text


def find_mrz(lines: list[str]) -> list[str]:
    """The consecutive MRZ-looking lines (2 or 3) of a text, normalised; [] if none."""
    candidates = [normalise_mrz_line(line) for line in lines]
    block: list[str] = []
    for line in candidates:
        if MRZ_LINE.match(line) and ("<<" in line or block):
            block.append(line)
            if len(block) == 3:
                break
        elif block:
            if len(block) >= 2:
                break
            block = []
    return block if len(block) >= 2 else []


def _fit(line: str, length: int) -> str:
    """OCR adds or drops a filler '<' now and then: pad or trim fillers at the end."""
    if len(line) > length:
        return line[:length] if set(line[length:]) <= {"<"} else line[:length]
    return line.ljust(length, "<")


def _mrz_date(yymmdd: str, *, future: bool) -> date | None:
    if not yymmdd.isdigit():
        return None
    yy, mm, dd = int(yymmdd[:2]), int(yymmdd[2:4]), int(yymmdd[4:6])
    this_year = date.today().year % 100
    century = 2000 if (future or yy <= this_year) else 1900
    try:
        return date(century + yy, mm, dd)
    except ValueError:
        return None


def _mrz_names(text: str) -> tuple[str, str]:
    surname, _, given = text.strip("<").partition("<<")
    return surname.replace("<", " ").strip(), given.replace("<", " ").strip()


def parse_mrz(lines: list[str]) -> list[Field]:
    """Fields of a TD1 (ID card, 3x30), TD3 (passport, 2x44) or old French ID card (2x36)
    MRZ. Values whose check digit matches get CHECKSUM confidence."""
    if len(lines) >= 3 and lines[0][:1] in "ACI":
        return _parse_td1([_fit(line, 30) for line in lines[:3]])
    if len(lines) >= 2 and lines[0].startswith("P"):
        return _parse_td3([_fit(line, 44) for line in lines[:2]])
    if len(lines) >= 2 and lines[0].startswith("IDFRA"):
        return _parse_old_french_id([_fit(line, 36) for line in lines[:2]])
    return []


def _mrz_field(name: str, value: str, ok: bool, raw: str) -> Field:
    return Field(name, value, CHECKSUM if ok else MRZ_UNCHECKED, raw, "mrz")


def _validity(number_confidence: float, others_ok: bool, lines: list[str]) -> Field:
    """mrz_valid: "true" when every check digit matches as read, "corrected" when they match
    after fixing OCR look-alikes in the document number, "false" otherwise."""
    if not others_ok or number_confidence == MRZ_UNCHECKED:
        value = "false"
    else:
        value = "true" if number_confidence == CHECKSUM else "corrected"
    return Field("mrz_valid", value, 1.0, "\n".join(lines), "mrz")


def _number_field(value: str, confidence: float, raw: str) -> Field:
    return Field("document_number", value.strip("<"), confidence, raw, "mrz")


def _common(fields, birth_raw, birth_ok, sex, expiry_raw, expiry_ok, nationality, names):
    birth = _mrz_date(birth_raw, future=False)
    if birth:
        fields.append(_mrz_field("birth_date", birth.isoformat(), birth_ok, birth_raw))
    if expiry_raw:
        expiry = _mrz_date(expiry_raw, future=True)
        if expiry:
            fields.append(_mrz_field("expiry_date", expiry.isoformat(), expiry_ok, expiry_raw))
    if sex in ("F", "M"):
        fields.append(Field("sex", sex, 0.9, sex, "mrz"))
    if nationality.strip("<"):
        fields.append(Field("nationality", nationality.strip("<"), 0.9, nationality, "mrz"))
    surname, given = _mrz_names(names)
    # names carry no check digit
    if surname:
        fields.append(Field("surname", surname, 0.8, names, "mrz"))
    if given:
        fields.append(Field("given_names", given, 0.8, names, "mrz"))


def _parse_td1(lines: list[str]) -> list[Field]:
    l1, l2, l3 = lines
    birth, birth_ok = _date_checked(l2[0:6], l2[6])
    expiry, expiry_ok = _date_checked(l2[8:14], l2[14])
    fixed2 = birth + l2[6:8] + expiry + l2[14:]

    def composite_ok(number: str) -> bool:
        composite = number + l1[14:30] + fixed2[0:7] + fixed2[8:15] + fixed2[18:29]
        return mrz_check_digit(composite) == _digits(l2[29])

    number, number_confidence = _choose_number(l1[5:14], l1[14])
    fields = [
        _validity(number_confidence, birth_ok and expiry_ok and composite_ok(number), lines),
        Field("issuing_country", l1[2:5].strip("<"), 0.9, l1[2:5], "mrz"),
        _number_field(number, number_confidence, l1[5:14]),
    ]
    _common(fields, birth, birth_ok, l2[7], expiry, expiry_ok, l2[15:18], l3)
    return fields


def _parse_td3(lines: list[str]) -> list[Field]:
    l1, l2 = lines
    birth, birth_ok = _date_checked(l2[13:19], l2[19])
    expiry, expiry_ok = _date_checked(l2[21:27], l2[27])
    rest = l2[9:13] + birth + l2[19:21] + expiry + l2[27:]  # from the number's check digit on

    def composite_ok(number: str) -> bool:
        fixed2 = number + rest
        composite = fixed2[0:10] + fixed2[13:20] + fixed2[21:43]
        return mrz_check_digit(composite) == _digits(l2[43])

    number, number_confidence = _choose_number(l2[0:9], l2[9])
    fields = [
        _validity(number_confidence, birth_ok and expiry_ok and composite_ok(number), lines),
        Field("issuing_country", l1[2:5].strip("<"), 0.9, l1[2:5], "mrz"),
        _number_field(number, number_confidence, l2[0:9]),
    ]
    _common(fields, birth, birth_ok, l2[20], expiry, expiry_ok, l2[10:13], l1[5:44])
    return fields


def _parse_old_french_id(lines: list[str]) -> list[Field]:
    """French ID cards issued 1988-2021: IDFRA + surname on line 1; line 2 holds the 12-digit
    number, given names, birth date and sex. No expiry date in this MRZ."""
    l1, l2 = lines
    number = _digits(l2[0:12])  # twelve digits: issue year and month, department, serial
    number_ok = mrz_check_digit(number) == _digits(l2[12])
    birth, birth_ok = _date_checked(l2[27:33], l2[33])
    fixed2 = number + l2[12:27] + birth + l2[33:]
    composite_ok = mrz_check_digit(l1 + fixed2[:35]) == _digits(l2[35])
    number_confidence = CHECKSUM if number_ok else MRZ_UNCHECKED
    surname = l1[5:30].replace("<", " ").strip()
    given = l2[13:27].strip("<").replace("<<", ", ").replace("<", " ").strip()
    fields = [
        _validity(number_confidence, birth_ok and composite_ok, lines),
        Field("issuing_country", "FRA", 0.9, l1[2:5], "mrz"),
        _mrz_field("document_number", number, number_ok, l2[0:12]),
    ]
    birth_date = _mrz_date(birth, future=False)
    if birth_date:
        fields.append(_mrz_field("birth_date", birth_date.isoformat(), birth_ok, birth))
    if l2[34] in ("F", "M"):
        fields.append(Field("sex", l2[34], 0.9, l2[34], "mrz"))
    if surname:
        fields.append(Field("surname", surname, 0.8, l1[5:30], "mrz"))
    if given:
        fields.append(Field("given_names", given, 0.8, l2[13:27], "mrz"))
    return fields


# --- all of it ----------------------------------------------------------------------------------


def extract_fields(text: str, *, quality: float = 1.0) -> list[Field]:
    """Every field found in `text`, best source first for each name; confidences are scaled
    by `quality` (1.0 for a PDF text layer, lower for a poor OCR) except checksummed ones,
    which a misread would have broken."""
    lines = [line for line in text.splitlines() if line.strip()]
    fields: list[Field] = []
    mrz = find_mrz(lines)
    if mrz:
        fields += parse_mrz(mrz)
        mrz_set = set(mrz)
        lines = [line for line in lines if normalise_mrz_line(line) not in mrz_set]
    fields += labelled_fields(lines)
    fields += period_fields(lines)
    ibans = iban_fields("\n".join(lines))
    fields += ibans
    fields += bic_fields(lines, ibans)
    fields += address_fields(lines)
    fields += civility_names(lines)
    fields += _unlabelled_dates(lines, fields)
    for field in fields:
        if field.confidence < CHECKSUM:
            field.confidence = round(field.confidence * quality, 3)
    # the best value of each name first, then others of the same name as alternatives
    order = {id(f): i for i, f in enumerate(fields)}
    fields.sort(key=lambda f: (f.name, -f.confidence, order[id(f)]))
    deduped: list[Field] = []
    seen: set[tuple[str, str]] = set()
    for field in fields:
        key = (field.name, squash(field.value))
        if key not in seen:
            seen.add(key)
            deduped.append(field)
    return deduped


PERIOD = re.compile(r"\bperiode\s+du\s+(.{6,20}?)\s+au\s+(.{6,20})")


def period_fields(lines: list[str]) -> list[Field]:
    """'Période du 01/03/2024 au 31/03/2024' on a payslip."""
    for line in lines:
        match = PERIOD.search(fold(line))
        if not match:
            continue
        start = find_dates(match[1])
        end = find_dates(match[2])
        if start and end:
            raw = line[match.start() : match.end()]
            return [
                Field("period_start", start[0][0].isoformat(), LABELLED, raw, "label"),
                Field("period_end", end[0][0].isoformat(), LABELLED, raw, "label"),
            ]
    return []


MAX_DATE_HINTS = 5


def _unlabelled_dates(lines: list[str], fields: list[Field]) -> list[Field]:
    """Dates not already read after a label: offered as plain "date" hints."""
    known = {f.value for f in fields}
    out: list[Field] = []
    for line in lines:
        if len(out) >= MAX_DATE_HINTS:
            break
        for value, start, end in find_dates(fold(line)):
            iso = value.isoformat()
            if iso not in known:
                known.add(iso)
                out.append(Field("date", iso, SHAPE, line[start:end], "shape"))
    return out
