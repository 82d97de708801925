"""Synthetic French documents, generated at test time, for the attachment reader.

Each document is a list of lines drawn twice: as a PDF with a real text layer (reportlab) and as
a picture (PIL with a DejaVu TrueType font), optionally "photographed" (slight rotation, noise,
blur, JPEG) for OCR. The person is the one of tests/conftest.py (Élodie Marie Le Gall, born
12/03/1984) living at a real address of Mont-Bonvillers (BAN, 54084). Numbers are valid:
the IBAN and the SIRET pass python-stdnum, the MRZ carries correct ICAO 9303 check digits.

Also here: a password-protected PDF, a corrupt PDF, a scanned PDF (image only, no text
layer), and a landscape "photo" (gradient and noise, no text).
"""

import io
import random
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter, ImageFont

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
SANS = FONT_DIR / "DejaVuSans.ttf"
SANS_BOLD = FONT_DIR / "DejaVuSans-Bold.ttf"
MONO = FONT_DIR / "DejaVuSansMono.ttf"

IBAN = "FR76 3000 6000 0112 3456 7890 189"
BIC = "AGRIFRPP"
SIRET = "732 829 320 00074"


def fonts_available() -> bool:
    return SANS.exists() and SANS_BOLD.exists() and MONO.exists()


# --- ICAO 9303 machine readable zone ---------------------------------------------------------


def _mrz_check(field: str) -> str:
    values = {c: i for i, c in enumerate("0123456789")}
    values.update({c: 10 + i for i, c in enumerate("ABCDEFGHIJKLMNOPQRSTUVWXYZ")})
    values["<"] = 0
    return str(sum(values[c] * (7, 3, 1)[i % 3] for i, c in enumerate(field)) % 10)


def id_card_mrz() -> list[str]:
    """The three 30-character lines (TD1) of a French identity card issued since 2021."""
    number = "X4RTBPFW4"
    line1 = f"IDFRA{number}{_mrz_check(number)}".ljust(30, "<")
    birth, expiry = "840312", "310211"
    head = f"{birth}{_mrz_check(birth)}F{expiry}{_mrz_check(expiry)}FRA".ljust(29, "<")
    composite = line1[5:30] + head[0:7] + head[8:15] + head[18:29]
    line2 = head + _mrz_check(composite)
    line3 = "LE<GALL<<ELODIE<MARIE".ljust(30, "<")
    return [line1, line2, line3]


# --- the documents ----------------------------------------------------------------------------


@dataclass
class Line:
    text: str
    style: str = "body"  # title, bold, body, small, mono


def _lines(spec: str) -> list[Line]:
    """One line per row; a leading '# ' makes a title, '* ' bold, '~ ' monospace."""
    out = []
    for row in spec.strip("\n").splitlines():
        row = row.strip()
        if row.startswith("# "):
            out.append(Line(row[2:], "title"))
        elif row.startswith("* "):
            out.append(Line(row[2:], "bold"))
        elif row.startswith("~ "):
            out.append(Line(row[2:], "mono"))
        else:
            out.append(Line(row))
    return out


def id_card_lines() -> list[Line]:
    return _lines(
        """
# RÉPUBLIQUE FRANÇAISE
* CARTE NATIONALE D'IDENTITÉ / IDENTITY CARD
NOM / Surname : LE GALL
Prénoms / Given names : ÉLODIE, MARIE
SEXE / Sex : F    NATIONALITÉ / Nationality : FRA
DATE DE NAISS. / Date of birth : 12 03 1984
LIEU DE NAISSANCE / Place of birth : NANCY (54)
N° DU DOCUMENT / Document No : X4RTBPFW4
DATE D'EXPIR. / Expiry date : 11 02 2031
"""
    ) + [Line(row, "mono") for row in id_card_mrz()]


def tax_notice_lines() -> list[Line]:
    return _lines(
        """
RÉPUBLIQUE FRANÇAISE
* DIRECTION GÉNÉRALE DES FINANCES PUBLIQUES
# AVIS D'IMPÔT 2024
* IMPÔT SUR LES REVENUS de 2023
Numéro fiscal : 30 23 217 600 053
Référence de l'avis : 24 54 A12 3456 78
Mme LE GALL ÉLODIE
3 RUE JOFFRE
54111 MONT-BONVILLERS
Date de mise en recouvrement : 31/07/2024
Nombre de parts : 1,5
* Revenu fiscal de référence : 25 432 €
Montant de votre impôt sur le revenu : 1 234 €
"""
    )


def payslip_lines() -> list[Line]:
    return _lines(
        f"""
# BULLETIN DE PAIE
Employeur : BOULANGERIE DU CENTRE SARL
SIRET : {SIRET}    Code NAF : 1071C
Convention collective : Boulangerie-pâtisserie artisanale
Période du 01/03/2024 au 31/03/2024
Salarié : Mme Élodie LE GALL
3 rue Joffre, 54111 Mont-Bonvillers
N° de sécurité sociale : 2 84 03 54 084 123 73
Emploi : Vendeuse
Salaire de base 151,67 h : 2 100,00
Salaire brut : 2 100,00
Cotisations salariales (URSSAF, retraite) : -462,00
Net imposable : 1 700,00
Impôt sur le revenu prélevé à la source : -45,00
* NET À PAYER : 1 593,00 €
Date de paiement : 29/03/2024
"""
    )


def rib_lines() -> list[Line]:
    return _lines(
        f"""
# RELEVÉ D'IDENTITÉ BANCAIRE
Titulaire du compte : MME ELODIE LE GALL
3 RUE JOFFRE 54111 MONT-BONVILLERS
Domiciliation : CAISSE D'EPARGNE NANCY CENTRE
Code banque : 30006    Code guichet : 00001
N° de compte : 12345678901    Clé RIB : 89
* IBAN : {IBAN}
* BIC : {BIC}
"""
    )


def invoice_lines() -> list[Line]:
    return _lines(
        """
# FACTURE D'ÉLECTRICITÉ
Énergies du Grand Est - fournisseur d'électricité et de gaz
Date de facture : 15 mars 2024
Référence client : 6012345678
Titulaire du contrat : Mme Élodie Le Gall
Adresse de consommation :
3 rue Joffre
54111 Mont-Bonvillers
Point de livraison (PDL) : 09123456789012
Consommation du 12/01/2024 au 11/03/2024 : 512 kWh
* Montant TTC : 98,45 €
Prélèvement sur le compte FR76 XXXX XXXX XXXX XXXX XXX 189 le 30/03/2024
"""
    )


DOCUMENTS = {
    "identity_document": id_card_lines,
    "tax_notice": tax_notice_lines,
    "payslip": payslip_lines,
    "bank_details": rib_lines,
    "proof_of_address": invoice_lines,
}


# --- rendering --------------------------------------------------------------------------------


def render_pdf(lines: list[Line], *, password: str | None = None) -> bytes:
    """An A4 PDF with a real text layer (DejaVu embedded), optionally encrypted (AES-256)."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen import canvas

    for name, path in (("DejaVu", SANS), ("DejaVu-Bold", SANS_BOLD), ("DejaVu-Mono", MONO)):
        if name not in pdfmetrics.getRegisteredFontNames():
            pdfmetrics.registerFont(TTFont(name, str(path)))
    sizes = {"title": ("DejaVu-Bold", 18), "bold": ("DejaVu-Bold", 12), "mono": ("DejaVu-Mono", 12)}
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4)
    y = A4[1] - 72
    for line in lines:
        font, size = sizes.get(line.style, ("DejaVu", 11))
        pdf.setFont(font, size)
        pdf.drawString(60, y, line.text)
        y -= size * 1.8
    pdf.showPage()
    pdf.save()
    data = buffer.getvalue()
    if password is None:
        return data
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(data)))
    writer.encrypt(user_password=password, owner_password=password + "-owner", algorithm="AES-256")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def render_image(lines: list[Line], *, card: bool = False) -> Image.Image:
    """The document as a clean grey-scale picture: A4 at 150 dpi, or an ID card at ~500 dpi."""
    width, height = (1700, 1100) if card else (1240, 1754)
    scale = 1.25 if card else 1.0
    sizes = {"title": 42, "bold": 30, "mono": 36, "body": 28}
    image = Image.new("L", (width, height), 255 if not card else 235)
    draw = ImageDraw.Draw(image)
    y = 60
    for line in lines:
        size = int(sizes.get(line.style, 28) * scale)
        path = {"title": SANS_BOLD, "bold": SANS_BOLD, "mono": MONO}.get(line.style, SANS)
        draw.text((70, y), line.text, fill=0, font=ImageFont.truetype(str(path), size))
        y += int(size * 1.6)
    return image


def photograph(image: Image.Image, *, seed: int = 1, angle: float = 1.5) -> Image.Image:
    """What a phone would make of it: a table around, a small tilt, noise, blur."""
    rng = random.Random(seed)
    margin = 80
    table = Image.new("L", (image.width + 2 * margin, image.height + 2 * margin), 120)
    table.paste(image, (margin, margin))
    tilted = table.rotate(angle, resample=Image.BICUBIC, fillcolor=120, expand=False)
    noise = Image.effect_noise(tilted.size, 18)
    noisy = Image.blend(tilted, noise, 0.12)
    blurred = noisy.filter(ImageFilter.GaussianBlur(0.8))
    # uneven light, as under a lamp
    light = Image.linear_gradient("L").resize(blurred.size).point(lambda v: 200 + v // 5)
    lit = Image.composite(blurred, light, Image.new("L", blurred.size, 225 + rng.randint(0, 10)))
    return lit


def to_bytes(image: Image.Image, fmt: str = "PNG", **options) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, fmt, **options)
    return buffer.getvalue()


def document_pdf(kind: str) -> bytes:
    return render_pdf(DOCUMENTS[kind]())


def document_png(kind: str) -> bytes:
    return to_bytes(render_image(DOCUMENTS[kind](), card=kind == "identity_document"))


def document_photo_jpeg(kind: str, *, seed: int = 1) -> bytes:
    clean = render_image(DOCUMENTS[kind](), card=kind == "identity_document")
    return to_bytes(photograph(clean, seed=seed).convert("RGB"), "JPEG", quality=75)


def scanned_pdf(kind: str) -> bytes:
    """A PDF made of one picture and no text layer, as a scanner writes it."""
    image = photograph(render_image(DOCUMENTS[kind]()), angle=0.4)
    return to_bytes(image.convert("RGB"), "PDF", resolution=150)


def encrypted_pdf(password: str = "secret-2024") -> bytes:
    return render_pdf(tax_notice_lines(), password=password)


def owner_only_pdf() -> bytes:
    """Encrypted with an empty user password: anyone may open it (common for bank exports)."""
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(render_pdf(rib_lines()))))
    writer.encrypt(user_password="", owner_password="bank-owner", algorithm="AES-256")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def corrupt_pdf() -> bytes:
    """A PDF header followed by the middle of a real file chopped and garbled."""
    data = render_pdf(payslip_lines())
    rng = random.Random(7)
    middle = bytearray(data[200 : len(data) // 2])
    for _ in range(200):
        middle[rng.randrange(len(middle))] = rng.randrange(256)
    return b"%PDF-1.4\n" + bytes(middle)


def landscape_photo(seed: int = 3) -> bytes:
    """A 'holiday photo': sky gradient, hills, noise; no text at all."""
    rng = random.Random(seed)
    width, height = 1600, 1200
    sky = Image.linear_gradient("L").resize((width, height))
    image = Image.merge(
        "RGB",
        (
            sky.point(lambda v: 90 + v // 3),
            sky.point(lambda v: 150 + v // 4),
            Image.new("L", (width, height), 230),
        ),
    )
    draw = ImageDraw.Draw(image)
    for i in range(5):
        base = 600 + i * 90
        points = [(x, base + rng.randint(-60, 60)) for x in range(0, width + 200, 200)]
        draw.polygon(points + [(width, height), (0, height)], fill=(40 + i * 20, 110 + i * 15, 40))
    noise = Image.effect_noise((width, height), 40).convert("RGB")
    image = Image.blend(image, noise, 0.15).filter(ImageFilter.GaussianBlur(1.2))
    return to_bytes(image, "JPEG", quality=80)


def multipage_pdf(pages: int) -> bytes:
    """A long text-layer PDF (the payslip repeated), for page limits and the benchmark."""
    from pypdf import PdfReader, PdfWriter

    one = PdfReader(io.BytesIO(render_pdf(payslip_lines())))
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_page(one.pages[0])
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
