"""Old Word, WPS and OFD files: converted by LibreOffice when it is there, else one line saying how."""
from __future__ import annotations

import os
import stat

import pytest

from kg.errors import InputError
from kg.readers import read_document

from tests.conftest import FIXTURES

OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512


@pytest.mark.parametrize("name", ["report.doc", "report.wps"])
def test_without_libreoffice_the_error_says_how_to_convert(tmp_path, monkeypatch, name):
    monkeypatch.setenv("PATH", str(tmp_path / "empty-bin"))
    path = tmp_path / name
    path.write_bytes(OLE)
    with pytest.raises(InputError) as info:
        read_document(path)
    message = str(info.value)
    assert message.startswith(str(path)) and "LibreOffice" in message and ".docx" in message and "\n" not in message


def test_ofd_says_to_export_a_pdf(tmp_path):
    path = tmp_path / "report.ofd"
    path.write_bytes(b"PK\x03\x04" + b"\x00" * 30 + b"OFD.xml")
    with pytest.raises(InputError, match="export it to PDF"):
        read_document(path)


def test_with_libreoffice_the_converted_document_is_read(tmp_path, monkeypatch):
    # A stand-in for soffice that "converts" by copying a Word file to --outdir, as soffice names it.
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    fake = bin_dir / "soffice"
    fake.write_text("#!/bin/sh\nwhile [ \"$1\" != \"--outdir\" ]; do shift; done\n"
                    f"cp '{FIXTURES / 'formats' / 'report.docx'}' \"$2/report.docx\"\n", encoding="utf-8")
    fake.chmod(fake.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setenv("PATH", str(bin_dir) + os.pathsep + os.environ.get("PATH", ""))
    path = tmp_path / "old.doc"
    path.write_bytes(OLE)
    meta, text = read_document(path)
    assert meta.format == "docx" and meta.source == "old.doc" and "调解成功率99.0%" in text
