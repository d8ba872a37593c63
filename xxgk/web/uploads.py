"""Uploaded files → the (path, name, bytes) items the store's ingest takes, safely.

Nothing uploaded is ever written to disk under a name it chose: archives are opened in memory and
their members read with a hard cap, so a member name like ``../../etc/passwd`` could do no harm —
but it is refused all the same, with the whole archive, because an archive built that way is an
attack, not a batch of reports.  Zip bombs are refused by three independent limits: the sizes the
archive declares, the compression ratio of each member, and the bytes actually inflated (a member
that lies about its size is cut off at the limit).
"""

from __future__ import annotations

import io
import posixpath
import re
import stat
import zipfile
from dataclasses import dataclass

from ..inputs import member_name

MiB = 1 << 20


@dataclass(frozen=True)
class Limits:
    max_file_bytes: int = 20 * MiB  # one file, or one member of an archive once inflated
    max_files: int = 1000  # files in one upload, archive members included
    max_request_bytes: int = 200 * MiB  # the whole request body
    max_total_bytes: int = 400 * MiB  # everything in one upload once inflated
    max_ratio: int = 100  # inflated / compressed, per member (text compresses ~5-10×)
    max_depth: int = 2  # archives inside archives


class UploadRefused(Exception):
    """The upload is refused; the message is one Chinese sentence for the user."""

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class Item:
    path: str  # as stored: the file name, or archive.zip!/member/path
    name: str  # the file name alone (the reader sniffs its extension)
    data: bytes


@dataclass(frozen=True)
class Skipped:
    path: str
    message: str  # why this one file was not taken (the rest of the upload goes on)


_BAD_CHARS = re.compile(r"[\x00-\x1f\x7f]")


def clean_name(name: str | None) -> str:
    """The base name of an uploaded file as the browser sent it, without folders or control
    characters (browsers send a base name; other clients may send anything)."""
    name = _BAD_CHARS.sub("", (name or "").replace("\\", "/")).strip()
    name = name.rsplit("/", 1)[-1].strip()
    if name in ("", ".", ".."):
        return "未命名文件"
    return name[:200]


def is_archive(name: str, data: bytes) -> bool:
    """A zip archive of files, told by content with the sniffer of `xxgk check` (a DOCX or XLSX is
    a zip file too, and is a report).  A file named .zip that is no zip at all is taken as a
    broken archive, to be refused with that message."""
    from ..readers import is_archive as sniffed_archive

    if data[:2] == b"PK":
        return sniffed_archive(data, name)
    return name.lower().endswith(".zip")


def safe_member_path(name: str) -> str:
    """The member's path inside the archive, or UploadRefused when it would leave the archive's
    folder (absolute, drive letter, `..`) — path traversal."""
    p = name.replace("\\", "/")
    if p.startswith("/") or re.match(r"^[A-Za-z]:", p) or _BAD_CHARS.search(p):
        raise UploadRefused(f"压缩包中的文件名“{name[:80]}”指向压缩包以外的位置，已拒绝整个压缩包")
    parts = [s for s in p.split("/") if s not in ("", ".")]
    if any(s == ".." for s in parts):
        raise UploadRefused(f"压缩包中的文件名“{name[:80]}”指向压缩包以外的位置，已拒绝整个压缩包")
    return posixpath.join(*parts) if parts else ""


class _Budget:
    def __init__(self, limits: Limits):
        self.limits = limits
        self.files = 0
        self.bytes = 0

    def take(self, n_bytes: int) -> None:
        self.files += 1
        self.bytes += n_bytes
        if self.files > self.limits.max_files:
            raise UploadRefused(f"一次最多上传{self.limits.max_files}个文件（含压缩包内的文件）", 413)
        if self.bytes > self.limits.max_total_bytes:
            raise UploadRefused(f"上传内容解压后超过{self.limits.max_total_bytes // MiB} MB，请分批上传", 413)


def expand(uploads: list[tuple[str, bytes]], limits: Limits = Limits()) -> tuple[list[Item], list[Skipped]]:
    """The files of an upload (archives opened), or UploadRefused for the whole upload."""
    if not uploads:
        raise UploadRefused("没有选择文件")
    budget = _Budget(limits)
    items: list[Item] = []
    skipped: list[Skipped] = []
    for raw_name, data in uploads:
        name = clean_name(raw_name)
        if len(data) > limits.max_file_bytes and not is_archive(name, data):
            raise UploadRefused(f"文件“{name}”超过{limits.max_file_bytes // MiB} MB", 413)
        if is_archive(name, data):
            _archive(name, data, limits, budget, items, skipped, depth=1)
        else:
            budget.take(len(data))
            items.append(Item(name, name, data))
    return _unique(items), skipped


def _unique(items: list[Item]) -> list[Item]:
    """Two files of one upload under the same name: the second is shown as “name (2)”."""
    seen: dict[str, int] = {}
    out = []
    for it in items:
        n = seen.get(it.path, 0) + 1
        seen[it.path] = n
        out.append(it if n == 1 else Item(f"{it.path} ({n})", it.name, it.data))
    return out


def _archive(shown: str, data: bytes, limits: Limits, budget: _Budget, items, skipped, depth: int) -> None:
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError):
        if depth == 1 and shown.lower().endswith(".zip"):
            raise UploadRefused(f"“{shown}”不是有效的zip压缩包") from None
        skipped.append(Skipped(shown, "不是有效的zip压缩包"))
        return
    with zf:
        infos = [i for i in zf.infolist() if not i.is_dir()]
        if len(infos) > limits.max_files:
            raise UploadRefused(f"压缩包“{shown}”含{len(infos)}个文件，一次最多{limits.max_files}个", 413)
        # every name first: one bad name refuses the archive before anything is inflated
        named = []
        for info in infos:
            name = member_name(info)
            path = safe_member_path(name)
            if stat.S_ISLNK(info.external_attr >> 16):
                raise UploadRefused(f"压缩包中的“{name[:80]}”是符号链接，已拒绝整个压缩包")
            named.append((info, path))
        declared = sum(i.file_size for i in infos)
        if declared > limits.max_total_bytes:
            raise UploadRefused(f"压缩包“{shown}”解压后有{declared // MiB} MB，超过{limits.max_total_bytes // MiB} MB", 413)
        for info, path in named:
            base = path.rsplit("/", 1)[-1]
            if not path or any(p.startswith(".") or p == "__MACOSX" for p in path.split("/")):
                continue  # hidden files and macOS resource forks
            shown_member = f"{shown}!/{path}"
            if info.file_size > limits.max_file_bytes:
                raise UploadRefused(f"压缩包中的“{path}”解压后超过{limits.max_file_bytes // MiB} MB", 413)
            if info.compress_size and info.file_size > MiB and info.file_size / info.compress_size > limits.max_ratio:
                raise UploadRefused(f"压缩包中的“{path}”压缩比异常（{info.file_size // info.compress_size}倍），疑似压缩炸弹，已拒绝", 413)
            if info.flag_bits & 0x1:
                skipped.append(Skipped(shown_member, "文件已加密，无法读取"))
                continue
            body = _read_capped(zf, info, limits, path)
            if body is None:
                skipped.append(Skipped(shown_member, "压缩包中的文件已损坏，无法解压"))
                continue
            nested = is_archive(base, body)
            if nested and depth < limits.max_depth:
                _archive(shown_member, body, limits, budget, items, skipped, depth + 1)
                continue
            if nested:
                raise UploadRefused(f"压缩包嵌套超过{limits.max_depth}层，已拒绝", 413)
            budget.take(len(body))
            items.append(Item(shown_member, base, body))


def _read_capped(zf: zipfile.ZipFile, info: zipfile.ZipInfo, limits: Limits, path: str) -> bytes | None:
    """The member's bytes, never more than the limit whatever its header claims."""
    cap = limits.max_file_bytes
    try:
        with zf.open(info) as fh:
            out = bytearray()
            while True:
                chunk = fh.read(min(MiB, cap + 1 - len(out)))
                if not chunk:
                    break
                out += chunk
                if len(out) > cap:
                    raise UploadRefused(f"压缩包中的“{path}”解压后超过{cap // MiB} MB，疑似压缩炸弹，已拒绝", 413)
                if info.compress_size and len(out) > MiB and len(out) / info.compress_size > limits.max_ratio:
                    raise UploadRefused(f"压缩包中的“{path}”压缩比异常，疑似压缩炸弹，已拒绝", 413)
            return bytes(out)
    except UploadRefused:
        raise
    except (zipfile.BadZipFile, OSError, EOFError, RuntimeError, NotImplementedError, ValueError):
        return None
