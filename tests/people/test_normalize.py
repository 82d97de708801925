import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from parvis.people.normalize import (
    deletions,
    name_tokens,
    normalize_email,
    normalize_nir,
    normalize_phone,
    normalize_text,
    within_one_edit,
)


def test_normalize_text_folds_accents_case_ligatures_and_punctuation():
    assert normalize_text("  Élodie  LE-GALL ") == "elodie le gall"
    assert normalize_text("Cœur d'Œuvre") == "coeur d oeuvre"
    assert normalize_text("'; DROP TABLE people; --") == "drop table people"
    assert normalize_text("😀%_") == ""


def test_compound_names_are_found_joined_and_split():
    assert name_tokens("Jean-Pierre", "Le Gall") == {
        "jean",
        "pierre",
        "jeanpierre",
        "le",
        "gall",
        "legall",
    }


@pytest.mark.parametrize(
    "a,b,expected",
    [
        ("martin", "martin", True),
        ("martin", "martn", True),
        ("martin", "marrtin", True),
        ("martin", "mratin", True),
        ("martin", "marton", True),
        ("martin", "morton", False),
        ("martin", "mar", False),
    ],
)
def test_within_one_edit(a, b, expected):
    assert within_one_edit(a, b) is expected
    assert within_one_edit(b, a) is expected


@given(st.text(alphabet="abcdefghij", min_size=4, max_size=10), st.data())
def test_one_deletion_shares_a_variant(word, data):
    i = data.draw(st.integers(0, len(word) - 1))
    typo = word[:i] + word[i + 1 :]
    assert deletions(word) & deletions(typo)


@pytest.mark.parametrize(
    "raw",
    ["06 12 34 56 78", "0612345678", "+33 6 12 34 56 78", "06.12.34.56.78", "(0)6-12-34-56-78"],
)
def test_phone_numbers_in_any_format_normalise_to_e164(raw):
    assert normalize_phone(raw) == "+33612345678"


@pytest.mark.parametrize("bad", ["12", "06 12 34", "hello", "+33 1"])
def test_invalid_phone_names_the_field(bad):
    with pytest.raises(ValidationError) as exc:
        normalize_phone(bad, field="mobile")
    assert "mobile" in exc.value.message_dict


@pytest.mark.parametrize("bad", ["no-at-sign", "a@b", "a@@b.fr", "<script>@x.fr", ""])
def test_invalid_email_names_the_field(bad):
    with pytest.raises(ValidationError) as exc:
        normalize_email(bad)
    assert "email" in exc.value.message_dict


def test_email_is_lowercased():
    assert normalize_email(" Elodie.LeGall@Example.FR ") == "elodie.legall@example.fr"


def test_nir_is_validated_with_its_key():
    assert normalize_nir("2 84 03 54 084 123 73") == "284035408412373"
    with pytest.raises(ValidationError) as exc:
        normalize_nir("2 84 03 54 084 123 74")
    assert "nir" in exc.value.message_dict
