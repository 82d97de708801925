"""Reading the values found in other administrations' extracts: French dates and decimals,
yes/no flags. Each parser returns the typed value or raises `ValueError` with a message an
agent can act on."""

import re
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from parvis.people.normalize import normalize_text

FRENCH_MONTHS = {
    "janvier": 1,
    "janv": 1,
    "fevrier": 2,
    "fevr": 2,
    "fev": 2,
    "mars": 3,
    "avril": 4,
    "avr": 4,
    "mai": 5,
    "juin": 6,
    "juillet": 7,
    "juil": 7,
    "aout": 8,
    "septembre": 9,
    "sept": 9,
    "octobre": 10,
    "oct": 10,
    "novembre": 11,
    "nov": 11,
    "decembre": 12,
    "dec": 12,
}
_NUMERIC_DATE = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})$")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[T ].*)?$")
_COMPACT_DATE = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_WORD_DATE = re.compile(r"^(\d{1,2})(?:er)? ([a-z]+) (\d{4})$")
_SPACES = re.compile(r"[\s\u00a0\u202f']")  # thousands separators: space, nbsp, thin nbsp, '

TRUE_WORDS = {"1", "true", "vrai", "oui", "o", "yes", "y", "x"}
FALSE_WORDS = {"0", "false", "faux", "non", "n", "no"}


def parse_date(value) -> date:
    """'12/03/2024', '12-03-2024', '2024-03-12', '20240312', '12 mars 2024', '1er mai 2024'."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value).strip()
    try:
        if m := _ISO_DATE.match(text):
            return date(int(m[1]), int(m[2]), int(m[3]))
        if m := _NUMERIC_DATE.match(text):
            return date(int(m[3]), int(m[2]), int(m[1]))
        if m := _COMPACT_DATE.match(text):
            return date(int(m[1]), int(m[2]), int(m[3]))
        words = normalize_text(text).replace(" 1er ", " 1 ")
        if words.startswith("1er "):
            words = "1 " + words[4:]
        if (m := _WORD_DATE.match(words)) and m[2] in FRENCH_MONTHS:
            return date(int(m[3]), FRENCH_MONTHS[m[2]], int(m[1]))
    except ValueError:
        raise ValueError(f"« {text[:40]} » n'est pas une date qui existe") from None
    raise ValueError(
        f"« {text[:40]} » n'est pas une date reconnue (JJ/MM/AAAA, AAAA-MM-JJ ou « 12 mars 2024 »)"
    )


def parse_decimal(value) -> Decimal:
    """'1 234,56', '1234.56', '1.234,56', '-12', '1 234 €'."""
    if isinstance(value, Decimal):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return Decimal(str(value))
    text = _SPACES.sub("", str(value)).replace("€", "").strip()
    if "," in text:
        # The comma is the French decimal mark; dots before it separate thousands.
        text = text.replace(".", "").replace(",", ".")
    elif text.count(".") > 1:
        text = text.replace(".", "")
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise ValueError(f"« {str(value)[:40]} » n'est pas un nombre") from None
    if not number.is_finite():
        raise ValueError(f"« {str(value)[:40]} » n'est pas un nombre")
    return number


def parse_bool(value) -> bool:
    if isinstance(value, bool):
        return value
    lowered = str(value).strip().lower()
    if lowered in TRUE_WORDS:
        return True
    if lowered in FALSE_WORDS:
        return False
    raise ValueError(f"« {str(value)[:40]} » n'est ni oui ni non")


def parse_text(value) -> str:
    text = " ".join(str(value).split())
    if len(text) > 300:
        raise ValueError("texte de plus de 300 caractères")
    return text


PARSERS = {"date": parse_date, "number": parse_decimal, "boolean": parse_bool, "text": parse_text}


def parse_value(value_type: str, value):
    return PARSERS[value_type](value)


def is_blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())
