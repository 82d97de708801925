"""Values and readers: French dates and decimals, encodings, delimiters, bad lines."""

import io
import json
from datetime import date
from decimal import Decimal

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from parvis.integrations import readers
from parvis.integrations.values import parse_bool, parse_date, parse_decimal


@pytest.mark.parametrize(
    "text, expected",
    [
        ("12/03/2024", date(2024, 3, 12)),
        ("2024-03-12", date(2024, 3, 12)),
        ("12 mars 2024", date(2024, 3, 12)),
        ("1er février 2024", date(2024, 2, 1)),
        ("12-03-2024", date(2024, 3, 12)),
        ("20240312", date(2024, 3, 12)),
        ("3 AOÛT 1999", date(1999, 8, 3)),
    ],
)
def test_dates_in_french_formats(text, expected):
    assert parse_date(text) == expected


@pytest.mark.parametrize("text", ["31/02/2024", "12 brumaire 2024", "2024/13/01", "hier"])
def test_bad_dates_are_refused_with_the_value(text):
    with pytest.raises(ValueError, match=text[:5]):
        parse_date(text)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("1 234,56", "1234.56"),
        ("1234.56", "1234.56"),
        ("1.234,56", "1234.56"),
        ("-12", "-12"),
        ("1\u202f234 €", "1234"),
        ("612,5", "612.5"),
    ],
)
def test_french_decimals(text, expected):
    assert parse_decimal(text) == Decimal(expected)


def test_bad_decimal_and_bool():
    with pytest.raises(ValueError):
        parse_decimal("douze")
    with pytest.raises(ValueError):
        parse_decimal("NaN")
    assert parse_bool("Oui") is True and parse_bool("non") is False
    with pytest.raises(ValueError):
        parse_bool("peut-être")


def _rows(content: bytes, name="x.csv", **kwargs):
    handle = io.BytesIO(content)
    scanned = readers.scan(handle, name, **kwargs)
    return scanned, list(readers.read_rows(handle, scanned))


@pytest.mark.parametrize("delimiter", [";", ",", "\t", "|"])
def test_delimiter_is_sniffed(delimiter):
    text = delimiter.join(["NOM", "PRENOM"]) + "\n" + delimiter.join(["Émile", "Zoé"]) + "\n"
    scanned, rows = _rows(text.encode())
    assert rows[0].values == {"NOM": "Émile", "PRENOM": "Zoé"}


def test_utf8_with_bom_and_latin1_are_recognised():
    text = "NOM;PRENOM\nLefèvre;Héloïse\n"
    scanned, rows = _rows(b"\xef\xbb\xbf" + text.encode())
    assert scanned.encoding == "utf-8-sig" and rows[0].values["NOM"] == "Lefèvre"
    scanned, rows = _rows(text.encode("cp1252"))
    assert scanned.encoding == "cp1252" and rows[0].values["PRENOM"] == "Héloïse"
    scanned, rows = _rows("NOM\nœuvre\x81\n".encode("latin-1", errors="replace") + b"\x81\n")
    assert scanned.encoding in ("cp1252", "latin-1")


def test_wrong_encoding_declared_in_the_profile_is_a_clear_error():
    content = "NOM;PRENOM\nDupont;Jean\nLefèvre;Héloïse\n".encode("cp1252")
    with pytest.raises(readers.ExtractError, match="pas en UTF-8.*ligne 3"):
        readers.scan(io.BytesIO(content), "x.csv", encoding="utf-8")


def test_utf16_or_binary_is_refused():
    with pytest.raises(readers.ExtractError, match="octets nuls"):
        readers.scan(io.BytesIO("NOM;PRENOM\n".encode("utf-16")), "x.csv")
    with pytest.raises(readers.ExtractError, match="vide"):
        readers.scan(io.BytesIO(b""), "x.csv")


def test_shifted_column_is_reported_with_its_line():
    content = b"A;B;C\n1;2;3\n1;2;extra;3\n4;5;6\n"
    _scanned, rows = _rows(content)
    assert [r.line for r in rows] == [2, 3, 4]
    assert "4 champs au lieu de 3" in rows[1].error and not rows[2].error


def test_jsonl_and_parquet():
    content = b'{"NOM": "Dupont"}\nnot json\n[1]\n{"NOM": "Durand"}\n'
    scanned, rows = _rows(content, "x.jsonl")
    assert scanned.file_format == "jsonl"
    assert [r.values.get("NOM") for r in rows] == ["Dupont", None, None, "Durand"]
    assert "JSON invalide" in rows[1].error and "objet" in rows[2].error
    buffer = io.BytesIO()
    pq.write_table(pa.table({"NOM": ["A", "B"], "NE": [date(1990, 1, 2), None]}), buffer)
    scanned, rows = _rows(buffer.getvalue(), "x.bin")
    assert scanned.file_format == "parquet"
    assert rows[0].values == {"NOM": "A", "NE": date(1990, 1, 2)}
    json.dumps([r.line for r in rows])
