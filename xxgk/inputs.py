"""The inputs named on a command line: files, the files under folders, and the members of zip
archives (nested ones too), in a stable order — for `xxgk check` and `xxgk ingest` alike.  An
`Item` says how to reach its bytes without reading them; `Reader` reads them one by one."""

from __future__ import annotations

import io
import os
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator

from .limits import MAX_BYTES
from .readers.errors import ARCHIVE_ERRORS, ReadError

MAX_ARCHIVE_DEPTH = 3
ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")


@dataclass(frozen=True, slots=True)
class Item:
    """One input file: `path` as shown and stored (a member of an archive is archive.zip!/member),
    `chain` how to reach its bytes (a file path, then member names of nested archives)."""

    path: str
    chain: tuple[str, ...]

    @property
    def name(self) -> str:
        return self.path.rsplit("/", 1)[-1].rsplit("!", 1)[-1]


def member_name(info: zipfile.ZipInfo) -> str:
    """A member's name as its author wrote it.  Without the UTF-8 flag (0x800) zipfile decodes the
    name as cp437; the bytes are really UTF-8 (Linux `zip`, macOS), or GBK (Chinese Windows), or
    cp437 after all — tried in that order (a GBK name is practically never valid UTF-8)."""
    name = info.filename
    if info.flag_bits & 0x800:
        return name
    try:
        raw = name.encode("cp437")
    except UnicodeEncodeError:  # not a cp437 decoding (a ZipInfo made in memory): keep it
        return name
    for encoding in ("utf-8", "gbk"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return name


def _member_is_archive(zf: zipfile.ZipFile, info: zipfile.ZipInfo, name: str) -> bytes | None:
    """The member's bytes when it is a zip archive of files by its content (the sniffer of
    xxgk.readers: a DOCX or XLSX is a zip too, but a report; the name does not decide), else None."""
    from .readers import is_archive

    try:
        with zf.open(info) as fh:
            if fh.read(4) not in ZIP_MAGIC:
                return None
        data = zf.read(info)
    except (zipfile.BadZipFile, OSError, EOFError, RuntimeError, NotImplementedError, ValueError):
        return None  # read as a file: it fails with its message then
    return data if is_archive(data, name) else None


def _file_is_archive(p: Path) -> bool:
    from .readers import kind_of_members

    try:
        with open(p, "rb") as fh:
            if fh.read(4) not in ZIP_MAGIC:
                return False
        with zipfile.ZipFile(p) as zf:
            return kind_of_members(zf.namelist()) == "zip"
    except (zipfile.BadZipFile, OSError, EOFError, RuntimeError, NotImplementedError, ValueError):
        return False  # a damaged archive is a failed file, with its message


def _archive_items(zf: zipfile.ZipFile, shown: str, chain: tuple[str, ...], depth: int) -> Iterator[Item]:
    for info in sorted(zf.infolist(), key=lambda i: i.filename):
        if info.is_dir():
            continue
        name = member_name(info)
        if any(part.startswith(".") or part == "__MACOSX" for part in name.split("/")):
            continue
        member_chain = chain + (info.filename,)
        data = _member_is_archive(zf, info, name) if depth < MAX_ARCHIVE_DEPTH else None
        if data is not None:
            try:
                with zipfile.ZipFile(io.BytesIO(data)) as inner:
                    yield from _archive_items(inner, f"{shown}!/{name}", member_chain, depth + 1)
                continue
            except ARCHIVE_ERRORS:
                pass  # not a readable archive: ingest it as a file (it will fail with its message)
        yield Item(f"{shown}!/{name}", member_chain)


def walk(paths: Iterable[str | os.PathLike], skip: Iterable[Path] = ()) -> Iterator[Item]:
    """Every file named, under the folders named and inside zip archives (sorted, hidden files
    skipped), except the `skip` files (the database itself)."""
    skip_set = {p.resolve() for p in skip}
    for p in map(Path, paths):
        if p.is_dir():
            for root, dirs, files in os.walk(p):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for f in sorted(files):
                    if not f.startswith("."):
                        yield from _file_items(Path(root) / f, skip_set)
        else:
            yield from _file_items(p, skip_set)


def _file_items(p: Path, skip_set: set[Path]) -> Iterator[Item]:
    if skip_set and any(p.name == s.name for s in skip_set) and p.resolve() in skip_set:
        return
    if p.is_file() and _file_is_archive(p):
        try:
            with zipfile.ZipFile(p) as zf:
                yield from _archive_items(zf, str(p), (str(p),), 1)
            return
        except ARCHIVE_ERRORS:
            pass  # a damaged archive is a failed file, with its message
    yield Item(str(p), (str(p),))


class Reader:
    """Reads items; keeps the last archive open, so the members of a large archive are read one
    by one without re-reading the archive."""

    def __init__(self):
        self._path: str | None = None
        self._zip: zipfile.ZipFile | None = None

    def read(self, item: Item) -> bytes:
        if len(item.chain) == 1:
            with open(item.chain[0], "rb") as fh:
                return fh.read()
        if self._path != item.chain[0]:
            self.close()
            self._zip = zipfile.ZipFile(item.chain[0])
            self._path = item.chain[0]
        data = _member(self._zip, item.chain[1])
        for member in item.chain[2:]:  # nested archives are read in memory
            with zipfile.ZipFile(io.BytesIO(data)) as inner:
                data = _member(inner, member)
        return data

    def close(self) -> None:
        if self._zip is not None:
            self._zip.close()
        self._zip = self._path = None


def _member(zf: zipfile.ZipFile, name: str) -> bytes:
    """A member's bytes, never more than `limits.MAX_BYTES` inflated (the size its header states
    may lie): a zip bomb is refused, not unpacked."""
    from . import limits
    from .readers import sniff

    info = zf.getinfo(name)
    if info.file_size > MAX_BYTES:
        raise ReadError(f"压缩包中的文件过大（解压后{info.file_size // (1024 * 1024)} MB），超过{MAX_BYTES // (1024 * 1024)} MB上限", "too-large")
    if info.file_size > 1024 * 1024 and info.compress_size and info.file_size / info.compress_size > limits.MAX_RATIO:
        raise ReadError(f"压缩包中的文件压缩比异常（{info.file_size // info.compress_size}倍），疑似压缩炸弹，已拒绝读取", "zip-bomb")
    with zf.open(info) as fh:
        head = fh.read(4096)
        # a text or a web page is refused at its own (smaller) limit before it is inflated whole
        cap = {"text": limits.MAX_TEXT_BYTES, "html": limits.MAX_HTML_BYTES}.get(sniff(head, name) if not head.startswith(b"PK") else "", MAX_BYTES)
        data = head + fh.read(cap + 1 - len(head))
    if len(data) > cap:
        raise ReadError(f"压缩包中的文件过大（解压后超过{cap // (1024 * 1024)} MB），已拒绝读取", "too-large")
    return data


def read_item(item: Item) -> bytes:
    """The bytes of an item (OSError / zipfile errors propagate)."""
    reader = Reader()
    try:
        return reader.read(item)
    finally:
        reader.close()
