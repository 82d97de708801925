"""Reading extracts as a stream of rows, whatever their size: CSV (delimiter sniffed, UTF-8
with or without BOM, or Windows-1252/Latin-1), Parquet (by row groups) and JSON Lines.

Nothing here holds more than one batch of rows in memory; the first pass (`scan`) hashes
the file and checks its encoding at disk speed before anything is read as rows."""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO

CHUNK = 1 << 20
DELIMITERS = ";,\t|"


class ExtractError(Exception):
    """The file cannot be read at all (as opposed to one bad line)."""


@dataclass
class Scan:
    sha256: str
    size: int
    file_format: str
    encoding: str  # for text formats: utf-8, utf-8-sig, cp1252 or latin-1


def detect_format(head: bytes, name: str = "") -> str:
    if head.startswith(b"PAR1"):
        return "parquet"
    lowered = name.lower()
    if lowered.endswith((".jsonl", ".ndjson")):
        return "jsonl"
    if lowered.endswith(".parquet"):
        return "parquet"
    if head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"{"):
        return "jsonl"
    return "csv"


def _decodes(handle: BinaryIO, encoding: str) -> tuple[bool, int]:
    """Whether the whole stream decodes, and if not the line of the first bad byte."""
    handle.seek(0)
    decoder = codecs.getincrementaldecoder(encoding)("strict")
    lines = 0
    while chunk := handle.read(CHUNK):
        try:
            decoder.decode(chunk)
        except UnicodeDecodeError as exc:
            return False, lines + chunk[: exc.start].count(b"\n") + 1
        lines += chunk.count(b"\n")
    try:
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False, lines + 1
    return True, 0


def scan(handle: BinaryIO, name: str = "", file_format: str = "auto", encoding: str = "auto"):
    """Hash the file, recognise its format and check (or find) its text encoding."""
    handle.seek(0)
    head = handle.read(4096)
    fmt = detect_format(head, name) if file_format == "auto" else file_format
    handle.seek(0)
    digest = hashlib.sha256()
    size = 0
    utf8 = codecs.getincrementaldecoder("utf-8")("strict")
    utf8_ok, bad_line, lines = True, 0, 0
    text = fmt != "parquet"
    while chunk := handle.read(CHUNK):
        digest.update(chunk)
        size += len(chunk)
        if text and b"\x00" in chunk:
            raise ExtractError(
                "Le fichier contient des octets nuls : ce n'est pas un texte CSV ou JSON Lines "
                "(UTF-16 ou fichier binaire ?). Enregistrez-le en UTF-8."
            )
        if text and utf8_ok:
            try:
                utf8.decode(chunk)
            except UnicodeDecodeError as exc:
                utf8_ok, bad_line = False, lines + chunk[: exc.start].count(b"\n") + 1
            lines += chunk.count(b"\n")
    if size == 0:
        raise ExtractError("Le fichier est vide.")
    if not text:
        return Scan(digest.hexdigest(), size, fmt, "")
    bom = head.startswith(codecs.BOM_UTF8)
    if encoding in ("auto", "utf-8"):
        if utf8_ok:
            return Scan(digest.hexdigest(), size, fmt, "utf-8-sig" if bom else "utf-8")
        if encoding == "utf-8":
            raise ExtractError(
                f"Le fichier n'est pas en UTF-8 comme le profil l'indique : octet invalide ligne "
                f"{bad_line}. Il est probablement en Windows-1252 ou Latin-1 : choisissez "
                f"« Détecter » ou cet encodage dans le profil."
            )
        ok, _line = _decodes(handle, "cp1252")
        return Scan(digest.hexdigest(), size, fmt, "cp1252" if ok else "latin-1")
    if encoding == "cp1252":
        ok, line = _decodes(handle, "cp1252")
        if not ok:
            raise ExtractError(
                f"Le fichier n'est pas en Windows-1252 : octet invalide ligne {line}."
            )
    return Scan(digest.hexdigest(), size, fmt, encoding)


@dataclass
class Row:
    line: int
    values: dict
    error: str = ""


def _sniff_delimiter(sample: str) -> str:
    try:
        return csv.Sniffer().sniff(sample, delimiters=DELIMITERS).delimiter
    except csv.Error:
        header = sample.splitlines()[0] if sample else ""
        counts = {d: header.count(d) for d in DELIMITERS}
        best = max(counts, key=counts.get)
        return best if counts[best] else ","


def read_csv(handle: BinaryIO, encoding: str, delimiter: str = "") -> Iterator[Row]:
    handle.seek(0)
    text = io.TextIOWrapper(handle, encoding=encoding, newline="")
    sample = text.read(64 * 1024)
    text.seek(0)
    delimiter = delimiter or _sniff_delimiter(sample)
    reader = csv.reader(text, delimiter=delimiter)
    try:
        header = next(reader)
    except StopIteration:
        raise ExtractError("Le fichier n'a pas de ligne d'en-tête.") from None
    header = [h.strip().lstrip("\ufeff") for h in header]
    if len(set(header)) != len(header):
        raise ExtractError("L'en-tête contient deux colonnes du même nom.")
    width = len(header)
    try:
        for fields in reader:
            line = reader.line_num
            if not fields or (len(fields) == 1 and not fields[0].strip()):
                continue
            if len(fields) != width:
                yield Row(
                    line,
                    {},
                    f"{len(fields)} champs au lieu de {width} : colonne décalée ou séparateur "
                    f"« {delimiter} » présent dans une valeur non protégée par des guillemets",
                )
                continue
            yield Row(line, dict(zip(header, fields, strict=True)))
    except csv.Error as exc:
        raise ExtractError(f"CSV illisible ligne {reader.line_num} : {exc}") from None
    finally:
        text.detach()


def read_jsonl(handle: BinaryIO, encoding: str) -> Iterator[Row]:
    handle.seek(0)
    text = io.TextIOWrapper(handle, encoding=encoding, newline="")
    try:
        for number, raw in enumerate(text, start=1):
            if not raw.strip():
                continue
            try:
                value = json.loads(raw)
            except json.JSONDecodeError as exc:
                yield Row(number, {}, f"JSON invalide : {exc.msg} (colonne {exc.colno})")
                continue
            if not isinstance(value, dict):
                yield Row(number, {}, "chaque ligne doit être un objet JSON")
                continue
            yield Row(number, value)
    finally:
        text.detach()


def read_parquet(handle: BinaryIO, batch_size: int = 10000) -> Iterator[Row]:
    import pyarrow.parquet as pq

    handle.seek(0)
    try:
        parquet = pq.ParquetFile(handle)
    except Exception as exc:  # pyarrow raises several types for a damaged file
        raise ExtractError(f"Fichier Parquet illisible : {exc}") from None
    number = 0
    for batch in parquet.iter_batches(batch_size=batch_size):
        for values in batch.to_pylist():
            number += 1
            yield Row(number, values)


def read_rows(handle: BinaryIO, scanned: Scan, delimiter: str = "") -> Iterator[Row]:
    if scanned.file_format == "parquet":
        return read_parquet(handle)
    if scanned.file_format == "jsonl":
        return read_jsonl(handle, scanned.encoding)
    return read_csv(handle, scanned.encoding, delimiter)
