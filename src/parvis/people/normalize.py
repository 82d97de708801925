"""Normalising what people type: names, emails, phone numbers, NIR.

Validation errors name the field, so that a form or an API client knows what to fix.
"""

import re
import unicodedata

import phonenumbers
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.fr import nir as stdnum_nir

_LIGATURES = str.maketrans({"œ": "oe", "Œ": "oe", "æ": "ae", "Æ": "ae", "ß": "ss"})
_NON_ALNUM = re.compile(r"[^a-z0-9]+")
MAX_TOKEN = 60


def normalize_text(text: str) -> str:
    """Lower-case ASCII words separated by single spaces: 'Élodie  LE-GALL' → 'elodie le gall'."""
    text = (text or "").translate(_LIGATURES)
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).lower()
    return _NON_ALNUM.sub(" ", text).strip()


def name_tokens(*names: str) -> set[str]:
    """The words a person can be found by. A compound name also yields its joined form, so
    'Le Gall' is found by 'legall' and 'Jean-Pierre' by 'jeanpierre'."""
    tokens: set[str] = set()
    for name in names:
        words = normalize_text(name).split()
        tokens.update(word[:MAX_TOKEN] for word in words)
        if len(words) > 1:
            tokens.add("".join(words)[:MAX_TOKEN])
    return tokens


def deletions(token: str) -> set[str]:
    """The token and every string made by deleting one of its letters. Short words get no
    deletions: one typo in a three-letter word makes another word."""
    if len(token) < 4:
        return {token}
    return {token} | {token[:i] + token[i + 1 :] for i in range(len(token))}


def within_one_edit(a: str, b: str) -> bool:
    """Optimal string alignment distance ≤ 1 (insertion, deletion, substitution or swap of
    two adjacent letters)."""
    if a == b:
        return True
    la, lb = len(a), len(b)
    if abs(la - lb) > 1:
        return False
    if la == lb:
        diff = [i for i in range(la) if a[i] != b[i]]
        if len(diff) == 1:
            return True
        return (
            len(diff) == 2
            and diff[1] == diff[0] + 1
            and a[diff[0]] == b[diff[1]]
            and a[diff[1]] == b[diff[0]]
        )
    if la > lb:
        a, b = b, a
    # b is one longer: find the one inserted letter.
    i = 0
    while i < len(a) and a[i] == b[i]:
        i += 1
    return a[i:] == b[i + 1 :]


def normalize_email(value: str, field: str = "email") -> str:
    value = (value or "").strip()
    try:
        validate_email(value)
    except ValidationError:
        raise ValidationError(
            {field: _("“%(value)s” is not a valid email address.") % {"value": value[:80]}}
        ) from None
    local, _at, domain = value.rpartition("@")
    return f"{local}@{domain.lower()}".lower()


def parse_phone(value: str):
    """A phonenumbers object for a French or international number, or None."""
    try:
        number = phonenumbers.parse(value, settings.PARVIS_DEFAULT_REGION)
    except phonenumbers.NumberParseException:
        return None
    return number if phonenumbers.is_valid_number(number) else None


def normalize_phone(value: str, field: str = "phone") -> str:
    """E.164, e.g. '06 12 34 56 78' → '+33612345678'."""
    number = parse_phone((value or "").strip())
    if number is None:
        raise ValidationError(
            {field: _("“%(value)s” is not a valid phone number.") % {"value": (value or "")[:40]}}
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def phone_kind(e164: str) -> str:
    """'mobile' or 'landline', from the numbering plan."""
    number = phonenumbers.parse(e164)
    kind = phonenumbers.number_type(number)
    mobile = {
        phonenumbers.PhoneNumberType.MOBILE,
        phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
    }
    return "mobile" if kind in mobile else "landline"


def format_phone(e164: str) -> str:
    """National format for French numbers ('06 12 34 56 78'), international otherwise."""
    try:
        number = phonenumbers.parse(e164)
    except phonenumbers.NumberParseException:
        return e164
    if number.country_code == 33:
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def normalize_nir(value: str, field: str = "nir") -> str:
    """The 15 characters of a valid NIR (13 digits and the 2-digit key)."""
    compact = stdnum_nir.compact(value or "")
    try:
        return stdnum_nir.validate(compact)
    except StdnumError:
        raise ValidationError(
            {field: _("This is not a valid social security number (NIR).")}
        ) from None
