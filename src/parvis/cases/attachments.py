"""Accepting or refusing files sent by citizens, and storing the accepted ones.

A refused file is still recorded (name, size, reason) so the agent and the sender know what
happened; only its bytes are not kept.

The policy, in order:

1. size: above PARVIS_MAX_ATTACHMENT_BYTES (default 20 MB) the file is refused;
2. the type is read from the bytes, never from the name (package `filetype`, plus the checks
   below); Attachment.content_type is that type;
3. programs are refused: by their bytes (Windows "MZ", ELF, Mach-O, "#!" scripts, Windows
   shortcuts and installers, Android DEX, WebAssembly), and by the extensions Windows or a
   desktop would run (.exe, .bat, .vbs, .js, .ps1, .lnk, .msi, .scr, .jar, .apk...) even when
   the bytes look harmless, since the extension is what makes a double-click run them;
4. zip archives, and the documents that are zips (.docx, .xlsx, .odt...), are inspected in
   memory without being extracted: a program inside, a member compressed more than
   PARVIS_ARCHIVE_MAX_RATIO to 1, more than PARVIS_ARCHIVE_MAX_MEMBERS files, more than
   PARVIS_ARCHIVE_MAX_UNCOMPRESSED_BYTES declared in total, an archive inside an archive
   inside an archive, encryption (content that cannot be checked) or damage: refused. Only a
   few bytes of each member are decompressed, except archives inside the archive, read whole
   up to the attachment size limit and checked the same way;
5. other archive formats (rar, 7z, tar, gz, bz2, xz, cab, disk images) are refused with
   "archive type not accepted": inspecting them would need extra decompressors (rar has no
   free one) for formats citizens rarely need; a .zip or the documents themselves are asked
   for instead;
6. OOXML documents with macros (.docm, vbaProject.bin) are refused;
7. when PARVIS_CLAMD is set, the file is scanned (cases.antivirus): a virus found refuses it;
   clamd unreachable or failing keeps the file, marked antivirus="unavailable" or "error" and
   logged, so that nothing a citizen sent is lost and an agent sees it was not scanned.

Files are stored through Django's default storage (FileSystemStorage under MEDIA_ROOT; any
django-storages backend, e.g. S3-compatible, through STORAGES["default"])."""

import hashlib
import io
import logging
import zipfile
import zlib
from dataclasses import dataclass, field

import filetype
from django.conf import settings
from django.core.files import File
from django.utils.translation import gettext as _

from . import antivirus
from .models import Attachment, Message

logger = logging.getLogger(__name__)

HEAD = 8192  # bytes read to recognise a type
MEGABYTE = 1024 * 1024
# Below this size a high compression ratio is normal (a short text of repeated lines).
RATIO_MIN_SIZE = MEGABYTE

# Extensions a desktop runs on a double-click, or installs: refused whatever the bytes say.
EXECUTABLE_EXTENSIONS = {
    "exe", "dll", "com", "scr", "pif", "cpl", "sys", "drv", "ocx", "msi", "msp", "mst",
    "bat", "cmd", "vbs", "vbe", "js", "jse", "mjs", "wsf", "wsh", "ws", "wsc", "sct", "hta",
    "ps1", "psm1", "psd1", "ps1xml", "psc1", "msh", "lnk", "url", "scf", "inf", "reg",
    "jar", "class", "apk", "xapk", "aab", "dex", "ipa", "appx", "appxbundle", "msix",
    "msixbundle", "app", "command", "sh", "bash", "csh", "ksh", "zsh", "run", "elf",
    "gadget", "application", "cab", "chm", "xll", "wasm", "pyz", "pyw", "deb", "rpm",
}  # fmt: skip
ARCHIVE_EXTENSIONS = {
    "rar", "7z", "tar", "gz", "tgz", "bz2", "tbz", "tbz2", "xz", "txz", "zst", "lz", "lzma",
    "z", "arj", "lzh", "lha", "ace", "cpio", "iso", "img", "dmg", "vhd", "vhdx", "vmdk",
    "wim", "xar", "sit", "sitx", "alz", "egg",
}  # fmt: skip
ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")
ARCHIVE_MAGICS = [
    (b"Rar!\x1a\x07", "RAR"),
    (b"7z\xbc\xaf\x27\x1c", "7-Zip"),
    (b"\x1f\x8b", "gzip"),
    (b"BZh", "bzip2"),
    (b"\xfd7zXZ\x00", "xz"),
    (b"\x28\xb5\x2f\xfd", "zstd"),
    (b"MSCF", "cabinet"),
    (b"\x60\xea", "ARJ"),
    (b"xar!", "xar"),
]
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# Windows Installer files are OLE compound files whose root storage has one of these CLSIDs
# ({000C1084-...} .msi, {000C1086-...} .msp, {000C1082-...} .mst), stored little-endian.
MSI_CLSIDS = {bytes.fromhex(f"{c}100c0000000000c000000000000046") for c in ("84", "86", "82")}
EXECUTABLE_ZIP_TYPES = {"application/java-archive", "application/vnd.android.package-archive"}
OOXML_TYPES = {
    "word/": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xl/": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "ppt/": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
}


@dataclass(frozen=True)
class Verdict:
    content_type: str
    reason: str = ""  # empty: accepted

    @property
    def accepted(self) -> bool:
        return not self.reason


class Refused(Exception):
    def __init__(self, reason: str, content_type: str = ""):
        super().__init__(reason)
        self.reason = reason
        self.content_type = content_type


# --- recognising bytes ------------------------------------------------------------------------


def extension(filename: str) -> str:
    # Windows ignores trailing dots and spaces: "setup.exe. " runs as setup.exe.
    name = (filename or "").replace("\\", "/").rsplit("/", 1)[-1].rstrip(" .")
    return name.rsplit(".", 1)[-1].lower() if "." in name else ""


def program_kind(head: bytes) -> str:
    """What kind of program these first bytes start, or '' when they start none."""
    if head[:2] == b"MZ" and b"\x00" in head[:64]:  # a DOS header, not a text saying "MZ"
        return _("Windows program")
    if head[:4] == b"\x7fELF":
        return _("Linux program")
    if head[:4] in (b"\xfe\xed\xfa\xce", b"\xfe\xed\xfa\xcf", b"\xce\xfa\xed\xfe",
                    b"\xcf\xfa\xed\xfe"):  # fmt: skip
        return _("macOS program")
    if head[:4] == b"\xca\xfe\xba\xbe":
        return _("macOS or Java program")
    if head[:3] in (b"#!/", b"#! "):
        return _("script")
    if head[:8] == b"L\x00\x00\x00\x01\x14\x02\x00":
        return _("Windows shortcut")
    if head[:4] == b"dex\n":
        return _("Android program")
    if head[:4] == b"\x00asm":
        return _("WebAssembly program")
    if head[:8] == OLE_MAGIC and _ole_root_clsid(io.BytesIO(head)) in MSI_CLSIDS:
        return _("Windows installer")
    return ""


def _ole_root_clsid(stream) -> bytes:
    """CLSID of an OLE compound file's root entry (the first entry of its directory)."""
    stream.seek(0)
    header = stream.read(512)
    sector_shift = int.from_bytes(header[30:32], "little")
    if len(header) < 512 or not 7 <= sector_shift <= 16:
        return b""
    first_directory = int.from_bytes(header[48:52], "little")
    stream.seek((first_directory + 1) * (1 << sector_shift) + 80)
    return stream.read(16)


def archive_kind(head: bytes) -> str:
    for magic, kind in ARCHIVE_MAGICS:
        if head.startswith(magic):
            return kind
    if head[257:262] == b"ustar":
        return "tar"
    return ""


def sniff_type(head: bytes) -> str:
    kind = filetype.guess(head)
    if kind is not None:
        return kind.mime
    if head.startswith(OLE_MAGIC):
        return "application/x-ole-storage"  # .doc, .xls, .ppt, .msg
    if not head:
        return "application/x-empty"
    if b"\x00" in head:
        return "application/octet-stream"
    text = head.lstrip().lower()
    if text.startswith((b"<!doctype html", b"<html")):
        return "text/html"
    if text.startswith(b"<svg") or (text.startswith(b"<?xml") and b"<svg" in text):
        return "image/svg+xml"
    if text.startswith(b"<?xml"):
        return "application/xml"
    if text.startswith(b"%pdf"):
        return "application/pdf"
    return "text/plain"


# --- archives -------------------------------------------------------------------------------


@dataclass
class _Budget:
    """What inspecting one attachment may cost, shared by nested archives."""

    bytes_left: int
    members_left: int
    seen: list[str] = field(default_factory=list)


def _is_zip(head: bytes) -> bool:
    return head.startswith(ZIP_MAGICS)


def _zip_type(archive: zipfile.ZipFile, names: set[str]) -> tuple[str, str]:
    """(content type, refusal reason) of a zip from its members: documents, Java and Android
    programs (which are zips), or a plain archive."""
    if "META-INF/MANIFEST.MF" in names or any(n.endswith(".class") for n in names):
        raise Refused(
            _("Executable files are not accepted: this file is a %(kind)s.")
            % {"kind": _("Java program")},
            "application/java-archive",
        )
    if "AndroidManifest.xml" in names and any(n.endswith(".dex") for n in names):
        raise Refused(
            _("Executable files are not accepted: this file is a %(kind)s.")
            % {"kind": _("Android program")},
            "application/vnd.android.package-archive",
        )
    if "[Content_Types].xml" in names:
        for prefix, mime in OOXML_TYPES.items():
            if any(n.startswith(prefix) for n in names):
                if any(n.lower().endswith("vbaproject.bin") for n in names):
                    raise Refused(_("Documents with macros are not accepted."), mime)
                return mime, ""
    if "mimetype" in names:
        with archive.open("mimetype") as member:
            declared = member.read(100).decode("ascii", "replace").strip()
        if declared.startswith("application/") and " " not in declared:
            return declared, ""  # OpenDocument, EPUB
    return "application/zip", ""


def _inspect_zip(stream, size: int, budget: _Budget, plain_above: int, path: str) -> str:
    """Content type of a zip-based file, or raise Refused. `plain_above`: how many plain
    archives contain this one (documents do not count: a .docx in a .zip with a chart, which
    is an embedded .xlsx, is normal)."""
    try:
        archive = zipfile.ZipFile(stream)
        infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, ValueError,
            NotImplementedError):  # fmt: skip
        raise Refused(_("The archive is damaged and cannot be read."), "application/zip") from None
    names = {info.filename for info in infos}
    content_type, _unused = _zip_type(archive, names)
    is_plain = content_type == "application/zip"
    budget.members_left -= len(infos)
    if budget.members_left < 0:
        raise Refused(
            _("The archive contains too many files (more than %(max)s).")
            % {"max": settings.PARVIS_ARCHIVE_MAX_MEMBERS},
            content_type,
        )
    declared = sum(info.file_size for info in infos)
    budget.bytes_left -= declared
    if budget.bytes_left < 0:
        raise Refused(
            _("The archive would expand to more than %(max)s MB (a “zip bomb”).")
            % {"max": settings.PARVIS_ARCHIVE_MAX_UNCOMPRESSED_BYTES // MEGABYTE},
            content_type,
        )
    ratio = settings.PARVIS_ARCHIVE_MAX_RATIO
    if declared > RATIO_MIN_SIZE and declared > ratio * max(size, 1):
        raise Refused(_bomb_reason(ratio), content_type)
    for info in infos:
        if info.is_dir():
            continue
        name = f"{path}{info.filename}"
        if info.flag_bits & 0x1:
            raise Refused(_("Encrypted archive: its content cannot be checked."), content_type)
        if info.file_size > RATIO_MIN_SIZE and info.file_size > ratio * max(info.compress_size, 1):
            raise Refused(_bomb_reason(ratio), content_type)
        if extension(info.filename) in EXECUTABLE_EXTENSIONS:
            raise Refused(_executable_inside(name), content_type)
        try:
            with archive.open(info) as member:
                head = member.read(HEAD)
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError,
                NotImplementedError, RuntimeError):  # fmt: skip
            raise Refused(_("The archive is damaged and cannot be read."), content_type) from None
        if program_kind(head):
            raise Refused(_executable_inside(name), content_type)
        inner_kind = archive_kind(head) or (
            extension(info.filename).upper()
            if extension(info.filename) in ARCHIVE_EXTENSIONS
            else ""
        )
        if inner_kind:
            raise Refused(
                _("The archive contains an archive of a type not accepted (%(kind)s): "
                  "%(name)s.") % {"kind": inner_kind, "name": name},
                content_type,
            )  # fmt: skip
        if _is_zip(head):
            _inspect_inner_zip(archive, info, budget, plain_above + is_plain, name)
    return content_type


def _inspect_inner_zip(archive, info, budget: _Budget, plain_above: int, name: str) -> None:
    # A plain archive inside a plain archive is fine (one level); deeper is refused, and so
    # is any pile of containers more than 4 high (a .docx in a .zip in a .docx...).
    budget.seen.append(name)
    if len(budget.seen) > 50 or name.count("/") > 8:
        raise Refused(_("The archive is nested too deeply to be checked."), "application/zip")
    limit = settings.PARVIS_MAX_ATTACHMENT_BYTES
    if info.file_size > limit:
        raise Refused(
            _("The archive contains an archive too large to be checked: %(name)s.")
            % {"name": name},
            "application/zip",
        )
    try:
        with archive.open(info) as member:
            data = member.read(info.file_size + 1)
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError,
            NotImplementedError, RuntimeError):  # fmt: skip
        raise Refused(_("The archive is damaged and cannot be read."), "application/zip") from None
    if len(data) > info.file_size:
        # The member holds more than its declared size: crafted to get past size checks.
        raise Refused(_bomb_reason(settings.PARVIS_ARCHIVE_MAX_RATIO), "application/zip")
    stream = io.BytesIO(data)
    try:
        inner = zipfile.ZipFile(stream)
        inner_type, _unused = _zip_type(inner, {i.filename for i in inner.infolist()})
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, ValueError,
            NotImplementedError):  # fmt: skip
        raise Refused(_("The archive is damaged and cannot be read."), "application/zip") from None
    except Refused as refused:
        if refused.content_type in EXECUTABLE_ZIP_TYPES:
            raise Refused(_executable_inside(name), "application/zip") from None
        raise Refused(
            _("%(name)s: %(reason)s") % {"name": name, "reason": refused.reason},
            "application/zip",
        ) from None
    if inner_type == "application/zip" and plain_above >= 2:
        raise Refused(
            _("Archives nested more than one level deep are not accepted: %(name)s.")
            % {"name": name},
            "application/zip",
        )
    stream.seek(0)
    _inspect_zip(stream, len(data), budget, plain_above, f"{name}/")


def _executable_inside(name: str) -> str:
    return _("Archive containing an executable: %(name)s") % {"name": name}


def _bomb_reason(ratio: int) -> str:
    return _("The archive is compressed more than %(ratio)s to 1, which only “zip bombs” are.") % {
        "ratio": ratio
    }


# --- the policy -------------------------------------------------------------------------------


def _as_stream(content) -> tuple:
    """A seekable binary file over the content (bytes are wrapped without being copied:
    BytesIO shares the buffer until written to), and its size."""
    if isinstance(content, bytes | bytearray | memoryview):
        stream = io.BytesIO(content)
        return stream, len(content)
    content.seek(0, io.SEEK_END)
    size = content.tell()
    content.seek(0)
    return content, size


def inspect(filename: str, content) -> Verdict:
    """The type read from the bytes and the reason to refuse ('' to accept). `content` is
    bytes or a seekable binary file (an upload), which is read, never copied whole."""
    stream, size = _as_stream(content)
    stream.seek(0)
    head = stream.read(HEAD)
    content_type = sniff_type(head)
    if size > settings.PARVIS_MAX_ATTACHMENT_BYTES:
        return Verdict(content_type, _too_large())
    kind = program_kind(head)
    if not kind and head.startswith(OLE_MAGIC) and _ole_root_clsid(stream) in MSI_CLSIDS:
        kind = _("Windows installer")  # its directory can lie beyond the first bytes
    if kind:
        return Verdict(
            content_type,
            _("Executable files are not accepted: this file is a %(kind)s.") % {"kind": kind},
        )
    ext = extension(filename)
    if ext in EXECUTABLE_EXTENSIONS:
        return Verdict(
            content_type,
            _("Files of type .%(extension)s are not accepted: they can run programs.")
            % {"extension": ext},
        )
    if _is_zip(head):
        budget = _Budget(
            bytes_left=settings.PARVIS_ARCHIVE_MAX_UNCOMPRESSED_BYTES,
            members_left=settings.PARVIS_ARCHIVE_MAX_MEMBERS,
        )
        stream.seek(0)
        try:
            content_type = _inspect_zip(stream, size, budget, 0, "")
        except Refused as refused:
            return Verdict(refused.content_type or "application/zip", refused.reason[:300])
        return Verdict(content_type)
    kind = archive_kind(head) or (ext.upper() if ext in ARCHIVE_EXTENSIONS else "")
    if kind:
        return Verdict(
            content_type,
            _(
                "Archive type not accepted (%(kind)s): please send a .zip file "
                "or the documents themselves."
            )
            % {"kind": kind},
        )
    return Verdict(content_type)


def check(filename: str, content) -> str:
    """The reason to refuse this file, or '' to accept it."""
    return inspect(filename, content).reason


def _too_large() -> str:
    return _("The file is larger than %(max)s MB.") % {
        "max": settings.PARVIS_MAX_ATTACHMENT_BYTES // MEGABYTE
    }


def _sha256(stream) -> str:
    digest = hashlib.sha256()
    stream.seek(0)
    while chunk := stream.read(MEGABYTE):
        digest.update(chunk)
    return digest.hexdigest()


def safe_filename(filename: str) -> str:
    name = (filename or "").replace("/", "_").replace("\\", "_").replace("\x00", "")
    return name.strip()[:255] or "piece-jointe"


def store_attachment(message: Message, filename: str, content) -> Attachment:
    """Check, scan and store one file of a message; refused files are recorded without
    their bytes. `content`: bytes, or a seekable binary file (e.g. an upload)."""
    filename = safe_filename(filename)
    stream, size = _as_stream(content)
    verdict = inspect(filename, stream)
    reason = verdict.reason
    scanned = ""
    if not reason and antivirus.enabled():
        stream.seek(0)
        result = antivirus.scan(stream)
        scanned = result.label
        if result.status == "found":
            reason = _("A virus was found in this file (%(name)s).") % {"name": result.detail}
            logger.warning("Virus %s in %r of message %s", result.detail, filename, message.pk)
        elif result.status != "clean":
            logger.warning(
                "Attachment %r of message %s kept without antivirus scan: %s",
                filename,
                message.pk,
                result.detail,
            )
    attachment = Attachment(
        message=message,
        filename=filename,
        content_type=verdict.content_type[:100],
        size=size,
        # A file refused for its size is not read any further.
        sha256=_sha256(stream) if size <= settings.PARVIS_MAX_ATTACHMENT_BYTES else "",
        status=Attachment.Status.REFUSED if reason else Attachment.Status.ACCEPTED,
        refusal_reason=reason[:300],
        antivirus=scanned,
    )
    if not reason:
        stream.seek(0)
        attachment.file.save(filename, File(stream, name=filename), save=False)
    attachment.save()
    return attachment


def record_refused(message: Message, filename: str, reason: str, size: int = 0) -> Attachment:
    """A file refused before its bytes were read (too big for the channel, unreadable)."""
    return Attachment.objects.create(
        message=message,
        filename=safe_filename(filename),
        size=size,
        status=Attachment.Status.REFUSED,
        refusal_reason=reason[:300],
    )
