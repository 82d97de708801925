"""The attachment policy, file by file: what is accepted (with the type read from the bytes)
and what is refused, with the reason the sender is shown."""

import io
import os
import struct
import tracemalloc
import zipfile
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from parvis.cases import attachments, intake
from parvis.cases.models import Attachment
from parvis.channels.messages import IncomingAttachment, IncomingMessage

pytestmark = pytest.mark.usefixtures("english")

PDF = b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00"
    b"\x90wS\xde\x00\x00\x00\x0cIDATx\x9cc\xf8\xcf\xc0\x00\x00\x03\x01\x01\x00\xc9\xfe\x92\xef"
    b"\x00\x00\x00\x00IEND\xaeB`\x82"
)
JPEG = (
    b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    + bytes(64)
    + (b"\xff\xd9")
)
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + bytes(50) + b"This program cannot be run in DOS mode"
DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PARVIS_CLAMD = ""


def zip_of(members: dict[str, bytes], method=zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", method) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def docx(extra: dict[str, bytes] | None = None) -> bytes:
    return zip_of(
        {
            "[Content_Types].xml": b'<?xml version="1.0"?><Types xmlns="urn:x"/>',
            "_rels/.rels": b'<?xml version="1.0"?><Relationships/>',
            "word/document.xml": b'<?xml version="1.0"?><w:document>Bonjour</w:document>',
            **(extra or {}),
        }
    )


def xlsx() -> bytes:
    return zip_of(
        {
            "[Content_Types].xml": b"<Types/>",
            "xl/workbook.xml": b"<workbook/>",
            "xl/worksheets/sheet1.xml": b"<worksheet/>",
        }
    )


def odt() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.text",
                         compress_type=zipfile.ZIP_STORED)  # fmt: skip
        archive.writestr("content.xml", "<office:document-content/>")
        archive.writestr("META-INF/manifest.xml", "<manifest:manifest/>")
    return buffer.getvalue()


def zeros_bomb(gigabytes: int = 1) -> bytes:
    """A valid zip of one member holding `gigabytes` GB of zeros, about 1 MB per GB. Built
    from one compressed megabyte repeated (a full flush makes deflate blocks independent),
    so that it takes a fraction of a second instead of compressing a gigabyte."""
    megabyte = bytes(1 << 20)
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = compressor.compress(megabyte) + compressor.flush(zlib.Z_FULL_FLUSH)
    count = gigabytes * 1024
    data = block * count + compressor.flush(zlib.Z_FINISH)
    crc = 0
    for _ in range(count):
        crc = zlib.crc32(megabyte, crc)
    size, name = count << 20, b"zeros.bin"
    local = struct.pack(
        "<4s5H3L2H", b"PK\x03\x04", 20, 0, 8, 0, 0, crc, len(data), size, len(name), 0
    )
    central = struct.pack(
        "<4s6H3L5H2L", b"PK\x01\x02", 20, 20, 0, 8, 0, 0, crc, len(data), size, len(name),
        0, 0, 0, 0, 0, 0,
    )  # fmt: skip
    end = struct.pack(
        "<4s4H2LH", b"PK\x05\x06", 0, 0, 1, 1, len(central) + len(name),
        len(local) + len(name) + len(data), 0,
    )  # fmt: skip
    return local + name + data + central + name + end


def msi_header() -> bytes:
    """The start of an OLE compound file whose root entry has the Windows Installer CLSID."""
    header = bytearray(1024)
    header[:8] = attachments.OLE_MAGIC
    header[30:32] = (9).to_bytes(2, "little")  # 512-byte sectors
    header[48:52] = (0).to_bytes(4, "little")  # the directory starts at sector 0
    header[512 + 80 : 512 + 96] = bytes.fromhex("84100c0000000000c000000000000046")
    return bytes(header)


# --- accepted, with the type from the bytes ----------------------------------------------------


@pytest.mark.parametrize(
    "name, content, mime",
    [
        ("acte.pdf", PDF, "application/pdf"),
        ("photo.jpg", JPEG, "image/jpeg"),
        ("plan.png", PNG, "image/png"),
        ("scan.pdf", PNG, "image/png"),  # the name lies, the bytes decide
        ("lettre.docx", docx(), DOCX_MIME),
        ("budget.xlsx", xlsx(), XLSX_MIME),
        ("courrier.odt", odt(), "application/vnd.oasis.opendocument.text"),
        ("notes.txt", "Voilà mes notes, à lire.".encode(), "text/plain"),
        ("pieces.zip", zip_of({"a.pdf": PDF, "b.png": PNG}), "application/zip"),
    ],
)
def test_documents_are_accepted_with_the_type_read_from_their_bytes(name, content, mime):
    verdict = attachments.inspect(name, content)
    assert verdict.accepted, verdict.reason
    assert verdict.content_type == mime
    assert attachments.check(name, content) == ""


def test_a_docx_with_a_chart_inside_a_zip_is_accepted():
    chart_docx = docx({"word/embeddings/Microsoft_Excel_Worksheet.xlsx": xlsx()})
    assert attachments.inspect("dossier.zip", zip_of({"rapport.docx": chart_docx})).accepted


def test_an_archive_inside_an_archive_is_accepted_one_level_deep():
    inner = zip_of({"facture.pdf": PDF})
    assert attachments.inspect("envoi.zip", zip_of({"inner.zip": inner})).accepted


# --- refused, with a reason -------------------------------------------------------------------


def test_text_starting_like_a_program_is_still_text():
    for text in (b"MZ Conseil, facture 12", b"#!important: relire"):
        assert attachments.inspect("note.txt", text).accepted


def test_an_exe_renamed_pdf_is_refused():
    verdict = attachments.inspect("facture.pdf", EXE)
    assert not verdict.accepted
    assert "Windows program" in verdict.reason


@pytest.mark.parametrize(
    "name, content, words",
    [
        ("programme.txt", b"\x7fELF\x02\x01\x01" + bytes(60), "Linux program"),
        ("app.pdf", b"\xcf\xfa\xed\xfe" + bytes(60), "macOS program"),
        ("notes.txt", b"#!/bin/sh\nrm -rf ~\n", "script"),
        ("raccourci.pdf", b"L\x00\x00\x00\x01\x14\x02\x00" + bytes(60), "Windows shortcut"),
        ("installer.doc", msi_header(), "Windows installer"),
        ("run.bat", b"@echo off\r\ndel *.*\r\n", ".bat"),
        ("macro.vbs", b'MsgBox "hello"', ".vbs"),
        ("lien.lnk", b"anything", ".lnk"),
        ("setup.msi", b"anything", ".msi"),
        ("ecran.scr", b"anything", ".scr"),
        ("page.js", b"alert(1)", ".js"),
        ("outil.jar", b"anything", ".jar"),
        ("facture.pdf.exe. ", PDF, ".exe"),
        ("appli.apk", b"anything", ".apk"),
    ],
)
def test_programs_are_refused_by_bytes_or_by_extension(name, content, words):
    verdict = attachments.inspect(name, content)
    assert not verdict.accepted
    assert words in verdict.reason


def test_java_and_android_programs_are_refused_even_named_zip():
    jar = zip_of({"META-INF/MANIFEST.MF": b"Main-Class: A\n", "A.class": b"\xca\xfe\xba\xbe"})
    apk = zip_of({"AndroidManifest.xml": b"\x03\x00", "classes.dex": b"dex\n035\x00"})
    assert "Java program" in attachments.inspect("photos.zip", jar).reason
    assert "Android program" in attachments.inspect("photos.zip", apk).reason


def test_a_zip_with_an_exe_inside_is_refused_naming_it():
    verdict = attachments.inspect("documents.zip", zip_of({"a.pdf": PDF, "setup.exe": EXE}))
    assert verdict.reason == "Archive containing an executable: setup.exe"


def test_a_zip_with_a_program_under_a_harmless_name_is_refused():
    verdict = attachments.inspect("documents.zip", zip_of({"lisez-moi.txt": EXE}))
    assert verdict.reason == "Archive containing an executable: lisez-moi.txt"


def test_an_exe_inside_a_zip_inside_a_zip_is_found():
    inner = zip_of({"setup.exe": EXE})
    verdict = attachments.inspect("envoi.zip", zip_of({"docs/inner.zip": inner}))
    assert verdict.reason == "Archive containing an executable: docs/inner.zip/setup.exe"


def test_archives_nested_deeper_than_one_level_are_refused():
    deepest = zip_of({"a.pdf": PDF})
    middle = zip_of({"deepest.zip": deepest})
    verdict = attachments.inspect("envoi.zip", zip_of({"middle.zip": middle}))
    assert "nested more than one level" in verdict.reason


def test_a_zip_bomb_of_one_gigabyte_of_zeros_is_refused():
    bomb = zeros_bomb(1)
    assert len(bomb) < 2 * 1024 * 1024
    verdict = attachments.inspect("photos.zip", bomb)
    assert not verdict.accepted
    assert "zip bomb" in verdict.reason


def test_a_zip_compressed_more_than_the_ratio_is_refused(settings):
    settings.PARVIS_ARCHIVE_MAX_UNCOMPRESSED_BYTES = 10 * 1024**3  # only the ratio speaks
    verdict = attachments.inspect("photos.zip", zeros_bomb(1))
    assert "compressed more than 100 to 1" in verdict.reason


def test_too_much_declared_content_is_refused(settings):
    settings.PARVIS_ARCHIVE_MAX_UNCOMPRESSED_BYTES = 1024 * 1024
    noise = {f"part{i}.bin": os.urandom(300_000) for i in range(4)}  # incompressible
    verdict = attachments.inspect("data.zip", zip_of(noise, zipfile.ZIP_STORED))
    assert "would expand to more than 1 MB" in verdict.reason


def test_too_many_members_are_refused(settings):
    settings.PARVIS_ARCHIVE_MAX_MEMBERS = 20
    verdict = attachments.inspect("many.zip", zip_of({f"f{i}.txt": b"x" for i in range(21)}))
    assert "too many files" in verdict.reason


def test_a_member_larger_than_it_declares_is_refused():
    # An inner archive whose header understates its size, to slip past the checks.
    inner = zip_of({"a.txt": b"hello"})
    outer = bytearray(zip_of({"inner.zip": inner}, zipfile.ZIP_STORED))
    for signature, offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        position = outer.find(signature)
        outer[position + offset : position + offset + 4] = struct.pack("<L", 10)
    verdict = attachments.inspect("envoi.zip", bytes(outer))
    assert not verdict.accepted


@pytest.mark.parametrize(
    "content",
    [
        b"PK\x03\x04" + os.urandom(200),  # a header and noise
        zip_of({"a.pdf": PDF * 50})[:-30],  # truncated: the central directory is cut
    ],
)
def test_a_corrupt_zip_is_refused(content):
    verdict = attachments.inspect("pieces.zip", content)
    assert verdict.reason == "The archive is damaged and cannot be read."


def test_a_zip_with_corrupt_compressed_data_is_refused():
    archive = bytearray(zip_of({"texte.txt": b"Bonjour " * 2000}))
    start = 30 + len("texte.txt")
    archive[start : start + 40] = b"\xff" * 40
    verdict = attachments.inspect("pieces.zip", bytes(archive))
    assert verdict.reason == "The archive is damaged and cannot be read."


def test_an_encrypted_zip_is_refused():
    archive = bytearray(zip_of({"secret.pdf": PDF}))
    for signature, offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        position = archive.find(signature)
        archive[position + offset] |= 0x1  # the "encrypted" flag
    verdict = attachments.inspect("secret.zip", bytes(archive))
    assert "Encrypted" in verdict.reason


def test_documents_with_macros_are_refused():
    docm = docx({"word/vbaProject.bin": b"\xd0\xcf\x11\xe0"})
    assert attachments.inspect("lettre.docm", docm).reason == (
        "Documents with macros are not accepted."
    )


@pytest.mark.parametrize(
    "name, content, kind",
    [
        ("photos.rar", b"Rar!\x1a\x07\x01\x00" + bytes(40), "RAR"),
        ("photos.7z", b"7z\xbc\xaf\x27\x1c" + bytes(40), "7-Zip"),
        ("photos.tar.gz", b"\x1f\x8b\x08\x00" + bytes(40), "gzip"),
        ("photos.dat", b"\x1f\x8b\x08\x00" + bytes(40), "gzip"),
        ("disque.iso", b"anything", "ISO"),
    ],
)
def test_other_archive_types_are_refused_with_a_reason(name, content, kind):
    verdict = attachments.inspect(name, content)
    assert verdict.reason.startswith(f"Archive type not accepted ({kind})")


def test_a_rar_inside_a_zip_is_refused():
    verdict = attachments.inspect("envoi.zip", zip_of({"photos.rar": b"Rar!\x1a\x07\x00"}))
    assert "archive of a type not accepted (RAR): photos.rar" in verdict.reason


# --- size, storage ------------------------------------------------------------------------------


@pytest.fixture
def message(db):
    return intake.receive(
        IncomingMessage(channel="email", sender="x@example.fr", message_id="<a@x>", subject="s")
    ).message


def test_accepted_files_are_stored_with_type_size_and_hash(message):
    attachment = attachments.store_attachment(message, "scan.pdf", PNG)
    attachment.refresh_from_db()
    assert attachment.status == Attachment.Status.ACCEPTED
    assert attachment.content_type == "image/png"
    assert attachment.size == len(PNG)
    assert len(attachment.sha256) == 64
    with attachment.file.open("rb") as stored:
        assert stored.read() == PNG


def test_refused_files_are_recorded_without_their_bytes(message):
    attachment = attachments.store_attachment(message, "facture.pdf", EXE)
    assert attachment.status == Attachment.Status.REFUSED
    assert "Windows program" in attachment.refusal_reason
    assert not attachment.file


def test_a_50_mb_file_is_refused_for_its_size_without_copies_in_memory(message, settings):
    settings.PARVIS_MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024
    big = bytes(50 * 1024 * 1024)
    tracemalloc.start()
    try:
        attachment = attachments.store_attachment(message, "video.mp4", big)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert attachment.status == Attachment.Status.REFUSED
    assert attachment.refusal_reason == "The file is larger than 20 MB."
    assert attachment.size == len(big)
    assert not attachment.file
    assert peak < 2 * 1024 * 1024, f"{peak} bytes allocated while checking"


def test_an_upload_is_checked_and_stored_from_its_file(message):
    upload = SimpleUploadedFile("lettre.docx", docx(), content_type="application/x-anything")
    attachment = attachments.store_attachment(message, upload.name, upload)
    assert attachment.status == Attachment.Status.ACCEPTED
    assert attachment.content_type == DOCX_MIME
    with attachment.file.open("rb") as stored:
        assert stored.read()[:2] == b"PK"


def test_the_intake_applies_the_policy_to_every_attachment(db):
    result = intake.receive(
        IncomingMessage(
            channel="email",
            sender="x@example.fr",
            message_id="<b@x>",
            subject="Pièces",
            attachments=[
                IncomingAttachment("acte.pdf", PDF),
                IncomingAttachment("documents.zip", zip_of({"setup.exe": EXE})),
            ],
        )
    )
    stored = {a.filename: a for a in result.message.attachments.all()}
    assert stored["acte.pdf"].status == Attachment.Status.ACCEPTED
    assert stored["documents.zip"].refusal_reason == "Archive containing an executable: setup.exe"


def test_file_names_cannot_escape_the_storage_folder(message):
    attachment = attachments.store_attachment(message, "../../etc/passwd", b"root:x:0:0")
    assert ".." not in attachment.file.name.split("/")
    assert attachment.filename == ".._.._etc_passwd"
