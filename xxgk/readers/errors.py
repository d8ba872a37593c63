class ReadError(Exception):
    """The input cannot be read as a document.  The message is one Chinese sentence for the user;
    `reason` is a short stable English tag for logs and the corpus database."""

    def __init__(self, message: str, reason: str = "unreadable"):
        super().__init__(message)
        self.reason = reason


def _archive_errors() -> tuple[type[BaseException], ...]:
    import lzma
    import struct
    import zipfile
    import zlib

    # what zipfile and its decompressors raise on a damaged or hostile archive: a bad header or
    # directory (BadZipFile, struct.error, ValueError, EOFError, OverflowError), a method or
    # version it cannot read (NotImplementedError), an encrypted member (RuntimeError), a broken
    # deflate / bzip2 / lzma stream (zlib.error, OSError, LZMAError), a bad name (UnicodeDecodeError)
    return (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, lzma.LZMAError, struct.error, OSError, EOFError,
            ValueError, OverflowError, NotImplementedError, RuntimeError, KeyError, IndexError)


ARCHIVE_ERRORS = _archive_errors()
