"""Formats we read through a conversion: Word 97–2003 ``.doc``, WPS ``.wps``, and OFD.

``.doc`` and ``.wps`` are converted to ``.docx`` by LibreOffice (``soffice
--headless --convert-to docx``) when it is installed, then read by
:mod:`kg.readers.docx`; the text is the converted document's, and the
metadata names the original file and its sha256. Without LibreOffice, or
for OFD (which LibreOffice does not read), the error says how to convert.
"""
from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from kg.errors import InputError
from kg.model import ReportMeta

__all__ = ["read_converted", "office_binary", "CONVERT_TIMEOUT"]

CONVERT_TIMEOUT = 120  # seconds for one document; LibreOffice's first start is slow
_NAMES = {"doc": "a Word 97–2003 (.doc) document", "wps": "a WPS Writer (.wps) document"}


def office_binary() -> str | None:
    """The LibreOffice command on PATH, if any."""
    return shutil.which("soffice") or shutil.which("libreoffice")


def read_converted(path: Path, data: bytes, meta: ReportMeta, name: str, *, kind: str) -> str:
    """Convert ``path`` to .docx with LibreOffice and read that; :class:`InputError` saying how otherwise."""
    if kind == "ofd":
        raise InputError(f"{name}: an OFD document; kg does not read OFD: export it to PDF with an OFD reader "
                         "(such as the one its publisher links to) and build the PDF")
    what = _NAMES.get(kind, "an old Office document")
    office = office_binary()
    if office is None:
        raise InputError(f"{name}: {what}; install LibreOffice (apt-get install libreoffice-writer) so that kg can "
                         f"convert it, or save it as .docx and build that")
    from kg.readers.docx import read_docx

    with tempfile.TemporaryDirectory(prefix="kg-convert-") as tmp:
        source = Path(tmp) / f"report.{kind}"
        source.write_bytes(data)  # a name LibreOffice can handle, whatever the user's file is called
        command = [office, "--headless", "--norestore", f"-env:UserInstallation=file://{tmp}/profile",
                   "--convert-to", "docx", "--outdir", tmp, str(source)]
        try:
            subprocess.run(command, capture_output=True, timeout=CONVERT_TIMEOUT, check=False)
        except subprocess.TimeoutExpired:
            raise InputError(f"{name}: LibreOffice did not convert it within {CONVERT_TIMEOUT} s") from None
        except OSError as err:
            raise InputError(f"{name}: LibreOffice could not be started ({err.strerror or err})") from None
        converted = Path(tmp) / "report.docx"
        if not converted.is_file():
            raise InputError(f"{name}: LibreOffice could not convert {what}; save it as .docx and build that")
        text = read_docx(converted.read_bytes(), meta, name)
    meta.format = "docx"  # the text is that of the converted Word document
    return text
