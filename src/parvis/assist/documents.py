"""Reading citizens' attachments: text from PDFs and OCR, the kind of document, its fields.

    extracted = extract_text(data, "application/pdf")          # -> ExtractedText
    suggestion = classify_attachment(data, content_type, filename="rib.pdf")
    suggestion.kind, suggestion.confidence, suggestion.reasons, suggestion.fields
    suggestion.to_dict()                                        # JSON-ready, for the AI log

Everything returned is a suggestion for an agent to confirm; nothing here writes to the
database or decides anything.

Text
----
A PDF's text layer is read with pypdf (pure Python: a hostile file raises an exception, it
cannot crash the process). Pages without a text layer (scans) are rendered with pypdfium2 at
200 dpi and read by tesseract with the French model; so are pictures (PNG, JPEG, TIFF, WebP...).
tesseract runs as a separate process, fed on stdin: a timeout kills it, a crash in it cannot
take the worker down, and it runs with OMP_THREAD_LIMIT=1 because its OpenMP threads
spin-wait: on a busy 2-core machine a page took 4.2 s with the default threads against 0.7 s
with one (measured), and parallelism belongs to the worker pool anyway. pytesseract is not used
because it cannot set the environment of the process it starts.

The work is bounded: at most `max_pages` pages read from a PDF, `max_ocr_pages` of them by OCR,
`timeout` seconds in all (a late page is skipped and the result says so), `max_bytes` and
`max_pixels` for the input. A password-protected, corrupt or unsupported file gives an
ExtractedText with `error` set (a stable code, see ERRORS) and never an exception.

Kind of document
----------------
A transparent weighted-keyword score, not a learned model: there is no labelled set of real
citizens' documents to learn from (they are personal data that cannot be shipped), while each
kind carries wording the law or the issuer makes it print ("revenu fiscal de référence" on a
tax notice, "net à payer" on a payslip, the MRZ on an identity card, an IBAN with its check
digits on bank details). Every signal is a line of SIGNALS with its weight, the reasons shown
to the agent are the signals that matched, and the agent's confirmations, stored by the caller,
can later train a model to be measured against these rules.

score(kind) = sum of the weights of its signals found (each counted once). The best kind wins
if its score reaches MIN_SCORE, with

    confidence = (1 - exp(-score / 6)) * score / (score + runner-up score) * text quality

so that more evidence raises it, a close second kind lowers it, and a poor OCR (low tesseract
word confidence) lowers it. Otherwise the kind is "other" with a low confidence (0.3 when text
was read, 0.1 when none was): "other" means "not recognised", for the agent to look at.
"""

import io
import logging
import math
import os
import re
import shutil
import subprocess
import time
from dataclasses import asdict, dataclass, field

import filetype
from django.utils.translation import gettext_lazy as _

from .doc_fields import Field, extract_fields, find_mrz, fold, parse_mrz, squash

logger = logging.getLogger(__name__)

VERSION = "documents-rules-1"  # stored with each suggestion; bump when SIGNALS change
KINDS = ["identity_document", "proof_of_address", "tax_notice", "payslip", "bank_details", "other"]

MAX_BYTES = 25 * 1024 * 1024
MAX_PAGES = 20
MAX_OCR_PAGES = 4
TIMEOUT = 60.0  # seconds for one document, all pages
MAX_PIXELS = 120_000_000  # refused above; a 12 Mpx phone photo is 10 times less
OCR_LONG_SIDE = 3500  # larger pictures are scaled down: slower OCR, no better text
OCR_SHORT_SIDE = 1000  # smaller ones are scaled up: tesseract wants tall enough letters
RENDER_DPI = 200
MAX_RENDER_PIXELS = 25_000_000  # an A4 page at 200 dpi is 3.9 Mpx
TEXT_LAYER_MIN_CHARS = 25  # a page with less text than this is treated as a scan
LANG = "fra"

ERRORS = {
    "empty": _("The file is empty."),
    "too_large": _("The file is too large to be read."),
    "unsupported_type": _("This type of file cannot be read (PDF and pictures can)."),
    "encrypted": _("The PDF is protected by a password: ask the sender for an unprotected copy."),
    "corrupt": _("The file is damaged and cannot be read."),
    "ocr_unavailable": _("Text recognition (tesseract with French) is not installed."),
    "ocr_failed": _("Text recognition failed on this file."),
    "timeout": _("Reading the file took too long; only part of it was read."),
    "no_text": _("No text was found in the file."),
}


@dataclass
class ExtractedText:
    text: str = ""
    method: str = "none"  # "pdf-text", "ocr" (at least one page read by OCR), "text", "none"
    pages: int = 0  # pages read
    error: str = ""  # a key of ERRORS, "" when all went well
    detail: str = ""  # technical detail for the logs (English)
    page_count: int = 0  # pages in the document
    pages_ocr: int = 0
    ocr_confidence: float | None = None  # tesseract's mean word confidence, 0-100
    truncated: bool = False  # pages left unread (limits or timeout)
    content_type: str = ""  # as read from the bytes
    seconds: float = 0.0

    @property
    def error_message(self) -> str:
        return str(ERRORS[self.error]) if self.error else ""

    def to_dict(self, *, include_text: bool = True) -> dict:
        data = asdict(self)
        if not include_text:
            data.pop("text")
            data["chars"] = len(self.text)
        return data


@dataclass
class Reason:
    """A signal that weighed in the score of a kind."""

    kind: str
    signal: str
    weight: float
    approximate: bool = False  # matched loosely in an imperfect OCR text


@dataclass
class DocumentSuggestion:
    kind: str
    confidence: float
    reasons: list[Reason]
    scores: dict[str, float]
    fields: list[Field]
    extraction: ExtractedText
    version: str = VERSION

    def field(self, name: str) -> Field | None:
        """The most confident value for a field name."""
        return next((f for f in self.fields if f.name == name), None)

    def to_dict(self, *, include_text: bool = False) -> dict:
        return {
            "kind": self.kind,
            "confidence": self.confidence,
            "reasons": [asdict(r) for r in self.reasons],
            "scores": self.scores,
            "fields": [f.to_dict() for f in self.fields],
            "extraction": self.extraction.to_dict(include_text=include_text),
            "version": self.version,
        }


# --- text extraction --------------------------------------------------------------------------


def sniff(data: bytes, content_type: str | None) -> str:
    """The type from the bytes; the declared type only when the bytes say nothing."""
    if b"%PDF-" in data[:1024]:
        return "application/pdf"
    kind = filetype.guess(data[:8192])
    if kind is not None:
        return kind.mime
    declared = (content_type or "").split(";")[0].strip().lower()
    if declared == "text/plain" or (not declared and _looks_like_text(data[:4096])):
        return "text/plain"
    return declared or "application/octet-stream"


def _looks_like_text(head: bytes) -> bool:
    try:
        head.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return bool(head.strip()) and b"\x00" not in head


def extract_text(
    data: bytes,
    content_type: str | None,
    *,
    max_pages: int = MAX_PAGES,
    max_ocr_pages: int = MAX_OCR_PAGES,
    timeout: float = TIMEOUT,
    lang: str = LANG,
) -> ExtractedText:
    """The text of a PDF, picture or plain-text attachment. Never raises on bad input."""
    started = time.monotonic()
    deadline = started + timeout
    if not data:
        result = ExtractedText(error="empty")
    elif len(data) > MAX_BYTES:
        result = ExtractedText(error="too_large", detail=f"{len(data)} bytes")
    else:
        kind = sniff(data, content_type)
        if kind == "application/pdf":
            result = _from_pdf(data, max_pages, max_ocr_pages, deadline, lang)
        elif kind.startswith("image/"):
            result = _from_image(data, max_ocr_pages, deadline, lang)
        elif kind == "text/plain":
            result = ExtractedText(text=data.decode("utf-8", "replace"), method="text", pages=1)
        else:
            result = ExtractedText(error="unsupported_type", detail=kind)
        result.content_type = kind
    if not result.error and not result.text.strip():
        result.error = "no_text"
    result.seconds = round(time.monotonic() - started, 3)
    return result


def _from_pdf(data, max_pages, max_ocr_pages, deadline, lang) -> ExtractedText:
    from pypdf import PasswordType, PdfReader
    from pypdf.errors import DependencyError, FileNotDecryptedError

    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            # an empty user password (owner password only) opens for anyone
            if reader.decrypt("") == PasswordType.NOT_DECRYPTED:
                return ExtractedText(error="encrypted", detail="user password required")
        page_count = len(reader.pages)
    except (FileNotDecryptedError, DependencyError) as exc:
        return ExtractedText(error="encrypted", detail=str(exc)[:200])
    except Exception as exc:  # noqa: BLE001 - a hostile PDF may raise anything
        return ExtractedText(error="corrupt", detail=f"{type(exc).__name__}: {exc}"[:200])
    if page_count == 0:
        return ExtractedText(error="corrupt", detail="no pages")

    result = ExtractedText(method="pdf-text", page_count=page_count)
    texts: list[str] = []
    scans: list[int] = []
    for number in range(min(page_count, max_pages)):
        if time.monotonic() > deadline:
            result.error, result.truncated = "timeout", True
            break
        try:
            text = reader.pages[number].extract_text() or ""
        except Exception as exc:  # noqa: BLE001
            logger.warning("pdf page %s unreadable: %s", number, exc)
            text = ""
        if len(re.sub(r"\s", "", text)) < TEXT_LAYER_MIN_CHARS:
            scans.append(number)
        texts.append(text)
        result.pages += 1
    if page_count > max_pages:
        result.truncated = True

    if scans:
        if not tesseract_available(lang):
            result.error = result.error or "ocr_unavailable"
        else:
            _ocr_pdf_pages(data, scans[:max_ocr_pages], texts, result, deadline, lang)
            if len(scans) > max_ocr_pages:
                result.truncated = True
    result.text = "\n\f\n".join(t.strip() for t in texts if t.strip())
    if not result.text and not result.error and result.pages_ocr == 0 and scans:
        result.error = "no_text"
    return result


def _ocr_pdf_pages(data, numbers, texts, result, deadline, lang) -> None:
    import pypdfium2 as pdfium

    try:
        document = pdfium.PdfDocument(data, password="")
    except Exception as exc:  # noqa: BLE001
        result.error, result.detail = "corrupt", f"pdfium: {exc}"[:200]
        return
    confidences = []
    try:
        for number in numbers:
            if time.monotonic() > deadline:
                result.error, result.truncated = "timeout", True
                break
            try:
                page = document[number]
                width, height = page.get_size()  # in points, 1/72 inch
                # a page can declare any size: cap the bitmap, not only the resolution
                scale = min(RENDER_DPI / 72, math.sqrt(MAX_RENDER_PIXELS / max(1, width * height)))
                image = page.render(scale=scale, grayscale=True).to_pil()
                page.close()
            except Exception as exc:  # noqa: BLE001
                logger.warning("pdf page %s could not be rendered: %s", number, exc)
                continue
            page_text = _ocr_image(image, deadline, lang, dpi=round(scale * 72))
            if page_text.error:
                result.error, result.detail = page_text.error, page_text.detail
                if page_text.error == "timeout":
                    result.truncated = True
                    break
                continue
            texts[number] = page_text.text
            result.pages_ocr += 1
            if page_text.ocr_confidence is not None:
                confidences.append(page_text.ocr_confidence)
    finally:
        document.close()
    if result.pages_ocr:
        result.method = "ocr"
        result.ocr_confidence = round(sum(confidences) / len(confidences), 1) if confidences else 0
    if not confidences and not result.error:
        result.ocr_confidence = None


def _from_image(data, max_ocr_pages, deadline, lang) -> ExtractedText:
    from PIL import Image, ImageOps, UnidentifiedImageError

    if not tesseract_available(lang):
        return ExtractedText(error="ocr_unavailable", method="none")
    try:
        image = Image.open(io.BytesIO(data))
        if image.width * image.height > MAX_PIXELS:
            return ExtractedText(error="too_large", detail=f"{image.width}x{image.height}")
        # a multi-page TIFF is a fax or a scanner's output: its pages are pages; the frames
        # of an animated GIF or WebP are not
        page_count = getattr(image, "n_frames", 1) if image.format == "TIFF" else 1
    except Image.DecompressionBombError as exc:
        return ExtractedText(error="too_large", detail=str(exc)[:200])
    except UnidentifiedImageError as exc:
        return ExtractedText(error="unsupported_type", detail=str(exc)[:200])
    except Exception as exc:  # noqa: BLE001
        return ExtractedText(error="corrupt", detail=f"{type(exc).__name__}: {exc}"[:200])

    result = ExtractedText(method="ocr", page_count=page_count)
    texts, confidences = [], []
    for index in range(min(page_count, max_ocr_pages)):
        try:
            if index:
                image.seek(index)
            if image.format == "JPEG":
                image.draft("L", (OCR_LONG_SIDE, OCR_LONG_SIDE))  # decode at a lower size
            picture = ImageOps.exif_transpose(image)
            picture.load()
            page = _ocr_image(picture, deadline, lang)
        except Exception as exc:  # noqa: BLE001 - truncated or damaged picture data
            result.error, result.detail = "corrupt", f"{type(exc).__name__}: {exc}"[:200]
            break
        if page.error:
            result.error, result.detail = page.error, page.detail
            result.truncated = result.truncated or page.error == "timeout"
            break
        texts.append(page.text)
        result.pages += 1
        result.pages_ocr += 1
        if page.ocr_confidence is not None:
            confidences.append(page.ocr_confidence)
    if page_count > max_ocr_pages:
        result.truncated = True
    result.text = "\n\f\n".join(t.strip() for t in texts if t.strip())
    if confidences:
        result.ocr_confidence = round(sum(confidences) / len(confidences), 1)
    return result


# --- tesseract ----------------------------------------------------------------------------------

_TESSERACT_LANGS: dict[str, set[str]] = {}


def tesseract_available(lang: str = LANG) -> bool:
    """tesseract is installed with this language's model."""
    binary = shutil.which("tesseract")
    if not binary:
        return False
    if binary not in _TESSERACT_LANGS:
        try:
            out = subprocess.run(
                [binary, "--list-langs"], capture_output=True, text=True, timeout=20
            )
            _TESSERACT_LANGS[binary] = set(out.stdout.split()[1:]) | set(out.stderr.split())
        except (OSError, subprocess.SubprocessError):
            _TESSERACT_LANGS[binary] = set()
    return all(part in _TESSERACT_LANGS[binary] for part in lang.split("+"))


def _tesseract(
    png: bytes, args: list[str], deadline: float, *, quiet: bool = False
) -> tuple[str, str]:
    """Run tesseract on a PNG given on stdin; (stdout, error code). `quiet`: a failure is
    expected (orientation detection on a picture without text) and not worth a warning."""
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        return "", "timeout"
    env = dict(os.environ, OMP_THREAD_LIMIT="1")
    try:
        done = subprocess.run(
            ["tesseract", "stdin", "stdout", *args],
            input=png,
            capture_output=True,
            timeout=remaining,
            env=env,
        )
    except subprocess.TimeoutExpired:
        return "", "timeout"
    except OSError as exc:
        logger.warning("tesseract could not start: %s", exc)
        return "", "ocr_unavailable"
    if done.returncode != 0:
        if not quiet:
            logger.warning("tesseract failed: %s", done.stderr[-300:])
        return done.stderr.decode("utf-8", "replace")[-200:], "ocr_failed"
    return done.stdout.decode("utf-8", "replace"), ""


def _png(image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "PNG", compress_level=1)
    return buffer.getvalue()


def _prepare(image):
    """Grey levels, at a size tesseract reads well."""
    from PIL import Image

    if image.mode not in ("L", "1"):
        if image.mode in ("RGBA", "LA", "P"):
            image = image.convert("RGBA")
            background = Image.new("RGBA", image.size, "white")
            image = Image.alpha_composite(background, image)
        image = image.convert("L")
    long_side, short_side = max(image.size), min(image.size)
    if long_side > OCR_LONG_SIDE:
        ratio = OCR_LONG_SIDE / long_side
        image = image.resize((round(image.width * ratio), round(image.height * ratio)))
    elif short_side < OCR_SHORT_SIDE and long_side * 2 <= OCR_LONG_SIDE:
        image = image.resize((image.width * 2, image.height * 2), Image.LANCZOS)
    return image


@dataclass
class _Words:
    text: str
    confidence: float | None
    words: int
    mrz_boxes: list[tuple[int, int, int, int]] = field(default_factory=list)


def _read_tsv(tsv: str) -> _Words:
    """Lines of words from tesseract's TSV, their mean confidence (weighted by length), and
    the boxes of lines that look like an MRZ (many '<')."""
    lines: dict[tuple[int, int, int, int], list[tuple[str, float, tuple]]] = {}
    total, weight, count = 0.0, 0, 0
    for row in tsv.splitlines()[1:]:
        cols = row.split("\t")
        if len(cols) < 12 or cols[0] != "5":
            continue
        word = cols[11].strip()
        conf = float(cols[10])
        if not word or conf < 0:
            continue
        key = tuple(int(c) for c in cols[1:5])
        box = tuple(int(c) for c in cols[6:10])
        lines.setdefault(key, []).append((word, conf, box))
        total += conf * len(word)
        weight += len(word)
        count += 1
    text_lines, mrz_boxes = [], []
    for words in lines.values():
        # a word read with very low confidence is noise (texture, photo), not text
        kept = [w for w, conf, _ in words if conf >= 15 or len(w) > 3]
        line = " ".join(kept)
        if line:
            text_lines.append(line)
        if line.count("<") >= 5:
            xs = [b[0] for _, _, b in words]
            ys = [b[1] for _, _, b in words]
            x2 = [b[0] + b[2] for _, _, b in words]
            y2 = [b[1] + b[3] for _, _, b in words]
            mrz_boxes.append((min(xs), min(ys), max(x2), max(y2)))
    confidence = round(total / weight, 1) if weight else None
    return _Words("\n".join(text_lines), confidence, count, mrz_boxes)


def _ocr_image(image, deadline: float, lang: str, dpi: int | None = None) -> ExtractedText:
    """OCR of one picture: a first pass; if it reads poorly, an orientation check (a scan
    upside down or sideways) and a second pass; then a pass on the MRZ if there is one."""
    image = _prepare(image)
    dpi_args = ["--dpi", str(dpi)] if dpi else []
    out, error = _tesseract(_png(image), ["-l", lang, "--psm", "3", *dpi_args, "tsv"], deadline)
    if error:
        return ExtractedText(error=error, detail=out)
    words = _read_tsv(out)
    if words.confidence is None or words.confidence < 60:
        rotated = _rotate_upright(image, deadline)
        if rotated is not None:
            out, error = _tesseract(
                _png(rotated), ["-l", lang, "--psm", "3", *dpi_args, "tsv"], deadline
            )
            second = _read_tsv(out) if not error else None
            if second and (second.confidence or 0) > (words.confidence or 0):
                image, words = rotated, second
    text = words.text
    if words.mrz_boxes:
        text = _reread_mrz(image, words, deadline) or text
    return ExtractedText(text=text, method="ocr", pages=1, ocr_confidence=words.confidence)


def _rotate_upright(image, deadline: float):
    """The picture turned upright per tesseract's orientation detection, or None."""
    out, error = _tesseract(_png(image), ["--psm", "0", "-l", "osd"], deadline, quiet=True)
    if error:  # "Too few characters": a photo without text, nothing to turn
        return None
    rotate = re.search(r"Rotate: (\d+)", out)
    confidence = re.search(r"Orientation confidence: ([\d.]+)", out)
    if not rotate or not confidence or int(rotate[1]) == 0 or float(confidence[1]) < 2:
        return None
    return image.rotate(-int(rotate[1]), expand=True)


MRZ_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789<"


def _reread_mrz(image, words: _Words, deadline: float) -> str | None:
    """Read the MRZ band again restricted to its alphabet (the general French model reads
    '4' as 'A' in it); return the whole text with the MRZ lines replaced, or None."""
    x1 = max(0, min(b[0] for b in words.mrz_boxes) - 20)
    y1 = max(0, min(b[1] for b in words.mrz_boxes) - 20)
    x2 = min(image.width, max(b[2] for b in words.mrz_boxes) + 20)
    y2 = min(image.height, max(b[3] for b in words.mrz_boxes) + 20)
    crop = image.crop((x1, y1, x2, y2))
    # the English model: the whitelist is honoured by it, and the MRZ is not French anyway
    lang = "eng" if tesseract_available("eng") else LANG
    args = ["-l", lang, "--psm", "6", "-c", f"tessedit_char_whitelist={MRZ_CHARS}"]
    out, error = _tesseract(_png(crop), args, deadline)
    if error:
        return None
    mrz = find_mrz(out.splitlines())
    if not mrz:
        return None
    lines = [line for line in words.text.splitlines() if line.count("<") < 5]
    return "\n".join(lines + mrz)


# --- classification ------------------------------------------------------------------------------

# (kind, weight, phrases). Phrases are matched on folded text (no accents, no punctuation,
# lower case) as whole words; "a|b" are spellings of one signal, counted once; the first is
# the reason shown to the agent.
SIGNALS: list[tuple[str, float, str]] = [
    ("identity_document", 4, "carte nationale d'identité"),
    ("identity_document", 2, "identity card"),
    ("identity_document", 3, "passeport"),
    ("identity_document", 3, "titre de séjour|residence permit"),
    ("identity_document", 2, "permis de conduire"),
    ("identity_document", 1, "République française"),
    ("identity_document", 1, "date de naiss"),
    ("identity_document", 1, "lieu de naissance"),
    ("identity_document", 1, "nationalité"),
    ("identity_document", 1, "date d'expir|valable jusqu'au"),
    ("identity_document", 1, "n° du document"),
    ("identity_document", 1, "sexe"),
    ("identity_document", 1, "prénoms"),
    ("tax_notice", 4, "avis d'impôt|avis de situation déclarative"),
    ("tax_notice", 2, "impôt sur le revenu|impôt sur les revenus"),
    ("tax_notice", 4, "revenu fiscal de référence"),
    ("tax_notice", 2, "direction générale des finances publiques|DGFiP"),
    ("tax_notice", 1, "impots.gouv.fr"),
    ("tax_notice", 2, "numéro fiscal"),
    ("tax_notice", 2, "référence de l'avis"),
    ("tax_notice", 2, "nombre de parts"),
    ("tax_notice", 1.5, "date de mise en recouvrement"),
    ("tax_notice", 1.5, "revenu brut global"),
    ("tax_notice", 0.5, "République française"),
    ("tax_notice", 1, "taxe d'habitation"),
    ("payslip", 4, "bulletin de paie|bulletin de salaire"),
    ("payslip", 3, "fiche de paie"),
    ("payslip", 3, "net à payer"),
    ("payslip", 2, "salaire brut"),
    ("payslip", 1.5, "salaire de base"),
    ("payslip", 2, "net imposable"),
    ("payslip", 1, "cotisations"),
    ("payslip", 1, "URSSAF"),
    ("payslip", 1.5, "convention collective"),
    ("payslip", 1, "employeur"),
    ("payslip", 1, "congés payés"),
    ("payslip", 1, "code NAF|code APE"),
    ("payslip", 0.5, "prélevé à la source"),
    ("bank_details", 5, "relevé d'identité bancaire"),
    ("bank_details", 3, "RIB"),
    ("bank_details", 2, "IBAN"),
    ("bank_details", 1.5, "BIC"),
    ("bank_details", 2, "titulaire du compte"),
    ("bank_details", 2, "domiciliation"),
    ("bank_details", 1.5, "code banque"),
    ("bank_details", 1.5, "code guichet"),
    ("bank_details", 1, "numéro de compte|n° de compte"),
    ("proof_of_address", 2, "facture"),
    ("proof_of_address", 4, "justificatif de domicile"),
    ("proof_of_address", 4, "attestation d'hébergement"),
    ("proof_of_address", 3, "assurance habitation"),
    ("proof_of_address", 4, "quittance de loyer"),
    ("proof_of_address", 3, "taxe d'habitation"),
    ("proof_of_address", 3, "adresse de consommation|lieu de consommation"),
    ("proof_of_address", 2, "point de livraison"),
    ("proof_of_address", 2, "point de référence mesure"),
    ("proof_of_address", 1, "électricité"),
    ("proof_of_address", 1, "gaz"),
    ("proof_of_address", 1, "consommation"),
    ("proof_of_address", 1.5, "kWh"),
    ("proof_of_address", 1, "abonnement"),
    ("proof_of_address", 1, "référence client"),
    ("proof_of_address", 1.5, "titulaire du contrat"),
    ("proof_of_address", 1, "montant TTC"),
    ("proof_of_address", 1.5, "EDF"),
    ("proof_of_address", 1.5, "Engie"),
    ("proof_of_address", 1.5, "TotalEnergies"),
    ("proof_of_address", 1.5, "Veolia"),
]
# Hints from the file name the sender chose: weak, a name is easily wrong.
FILENAME_HINTS: list[tuple[str, str]] = [
    ("identity_document", r"\bcni\b|carte.?(nationale.?)?d.?identite|passeport|titre.?de.?sejour"),
    ("bank_details", r"\brib\b|\biban\b|releve.?d.?identite.?bancaire"),
    ("tax_notice", r"avis.?(d.?)?(impot|imposition)|\bimpots?\b"),
    ("payslip", r"(bulletin|fiche).?(de.?)?(paie|salaire)|\bpayslip\b"),
    ("proof_of_address", r"facture|justificatif.?(de.?)?domicile|quittance|\bedf\b|\bengie\b"),
]
MRZ_WEIGHT = 4.0
MRZ_VALID_WEIGHT = 2.0
IBAN_WEIGHT = 2.0
ADDRESS_WEIGHT = 1.5
FILENAME_WEIGHT = 1.0
MIN_SCORE = 3.0
STRENGTH_SCALE = 6.0
FUZZY_MIN_LENGTH = 12  # shorter phrases must match exactly: "rib" loosely matches anything
# "titulaire du compte" scores 89 against "titulaire du contrat", "revenu fiscal de référence"
# 96 against "revenu fiscal de refer3nce" (measured): 92 separates them.
FUZZY_MIN_SCORE = 92

_SIGNALS = [
    (kind, weight, phrases.split("|")[0], [squash(p) for p in phrases.split("|")])
    for kind, weight, phrases in SIGNALS
]


def _phrase_found(squashed_text: str, phrases: list[str], fuzzy: bool) -> tuple[bool, bool]:
    """(found, approximately)."""
    if any(f" {phrase} " in squashed_text for phrase in phrases):
        return True, False
    if fuzzy:
        from rapidfuzz import fuzz

        for phrase in phrases:
            if len(phrase) >= FUZZY_MIN_LENGTH:
                if fuzz.partial_ratio(phrase, squashed_text) >= FUZZY_MIN_SCORE:
                    return True, True
    return False, False


def text_quality(ocr_confidence: float | None) -> float:
    """1.0 for a text layer or a good OCR (mean word confidence ≥ 70); down to 0.6 for an
    unreadable one."""
    if ocr_confidence is None:
        return 1.0
    return round(min(1.0, 0.6 + 0.4 * max(0.0, ocr_confidence) / 70), 3)


def classify_text(
    text: str,
    *,
    filename: str | None = None,
    ocr_confidence: float | None = None,
    fields: list[Field] | None = None,
) -> tuple[str, float, list[Reason], dict[str, float]]:
    """(kind, confidence, reasons, scores) of a document's text. `fields` (from
    extract_fields) add the structural signals: MRZ, valid IBAN, postal address."""
    squashed = f" {squash(text)} "
    fuzzy = ocr_confidence is not None
    reasons: list[Reason] = []
    for kind, weight, label, phrase in _SIGNALS:
        found, approximate = _phrase_found(squashed, phrase, fuzzy)
        if found:
            reasons.append(Reason(kind, label, weight, approximate))
    fields = fields if fields is not None else extract_fields(text)
    names = {f.name: f for f in fields}
    if "mrz_valid" in names:
        mrz_head = names["mrz_valid"].raw.splitlines()[0][:5]
        reasons.append(Reason("identity_document", f"MRZ {mrz_head}…", MRZ_WEIGHT))
        if names["mrz_valid"].value in ("true", "corrected"):
            reasons.append(Reason("identity_document", "MRZ check digits valid", MRZ_VALID_WEIGHT))
    if "iban" in names:
        reasons.append(Reason("bank_details", "IBAN with valid check digits", IBAN_WEIGHT))
    if "address" in names:
        reasons.append(Reason("proof_of_address", "postal address", ADDRESS_WEIGHT))
    if filename:
        folded_name = fold(filename)
        for kind, pattern in FILENAME_HINTS:
            if re.search(pattern, folded_name):
                reasons.append(Reason(kind, f"file name “{filename}”", FILENAME_WEIGHT))

    scores = {kind: 0.0 for kind in KINDS if kind != "other"}
    for reason in reasons:
        scores[reason.kind] += reason.weight
    ranked = sorted(scores.items(), key=lambda item: item[1], reverse=True)
    (best, best_score), (_, second_score) = ranked[0], ranked[1]
    if best_score < MIN_SCORE:
        readable = len(re.findall(r"[^\W\d_]{3,}", text)) >= 10
        why = (
            f"too little evidence (best: {best} {best_score:g} < {MIN_SCORE:g})"
            if readable
            else "no readable text"
        )
        return "other", 0.3 if readable else 0.1, [Reason("other", why, 0.0)], scores
    strength = 1 - math.exp(-best_score / STRENGTH_SCALE)
    share = best_score / (best_score + second_score)
    confidence = round(strength * share * text_quality(ocr_confidence), 3)
    chosen = sorted((r for r in reasons if r.kind == best), key=lambda r: -r.weight)
    return best, confidence, chosen, scores


# Which fields matter for each kind, in the order an agent reads them.
KIND_FIELDS = {
    "identity_document": [
        "surname", "usual_name", "given_names", "birth_date", "birth_place", "sex",
        "nationality", "document_number", "expiry_date", "issue_date", "issuing_country",
        "mrz_valid",
    ],
    "tax_notice": [
        "full_name", "address", "tax_number", "notice_reference", "reference_tax_income",
        "household_parts", "tax_amount", "collection_date", "establishment_date",
    ],
    "payslip": [
        "employee", "full_name", "address", "employer", "siret", "period_start", "period_end",
        "gross_pay", "net_taxable", "net_pay", "payment_date", "nir",
    ],
    "bank_details": ["account_holder", "address", "iban", "bic", "bank"],
    "proof_of_address": [
        "contract_holder", "full_name", "address", "invoice_date", "customer_reference",
        "delivery_point", "amount_due",
    ],
}  # fmt: skip
GENERIC_FIELDS = ["full_name", "address", "iban", "bic", "date"]


def _select_fields(kind: str, fields: list[Field]) -> list[Field]:
    wanted = KIND_FIELDS.get(kind, []) + [
        n for n in GENERIC_FIELDS if n not in KIND_FIELDS.get(kind, [])
    ]
    rank = {name: i for i, name in enumerate(wanted)}
    kept = [f for f in fields if f.name in rank]
    return sorted(kept, key=lambda f: (rank[f.name], -f.confidence))


def classify_attachment(
    data: bytes,
    content_type: str | None,
    filename: str | None = None,
    *,
    extracted: ExtractedText | None = None,
    **limits,
) -> DocumentSuggestion:
    """The kind of an attachment, with its confidence, the reasons and the fields found.
    `extracted` reuses a text already extracted; `limits` go to extract_text."""
    if extracted is None:
        extracted = extract_text(data, content_type, **limits)
    quality = text_quality(extracted.ocr_confidence)
    fields = extract_fields(extracted.text, quality=quality) if extracted.text else []
    kind, confidence, reasons, scores = classify_text(
        extracted.text,
        filename=filename,
        ocr_confidence=extracted.ocr_confidence,
        fields=fields,
    )
    if extracted.error and not extracted.text:
        reasons = [Reason(kind, f"file not read: {extracted.error}", 0.0)]
    elif extracted.error:
        reasons.append(Reason(kind, f"file partly read: {extracted.error}", 0.0))
    return DocumentSuggestion(
        kind=kind,
        confidence=confidence,
        reasons=reasons,
        scores=scores,
        fields=_select_fields(kind, fields),
        extraction=extracted,
    )


__all__ = [
    "DocumentSuggestion",
    "ERRORS",
    "ExtractedText",
    "Field",
    "KINDS",
    "Reason",
    "VERSION",
    "classify_attachment",
    "classify_text",
    "extract_fields",
    "extract_text",
    "parse_mrz",
    "tesseract_available",
]
