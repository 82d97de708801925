"""Attachment reading: text layer, OCR, kind of document, fields, and every bad input.

The documents are generated here (tests/assist/fixtures_documents.py): PDFs with a text layer,
clean pictures, "photos" (tilt, noise, blur, JPEG) and scans. OCR tests need tesseract with the
French model (Debian: tesseract-ocr-fra) and skip without it, except in CI.
"""

import io
import json
import struct
import zlib
from decimal import Decimal
from functools import cache

import pytest
from PIL import Image

from parvis.assist import doc_fields, documents
from parvis.assist.doc_fields import (
    extract_fields,
    find_dates,
    find_mrz,
    fold,
    parse_amount,
    parse_mrz,
)
from parvis.assist.documents import classify_attachment, classify_text, extract_text
from tests.assist import fixtures_documents as fx
from tests.conftest import require_or_skip

pytestmark = pytest.mark.usefixtures("english")

KINDS = list(fx.DOCUMENTS)


@pytest.fixture
def fonts():
    require_or_skip(fx.fonts_available(), "DejaVu fonts (fonts-dejavu-core) are not installed")


@pytest.fixture
def ocr(fonts):
    require_or_skip(
        documents.tesseract_available("fra"), "tesseract with French (tesseract-ocr-fra) missing"
    )


@cache
def _classified(name: str):
    """Each generated file is read once per test session: OCR takes seconds."""
    makers = {
        "landscape.jpg": fx.landscape_photo,
        "scan.pdf": lambda: fx.scanned_pdf("tax_notice"),
        "upside-down.png": lambda: fx.to_bytes(
            fx.render_image(fx.payslip_lines()).rotate(180, expand=True)
        ),
    }
    for kind in KINDS:
        makers[f"{kind}.pdf"] = lambda kind=kind: fx.document_pdf(kind)
        makers[f"{kind}.png"] = lambda kind=kind: fx.document_png(kind)
        makers[f"{kind}.jpg"] = lambda kind=kind: fx.document_photo_jpeg(kind)
    return classify_attachment(makers[name](), None, name)


def values(suggestion, name):
    return [f.value for f in suggestion.fields if f.name == name]


# --- the five kinds, from a text layer ------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
def test_pdf_text_layer_is_read_and_classified(fonts, kind):
    suggestion = _classified(f"{kind}.pdf")
    assert suggestion.extraction.method == "pdf-text"
    assert suggestion.extraction.error == ""
    assert suggestion.extraction.pages == 1
    assert suggestion.kind == kind
    assert suggestion.confidence >= 0.8
    assert suggestion.reasons and all(r.kind == kind for r in suggestion.reasons)
    assert max(suggestion.scores, key=suggestion.scores.get) == kind


def test_identity_card_fields_from_text_layer(fonts):
    s = _classified("identity_document.pdf")
    assert {r.signal for r in s.reasons} >= {
        "carte nationale d'identité",
        "République française",
        "MRZ IDFRA…",
        "MRZ check digits valid",
    }
    assert s.field("surname").value == "LE GALL"
    assert s.field("given_names").value == "ÉLODIE MARIE"
    assert s.field("birth_date").value == "1984-03-12"
    assert s.field("birth_date").confidence == 0.99  # MRZ with its check digit
    assert s.field("expiry_date").value == "2031-02-11"
    assert s.field("document_number").value == "X4RTBPFW4"
    assert s.field("sex").value == "F"
    assert s.field("mrz_valid").value == "true"


def test_tax_notice_fields(fonts):
    s = _classified("tax_notice.pdf")
    assert {"avis d'impôt", "revenu fiscal de référence"} <= {r.signal for r in s.reasons}
    assert s.field("reference_tax_income").value == "25432"
    assert s.field("tax_number").value == "3023217600053"
    assert s.field("tax_number").source == "checksum"
    assert s.field("household_parts").value == "1.5"
    assert s.field("collection_date").value == "2024-07-31"
    assert s.field("address").value == "3 RUE JOFFRE, 54111 MONT-BONVILLERS"
    assert s.field("full_name").value == "LE GALL ÉLODIE"


def test_payslip_fields(fonts):
    s = _classified("payslip.pdf")
    assert {"bulletin de paie", "net à payer"} <= {r.signal for r in s.reasons}
    assert s.field("net_pay").value == "1593.00"
    assert s.field("gross_pay").value == "2100.00"
    assert s.field("net_taxable").value == "1700.00"
    assert (s.field("period_start").value, s.field("period_end").value) == (
        "2024-03-01",
        "2024-03-31",
    )
    assert s.field("siret").value == "73282932000074"
    assert s.field("nir").value == "284035408412373"
    assert s.field("employee").value == "Élodie LE GALL"


def test_bank_details_fields(fonts):
    s = _classified("bank_details.pdf")
    assert {"relevé d'identité bancaire", "RIB", "IBAN with valid check digits"} <= {
        r.signal for r in s.reasons
    }
    assert s.field("iban").value == "FR76 3000 6000 0112 3456 7890 189"
    assert s.field("iban").confidence == 0.99
    assert s.field("bic").value == "AGRIFRPP"
    assert s.field("account_holder").value == "ELODIE LE GALL"


def test_invoice_is_a_proof_of_address(fonts):
    s = _classified("proof_of_address.pdf")
    assert {"facture", "postal address", "adresse de consommation"} <= {r.signal for r in s.reasons}
    assert s.field("address").value == "3 rue Joffre, 54111 Mont-Bonvillers"
    assert s.field("invoice_date").value == "2024-03-15"
    assert s.field("amount_due").value == "98.45"
    assert s.field("contract_holder").value == "Élodie Le Gall"
    # the masked IBAN of the direct debit is not an IBAN
    assert values(s, "iban") == []


def test_suggestion_serialises_to_json(fonts):
    s = _classified("bank_details.pdf")
    data = json.loads(json.dumps(s.to_dict()))
    assert data["kind"] == "bank_details"
    assert data["version"] == documents.VERSION
    assert data["extraction"]["method"] == "pdf-text"
    assert "text" not in data["extraction"]  # the document's text is not copied into the log
    assert {"name": "iban", "value": "FR76 3000 6000 0112 3456 7890 189"}.items() <= next(
        f for f in data["fields"] if f["name"] == "iban"
    ).items()
    assert data["reasons"][0]["weight"] >= data["reasons"][-1]["weight"]
    with_text = s.to_dict(include_text=True)
    assert "FR76" in with_text["extraction"]["text"]


# --- OCR: photos, pictures, scans -------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
def test_phone_photo_is_read_by_ocr_and_classified(ocr, kind):
    s = _classified(f"{kind}.jpg")
    assert s.extraction.method == "ocr"
    assert s.extraction.ocr_confidence > 70
    assert s.kind == kind
    assert s.confidence >= 0.7


def test_identity_card_photo_mrz_is_reread_and_checked(ocr):
    s = _classified("identity_document.jpg")
    # the French model alone reads "X4RTBPFW4" as "XARTBPEWA" in the MRZ font: the second
    # pass restricted to the MRZ alphabet gets it right, and its check digits match
    assert s.field("mrz_valid").value == "true"
    assert s.field("document_number").value == "X4RTBPFW4"
    assert s.field("birth_date").value == "1984-03-12"
    assert s.field("expiry_date").value == "2031-02-11"
    assert s.field("surname").value == "LE GALL"


def test_identity_card_png(ocr):
    s = _classified("identity_document.png")
    assert s.kind == "identity_document"
    assert s.field("mrz_valid").value == "true"


def test_bank_details_photo_iban_checked(ocr):
    s = _classified("bank_details.jpg")
    assert s.field("iban").value == "FR76 3000 6000 0112 3456 7890 189"
    assert s.field("bic").value == "AGRIFRPP"


def test_payslip_photo_amounts(ocr):
    s = _classified("payslip.jpg")
    assert s.field("net_pay").value == "1593.00"
    assert s.field("siret").value == "73282932000074"


def test_scanned_pdf_without_text_layer_is_ocred(ocr):
    s = _classified("scan.pdf")
    assert s.extraction.method == "ocr"
    assert s.extraction.pages_ocr == 1
    assert s.kind == "tax_notice"
    assert s.field("reference_tax_income").value == "25432"


def test_upside_down_scan_is_turned_upright(ocr):
    s = _classified("upside-down.png")
    assert s.kind == "payslip"
    assert s.extraction.ocr_confidence > 80
    assert s.field("net_pay").value == "1593.00"


def test_phone_photo_turned_by_its_exif_orientation(ocr):
    sideways = fx.render_image(fx.rib_lines()).rotate(90, expand=True)  # as the sensor saw it
    exif = Image.Exif()
    exif[0x0112] = 6  # Orientation: the viewer turns it 90° clockwise
    data = fx.to_bytes(sideways, "JPEG", exif=exif.tobytes(), quality=90)
    s = classify_attachment(data, "image/jpeg", "IMG_2024.jpg")
    assert s.kind == "bank_details"
    assert s.field("iban").value == "FR76 3000 6000 0112 3456 7890 189"


def test_picture_that_is_not_a_document_is_other_with_low_confidence(ocr):
    s = _classified("landscape.jpg")
    assert s.kind == "other"
    assert s.confidence <= 0.3
    assert s.fields == [] or all(f.confidence < 0.9 for f in s.fields)
    assert s.reasons and s.reasons[0].kind == "other"


def test_multi_page_tiff_fax(ocr):
    pages = [fx.render_image(fx.rib_lines()), fx.render_image(fx.payslip_lines())]
    buffer = io.BytesIO()
    pages[0].save(buffer, "TIFF", save_all=True, append_images=pages[1:])
    extracted = extract_text(buffer.getvalue(), "image/tiff")
    assert extracted.page_count == 2 and extracted.pages_ocr == 2
    assert "IBAN" in extracted.text and "BULLETIN DE PAIE" in extracted.text


def test_transparent_png_is_read_on_white(ocr):
    image = fx.render_image(fx.rib_lines()).convert("LA")
    alpha = image.getchannel("L").point(lambda v: 255 - v)  # black text, transparent paper
    image = Image.merge("LA", (Image.new("L", image.size, 0), alpha))
    extracted = extract_text(fx.to_bytes(image), "image/png")
    assert "IBAN" in extracted.text


# --- bad input ----------------------------------------------------------------------------------


def test_password_protected_pdf_gives_a_clear_error(fonts):
    data = fx.encrypted_pdf()
    extracted = extract_text(data, "application/pdf")
    assert extracted.error == "encrypted"
    assert "password" in extracted.error_message
    assert extracted.text == "" and extracted.method == "none"
    s = classify_attachment(data, "application/pdf", "avis.pdf")
    assert s.kind == "other" and s.confidence <= 0.3
    assert [r.signal for r in s.reasons] == ["file not read: encrypted"]
    json.dumps(s.to_dict())


def test_pdf_with_only_an_owner_password_opens(fonts):
    s = classify_attachment(fx.owner_only_pdf(), "application/pdf")
    assert s.extraction.error == ""
    assert s.kind == "bank_details"


def test_corrupt_pdf_gives_a_clear_error(fonts):
    extracted = extract_text(fx.corrupt_pdf(), "application/pdf")
    assert extracted.error == "corrupt"
    assert extracted.detail
    assert classify_attachment(fx.corrupt_pdf(), "application/pdf").kind == "other"


def test_truncated_pdf_never_raises(fonts):
    data = fx.document_pdf("payslip")
    for cut in (10, 100, len(data) // 3, len(data) - 50):
        extracted = extract_text(data[:cut], "application/pdf")
        assert extracted.error in ("corrupt", "no_text", "") or extracted.text


def test_empty_file():
    extracted = extract_text(b"", "application/pdf")
    assert extracted.error == "empty"
    assert classify_attachment(b"", None).kind == "other"


def test_unsupported_type():
    data = b"PK\x03\x04" + b"\x00" * 100  # a zip (or .docx)
    extracted = extract_text(data, "application/zip")
    assert extracted.error == "unsupported_type"
    assert extracted.method == "none"


def test_declared_type_is_not_trusted_over_the_bytes(fonts):
    extracted = extract_text(fx.document_pdf("payslip"), "image/jpeg")
    assert extracted.content_type == "application/pdf"
    assert extracted.method == "pdf-text"


def test_plain_text_attachment():
    data = "RELEVÉ D'IDENTITÉ BANCAIRE\nIBAN : FR76 3000 6000 0112 3456 7890 189".encode()
    s = classify_attachment(data, "text/plain", "rib.txt")
    assert s.extraction.method == "text"
    assert s.kind == "bank_details"


def _png_header(width: int, height: int) -> bytes:
    """A PNG that announces a huge picture: nothing but its header is ever decoded."""

    def chunk(kind, payload):
        body = kind + payload
        return struct.pack(">I", len(payload)) + body + struct.pack(">I", zlib.crc32(body))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 16)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def test_picture_too_large_is_refused_before_decoding(ocr):
    extracted = extract_text(_png_header(20_000, 20_000), "image/png")
    assert extracted.error == "too_large"


def test_damaged_picture(ocr):
    data = fx.document_png("payslip")
    extracted = extract_text(data[: len(data) // 3], "image/png")
    assert extracted.error in ("corrupt", "no_text")
    garbage = b"\x89PNG\r\n\x1a\n" + b"\x13" * 500
    assert extract_text(garbage, "image/png").error in ("corrupt", "unsupported_type")


def test_file_too_large(monkeypatch):
    monkeypatch.setattr(documents, "MAX_BYTES", 1000)
    assert extract_text(b"%PDF-1.4" + b" " * 2000, "application/pdf").error == "too_large"


def test_page_limit_on_a_long_pdf(fonts):
    extracted = extract_text(fx.multipage_pdf(12), "application/pdf", max_pages=5)
    assert extracted.page_count == 12
    assert extracted.pages == 5
    assert extracted.truncated
    assert extracted.text.count("BULLETIN DE PAIE") == 5


def test_ocr_page_limit_on_a_long_scan(ocr):
    pages = [fx.render_image(fx.payslip_lines()) for _ in range(3)]
    buffer = io.BytesIO()
    pages[0].save(buffer, "PDF", save_all=True, append_images=pages[1:], resolution=150)
    extracted = extract_text(buffer.getvalue(), "application/pdf", max_ocr_pages=1)
    assert extracted.pages_ocr == 1
    assert extracted.truncated
    assert extracted.text.count("BULLETIN DE PAIE") == 1


def test_pdf_page_of_absurd_size_is_rendered_within_bounds(ocr):
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=14_400, height=14_400)  # 5 m square, the PDF maximum
    buffer = io.BytesIO()
    writer.write(buffer)
    extracted = extract_text(buffer.getvalue(), "application/pdf")
    assert extracted.error == "no_text"
    assert extracted.pages_ocr == 1


def test_timeout_keeps_what_was_read_and_says_so(ocr):
    extracted = extract_text(fx.document_png("payslip"), "image/png", timeout=0)
    assert extracted.error == "timeout"
    assert extracted.truncated
    s = classify_attachment(fx.document_png("payslip"), "image/png", timeout=0)
    assert s.kind == "other"


def test_without_tesseract_pictures_get_a_clear_error(monkeypatch, fonts):
    monkeypatch.setattr(documents.shutil, "which", lambda name: None)
    assert extract_text(fx.document_png("payslip"), "image/png").error == "ocr_unavailable"
    # a scanned PDF too; a PDF with a text layer does not need OCR
    assert extract_text(fx.scanned_pdf("payslip"), "application/pdf").error == "ocr_unavailable"
    assert extract_text(fx.document_pdf("payslip"), "application/pdf").error == ""


def test_tesseract_crash_is_an_error_not_an_exception(monkeypatch, ocr):
    def broken(png, args, deadline, *, quiet=False):
        return "Segmentation fault", "ocr_failed"

    monkeypatch.setattr(documents, "_tesseract", broken)
    extracted = extract_text(fx.document_png("payslip"), "image/png")
    assert extracted.error == "ocr_failed"


def test_file_name_alone_does_not_decide():
    text = "Bonjour, veuillez trouver ci-joint le document demandé. Cordialement, Élodie Le Gall."
    kind, confidence, reasons, scores = classify_text(text, filename="rib.pdf")
    assert kind == "other" and confidence <= 0.3
    assert scores["bank_details"] == 1.0


def test_ordinary_letter_is_other():
    text = (
        "Madame, Monsieur,\nJe vous écris au sujet de la fête du quartier prévue samedi prochain "
        "sur la place de la mairie. Pourriez-vous nous prêter des tables et des chaises ?\n"
        "Avec mes remerciements, Élodie Le Gall"
    )
    kind, confidence, reasons, _ = classify_text(text)
    assert kind == "other"
    assert confidence <= 0.3
    assert "too little evidence" in reasons[0].signal


def test_poor_ocr_lowers_the_confidence():
    text = "\n".join(line.text for line in fx.payslip_lines())
    _, good, _, _ = classify_text(text, ocr_confidence=90)
    _, poor, _, _ = classify_text(text, ocr_confidence=30)
    _, layer, _, _ = classify_text(text)
    assert layer == good > poor


def test_approximate_match_in_ocr_text():
    text = "AVIS D'IMP0T 2024\nRevenu fiscal de référ3nce : 25 432 €\nNombre de parts : 1"
    kind, _, reasons, _ = classify_text(text, ocr_confidence=75)
    assert kind == "tax_notice"
    assert any(r.signal == "revenu fiscal de référence" and r.approximate for r in reasons)
    # a text layer is exact: no approximate matching there
    _, _, exact_reasons, _ = classify_text(text)
    assert not any(r.approximate for r in exact_reasons)


# --- field parsers -----------------------------------------------------------------------------


def test_fold_keeps_positions():
    text = "RÉPUBLIQUE FRANÇAISE – Prénom(s) : Élodie’s Œuvre"
    assert len(fold(text)) == len(text)
    assert fold(text).startswith("republique francaise")


@pytest.mark.parametrize(
    "text, expected",
    [
        ("le 12/03/2024", "2024-03-12"),
        ("le 12.03.2024", "2024-03-12"),
        ("le 12-03-24", "2024-03-12"),
        ("le 12 mars 2024", "2024-03-12"),
        ("le 1er août 2024", "2024-08-01"),
        ("le 3 sept. 2023", "2023-09-03"),
        ("le 2024-03-12", "2024-03-12"),
        ("le 5 Décembre 1999", "1999-12-05"),
    ],
)
def test_french_dates(text, expected):
    found = find_dates(fold(text))
    assert [d.isoformat() for d, _, _ in found] == [expected]


def test_impossible_dates_and_numbers_are_not_dates():
    assert find_dates(fold("le 31/02/2024, réf 12/34/5678, tél 01 23 45 67 89")) == []


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("1 593,00 €", "1593.00"),
        ("25 432 €", "25432"),
        ("25\u202f432", "25432"),
        ("1.845,32", "1845.32"),
        ("98.45", "98.45"),
        ("-462,00", "-462.00"),
        ("1 234 euros", "1234"),
    ],
)
def test_french_amounts(raw, expected):
    assert parse_amount(raw) == Decimal(expected)


def test_iban_checked_with_stdnum():
    good = "IBAN FR76 3000 6000 0112 3456 7890 189"
    bad = "IBAN FR76 3000 6000 0112 3456 7890 188"
    assert [f.value for f in extract_fields(good) if f.name == "iban"] == [
        "FR76 3000 6000 0112 3456 7890 189"
    ]
    assert [f for f in extract_fields(bad) if f.name == "iban"] == []
    compact = extract_fields("iban: FR7630006000011234567890189 BIC AGRIFRPP")
    assert any(f.name == "iban" for f in compact)
    assert any(f.name == "bic" and f.value == "AGRIFRPP" for f in compact)


def test_iban_misread_by_ocr_is_repaired_when_the_checksum_agrees():
    fields = extract_fields("IBAN : FR76 3OO0 6000 O112 3456 7890 189")
    iban = next(f for f in fields if f.name == "iban")
    assert iban.value == "FR76 3000 6000 0112 3456 7890 189"
    assert iban.confidence < 0.99


def test_quality_lowers_labelled_values_but_not_checksummed_ones():
    text = "Nom : DUPONT\nIBAN : FR76 3000 6000 0112 3456 7890 189"
    fields = {f.name: f for f in extract_fields(text, quality=0.7)}
    assert fields["surname"].confidence == pytest.approx(0.85 * 0.7)
    assert fields["iban"].confidence == 0.99


# ICAO 9303 specimens (part 5 and 4) and the old French card of the mrz-java test suite.
TD1 = [
    "I<UTOD231458907<<<<<<<<<<<<<<<",
    "7408122F1204159UTO<<<<<<<<<<<6",
    "ERIKSSON<<ANNA<MARIA<<<<<<<<<<",
]
TD3 = [
    "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<",
    "L898902C36UTO7408122F1204159ZE184226B<<<<<10",
]
OLD_CNI = ["IDFRAPETE<<<<<<<<<<<<<<<<<<<<<952042", "0509952018746NICOLAS<<PAUL<8206152M3"]


def _mrz(lines):
    return {f.name: f for f in parse_mrz(lines)}


def test_mrz_td1_passport_and_old_french_card():
    td1 = _mrz(TD1)
    assert td1["mrz_valid"].value == "true"
    assert td1["document_number"].value == "D23145890"
    assert td1["birth_date"].value == "1974-08-12"
    assert td1["expiry_date"].value == "2012-04-15"
    assert (td1["surname"].value, td1["given_names"].value) == ("ERIKSSON", "ANNA MARIA")
    td3 = _mrz(TD3)
    assert td3["mrz_valid"].value == "true"
    assert td3["document_number"].value == "L898902C3"
    assert td3["nationality"].value == "UTO"
    old = _mrz(OLD_CNI)
    assert old["mrz_valid"].value == "true"
    assert old["document_number"].value == "050995201874"
    assert old["birth_date"].value == "1982-06-15"
    assert (old["surname"].value, old["given_names"].value) == ("PETE", "NICOLAS, PAUL")
    assert "expiry_date" not in old


def test_mrz_ocr_lookalikes_are_repaired_by_the_check_digits():
    lines = fx.id_card_mrz()
    misread = [lines[0].replace("X4RT", "XART"), lines[1].replace("840312", "84O312"), lines[2]]
    fields = _mrz(misread)
    assert fields["document_number"].value == "X4RTBPFW4"
    assert fields["document_number"].confidence == doc_fields.CORRECTED
    assert fields["birth_date"].value == "1984-03-12"
    assert fields["mrz_valid"].value == "corrected"


def test_mrz_with_a_wrong_check_digit_is_not_valid():
    wrong = [TD1[0], TD1[1][:6] + "3" + TD1[1][7:], TD1[2]]
    fields = _mrz(wrong)
    assert fields["mrz_valid"].value == "false"
    assert fields["birth_date"].confidence == doc_fields.MRZ_UNCHECKED


def test_mrz_found_among_other_lines_with_ocr_quirks():
    text = ["CARTE NATIONALE", "I<UTOD231458907«<<<<<<<<<<<<<", "7408122F1204159UTO<<<<<<<<<<<6 ",
            "ERIKSSON<<ANNA<MARIA<<<<<<<<<", "fin"]  # fmt: skip
    found = find_mrz(text)
    assert len(found) == 3
    assert _mrz(found)["mrz_valid"].value == "true"


def test_bilingual_card_labels_and_spaced_dates():
    text = (
        "NOM / Surname : MARTIN\nNom d'usage : DURAND\nPrénom(s) : Maëlys Gaëlle\n"
        "SEXE / Sex : F    NATIONALITÉ / Nationality : FRA\n"
        "DATE DE NAISS. / Date of birth : 13 07 1990\nValable jusqu'au : 11/02/2030"
    )
    fields = {f.name: f.value for f in extract_fields(text)}
    assert fields["surname"] == "MARTIN"
    assert fields["usual_name"] == "DURAND"
    assert fields["given_names"] == "Maëlys Gaëlle"
    assert fields["sex"] == "F"
    assert fields["nationality"] == "FRA"
    assert fields["birth_date"] == "1990-07-13"
    assert fields["expiry_date"] == "2030-02-11"


def test_address_on_one_line_or_two():
    one = {
        f.value for f in extract_fields("12 bis avenue Foch, 54000 Nancy") if f.name == "address"
    }
    assert one == {"12 bis avenue Foch, 54000 Nancy"}
    two = [f.value for f in extract_fields("Mme X\n3 rue Joffre\n54111 MONT-BONVILLERS")]
    assert "3 rue Joffre, 54111 MONT-BONVILLERS" in two
