"""`parvis link` on two plain files, and bounded memory while streaming a large extract."""

import csv
import io
import json
import subprocess
import sys
import tracemalloc
from pathlib import Path

import pytest

from parvis.integrations import imports, linkage, readers, synthetic
from parvis.integrations.mapping import CompiledProfile

MODEL = Path(imports.__file__).parent / "samples" / "linkage_model.json"


def test_parvis_link_writes_the_automatic_pairs(tmp_path):
    left, right, truth = synthetic.generate(3000, 3000, seed=11)
    synthetic.write_csv(left, tmp_path / "left.csv")
    synthetic.write_csv(right, tmp_path / "right.csv", date_style="fr")
    out = tmp_path / "pairs.csv"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "parvis.cli",
            "link",
            str(tmp_path / "left.csv"),
            str(tmp_path / "right.csv"),
            "--out",
            str(out),
            "--model",
            str(MODEL),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    with open(out, newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert list(rows[0]) == ["left_id", "right_id", "probability"]
    found = {(r["left_id"], r["right_id"]) for r in rows}
    tp = len(found & truth)
    assert tp / len(found) >= 0.98 and tp / len(truth) >= 0.95
    assert all(float(r["probability"]) >= 0.95 for r in rows)
    assert json.loads(result.stderr.strip().splitlines()[-1])["links"] == len(rows)


def test_link_reports_a_missing_file(tmp_path):
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "parvis.cli",
            "link",
            str(tmp_path / "nope.csv"),
            str(tmp_path / "nope.csv"),
            "--out",
            str(tmp_path / "o.csv"),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0 and "nope.csv" in result.stderr


def test_empty_columns_and_any_order(tmp_path):
    (tmp_path / "l.csv").write_text("last_name,id,first_name\nDupont,1,Jean\nMartin,2,Zoé\n")
    (tmp_path / "r.csv").write_text("id;first_name;last_name;birth_date\n9;Jean;Dupont;\n")
    report = linkage.link_files(
        tmp_path / "l.csv", tmp_path / "r.csv", tmp_path / "o.csv", model_path=MODEL
    )
    assert report["left"] == 2 and report["right"] == 1


class GeneratedExtract(io.RawIOBase):
    """A file-like CSV of `rows` lines made on the fly: a large stream without the disk."""

    def __init__(self, rows: int):
        super().__init__()
        self.rows = rows
        self.position = 0
        self.line = 0
        self.buffer = b""
        self.header = (
            b"NUM_ALLOCATAIRE;NOM;NOM_NAISSANCE;PRENOMS;DATE_NAISSANCE;SEXE;ADRESSE;"
            b"CODE_POSTAL;COMMUNE;COURRIEL;TELEPHONE;QUOTIENT_FAMILIAL;NB_ENFANTS;RSA;"
            b"AIDE_LOGEMENT;DATE_EXTRACTION\r\n"
        )

    def _line(self, i: int) -> bytes:
        return (
            f"{i};NOM{i % 9973};;Prénom{i % 331};{i % 28 + 1:02d}/{i % 12 + 1:02d}/19{i % 90 + 10};"
            f"F;{i % 200} rue Pasteur;54111;Mont-Bonvillers;;;1 {i % 999:03d},50;{i % 4};non;oui;"
            "15/01/2025\r\n"
        ).encode()

    def read(self, size=-1):
        while (size < 0 or len(self.buffer) < size) and self.line <= self.rows:
            self.buffer += self.header if self.line == 0 else self._line(self.line)
            self.line += 1
        size = len(self.buffer) if size < 0 else size
        chunk, self.buffer = self.buffer[:size], self.buffer[size:]
        self.position += len(chunk)
        return chunk

    def readable(self):
        return True

    def seekable(self):
        return True

    def seek(self, offset, whence=0):
        assert offset == 0 and whence == 0
        self.position, self.line, self.buffer = 0, 0, b""
        return 0

    def tell(self):
        return self.position

    def readinto(self, target):
        data = self.read(len(target))
        target[: len(data)] = data
        return len(data)


@pytest.mark.django_db
def test_streaming_memory_is_bounded(caf_profile, tmp_path, monkeypatch):
    """Reading, mapping and staging 20× more rows must not need more memory: it is bounded
    by the staging batch (1,000 rows here, 10,000 in production), not by the file."""
    monkeypatch.setattr(imports, "STAGE_BATCH", 1000)

    def peak(rows: int) -> tuple[int, int]:
        stream = GeneratedExtract(rows)
        scanned = readers.scan(stream, "big.csv")
        job = imports.ImportJob(profile=caf_profile, original_name="big.csv")
        con = linkage.connect(str(tmp_path / f"stage{rows}.duckdb"))
        tracemalloc.start()
        imports._stage(job, stream, scanned, CompiledProfile(caf_profile), con, _NoProgress(job))
        size, top = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        con.close()
        assert job.valid_rows == rows, job.errors[:3]
        return top, scanned.size

    small, small_size = peak(2_000)
    large, large_size = peak(40_000)
    assert large_size > 20 * small_size * 0.9  # tens of MB streamed
    assert large < small * 1.3, (small, large)


class _NoProgress(imports.Progress):
    def update(self, phase, percent, force=False):
        pass


class WideExtract(io.RawIOBase):
    """A CSV extract of about `size` bytes made on the fly: the CAF columns plus a free-text
    column of ~100 kB per line (as exports with notes or history columns have), so that a
    2 GiB file is read end to end in seconds, without the disk."""

    NOTE = 100_000

    def __init__(self, size: int):
        super().__init__()
        self.base = GeneratedExtract(0)
        self.header = self.base.header.rstrip(b"\r\n") + b";OBSERVATIONS\r\n"
        self.note = (b"suivi " * (self.NOTE // 6))[: self.NOTE]
        self.rows = max(1, (size - len(self.header)) // (len(self._line(1)) or 1))
        self.seek(0)

    def _line(self, i: int) -> bytes:
        return self.base._line(i).rstrip(b"\r\n") + b";" + self.note + b"\r\n"

    def seek(self, offset, whence=0):
        assert offset == 0 and whence == 0
        self.position, self.line, self.pending = 0, 0, memoryview(self.header)
        return 0

    def readinto(self, target):
        filled = 0
        while filled < len(target):
            if not self.pending:
                if self.line >= self.rows:
                    break
                self.line += 1
                self.pending = memoryview(self._line(self.line))
            take = min(len(target) - filled, len(self.pending))
            target[filled : filled + take] = self.pending[:take]
            self.pending = self.pending[take:]
            filled += take
        self.position += filled
        return filled

    def readable(self):
        return True

    def seekable(self):
        return True

    def tell(self):
        return self.position


@pytest.mark.django_db
def test_a_2_gib_extract_is_streamed_with_bounded_memory(caf_profile, tmp_path):
    """Bad input "a 2 GB file": 2 GiB are hashed, checked for their encoding, read, mapped and
    staged (the production batch of 10,000 rows) while Python never holds more than a few
    megabytes: the peak traced memory is a tiny fraction of the file."""
    stream = io.BufferedReader(WideExtract(2 << 30), buffer_size=1 << 20)
    tracemalloc.start()
    scanned = readers.scan(stream, "caf.csv")
    job = imports.ImportJob(profile=caf_profile, original_name="caf.csv")
    con = linkage.connect(str(tmp_path / "stage.duckdb"))
    imports._stage(job, stream, scanned, CompiledProfile(caf_profile), con, _NoProgress(job))
    _size, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    con.close()
    assert scanned.size >= 2 << 30 and scanned.encoding == "utf-8"
    assert job.rows == job.valid_rows == stream.raw.rows, job.errors[:3]
    assert peak < 64 << 20, f"peak {peak / 2**20:.0f} MiB for a 2 GiB file"
