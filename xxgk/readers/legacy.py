"""Legacy Word (.doc) and WPS (.wps) files — OLE compound documents — read by converting them to
DOCX with LibreOffice (``soffice --headless``) in a private temporary folder, with a time limit,
and then reading the DOCX.  Without LibreOffice the user gets one line saying so."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from ..document import Document
from . import register
from .errors import ReadError

TIMEOUT = 120  # seconds; the first run also creates LibreOffice's profile
_WORD_STREAM = "WordDocument".encode("utf-16-le")
_ENCRYPTED = "EncryptedPackage".encode("utf-16-le")  # a password-protected DOCX/XLSX is an OLE file
_EXCEL_STREAMS = ("Workbook".encode("utf-16-le"), "Book".encode("utf-16-le"))


def soffice() -> str | None:
    """The LibreOffice executable, if installed (tests replace this to simulate its absence)."""
    return shutil.which("soffice") or shutil.which("libreoffice")


def convert_to_docx(data: bytes, suffix: str = ".doc") -> bytes:
    exe = soffice()
    if exe is None:
        raise ReadError("旧版 Word 格式（.doc/.wps）需要安装 LibreOffice 才能读取", "needs-libreoffice")
    with tempfile.TemporaryDirectory(prefix="xxgk-soffice-") as tmp:
        src = Path(tmp) / f"input{suffix}"
        src.write_bytes(data)
        profile = Path(tmp) / "profile"  # a private profile: parallel conversions do not collide
        cmd = [exe, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore", "--nologo",
               "--convert-to", "docx:MS Word 2007 XML", "--outdir", tmp, str(src)]
        try:
            subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                           timeout=TIMEOUT, check=False, env={**os.environ, "HOME": tmp})
        except subprocess.TimeoutExpired:
            raise ReadError(f"LibreOffice 转换超时（超过 {TIMEOUT} 秒），无法读取此旧版 Word 文件", "convert-timeout") from None
        except OSError as exc:
            raise ReadError(f"无法运行 LibreOffice：{exc.strerror or exc}", "convert-failed") from None
        out = Path(tmp) / "input.docx"
        if not out.is_file() or out.stat().st_size == 0:
            raise ReadError("LibreOffice 无法转换此文件（旧版 Word 文件可能已损坏或加密）", "convert-failed")
        return out.read_bytes()


@register("ole")
def read_ole(data: bytes, name: str = "") -> Document:
    head = data[:1 << 20]
    if _ENCRYPTED in data:
        raise ReadError("文件已加密（设有打开密码），请去除密码后再读取", "encrypted")
    if _WORD_STREAM not in data and any(s in head for s in _EXCEL_STREAMS):
        raise ReadError("是旧版 Excel 表格（.xls），不是年报文档，暂不支持读取", "unsupported-format")
    from .docx import read_docx

    suffix = ".wps" if name.lower().endswith(".wps") else ".doc"
    doc = read_docx(convert_to_docx(data, suffix), name)
    doc.format = "doc"
    doc.layout = "libreoffice"
    return doc
