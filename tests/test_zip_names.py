"""Zip member names without the UTF-8 flag: UTF-8 (Linux `zip`), then GBK (Chinese Windows),
then cp437 — each comes out as its author wrote it, and the member is still read."""

import zipfile

import pytest

from xxgk.inputs import Reader, walk


def _zip_with_raw_name(path, raw: bytes, body: bytes = b"content") -> None:
    """A zip whose one member's name is the bytes `raw`, with the UTF-8 flag cleared (as Linux
    `zip` and Windows tools write them)."""
    placeholder = b"N" * len(raw)
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr(zipfile.ZipInfo(placeholder.decode()), body)
    data = bytearray(path.read_bytes())
    assert data.count(placeholder) == 2
    data = data.replace(placeholder, raw)
    for sig, flag_at in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        pos = data.find(sig)
        flags = int.from_bytes(data[pos + flag_at:pos + flag_at + 2], "little") & ~0x800
        data[pos + flag_at:pos + flag_at + 2] = flags.to_bytes(2, "little")
    path.write_bytes(bytes(data))


@pytest.mark.parametrize("name, encoding", [
    ("青山镇2024年报.txt", "utf-8"),   # Linux zip: UTF-8 bytes, no flag
    ("报告/東湖區年报.txt", "utf-8"),
    ("青山镇2024年报.txt", "gbk"),     # Chinese Windows
    ("café.txt", "cp437"),            # an old DOS tool: neither UTF-8 nor GBK
])
def test_member_name_is_decoded(tmp_path, name, encoding):
    z = tmp_path / "batch.zip"
    _zip_with_raw_name(z, name.encode(encoding), b"body")
    (item,) = list(walk([z]))
    assert item.path == f"{z}!/{name}"
    assert item.name == name.rsplit("/", 1)[-1]
    assert Reader().read(item) == b"body"  # read by the name stored in the archive
