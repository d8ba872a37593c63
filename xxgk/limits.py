"""Every bound on untrusted input, declared in one place.

Every input is untrusted: a file may be damaged or made to hurt.  Each limit below is far above
anything an annual report needs (a report is 5–40 pages, a few hundred lines, four tables of at
most ~30 rows by ~15 columns) and far below what would let a small file take minutes or
gigabytes.  Crossing one gives a clear one-line error (`ReadError`) or, where the rest of the
document is still worth reading, a finding — never a traceback, never a silent cut.

Goal these serve: any input under 20 MB is read, extracted and checked within 10 s and 500 MB.
"""

from __future__ import annotations

# -- whole inputs ------------------------------------------------------------------------------
MAX_BYTES = 200 * 1024 * 1024  # any file; larger ones are refused before they are looked at
MAX_TEXT_BYTES = 8 * 1024 * 1024  # a plain-text file (a report as text is ~100 KB)
MAX_HTML_BYTES = 24 * 1024 * 1024  # a web page (inline images make some pages a few MB)
MAX_TEXT_CHARS = 1_500_000  # characters of a document's text (a report is ~30,000)
MAX_HTML_CHARS = 5_000_000  # characters of a web page's source, markup and inline images included
MAX_LINES = 100_000  # lines of a document after reading (a report has a few hundred)
MAX_LINE_CHARS = 100_000  # one line longer than this is cut into pieces at sentence ends

# -- numbers -----------------------------------------------------------------------------------
# A cell or a quantity in the prose with more digits than this is not a count or an amount of a
# report (the largest, a fee in 元, has ~10 digits): it is read as text, not as a number.
# (Python refuses int() of more than 4,300 digits; we stop long before.)
MAX_NUMBER_DIGITS = 15

# -- tables ------------------------------------------------------------------------------------
MAX_COLSPAN = 1000  # the HTML limit; a larger span is malformed, not a wider table
MAX_TABLES = 300  # tables in one document (a report has 3–10; a web page a few dozen)
MAX_TABLE_ROWS = 2_000  # rows of one table (a report table has < 50)
MAX_TABLE_CELLS = 200_000  # grid slots (rows × width) of one table after spans are expanded
MAX_DOC_CELLS = 40_000  # table cells of one document, all tables together (a report has ~600)

# -- packages (DOCX, zip) ----------------------------------------------------------------------
MAX_PART = 16 * 1024 * 1024  # decompressed size of one XML part (a report's is < 2 MB); more is refused
MAX_RATIO = 200  # decompressed/compressed: Word XML compresses ~10:1, bombs by thousands
MAX_XML_DEPTH = 256  # element nesting (Word nests ~15 deep, web pages ~40)

# -- PDF ---------------------------------------------------------------------------------------
MAX_PAGES = 500
MAX_PDF_STREAM_SLACK = 256 * 1024  # bytes a stream may run past 4× its declared /Length
MAX_PDF_REDEFINED = 64  # times one object may be defined (incremental saves redefine a few times)
MAX_PAGE_RULES = 2_000  # ruling lines on one page (a page of a report's tables has ~200–800);
# a page with more is read as text without its lines (a finding says so)
MAX_GRID_SLOTS = 5_000  # cells of one table grid found from ruling lines (a report table has < 500)
MAX_PAGE_GLYPHS = 20_000  # characters on one page (a dense page has ~3,000)
MAX_DOC_GLYPHS = 300_000  # characters of a whole PDF (a 40-page report has ~60,000)
MAX_PAGE_OBJECTS = 20_000  # path objects (or segments of one path) looked at on one page

# -- images ------------------------------------------------------------------------------------
MAX_IMAGE_PIXELS = 40_000_000  # one page (an A4 scan at 600 dpi is 35 M)
MAX_IMAGE_TOTAL = 120_000_000  # all pages (frames) of one image file together
MAX_IMAGE_FRAMES = 200
MAX_OCR_PIXELS = 6_000_000  # a page is read by OCR within this (A4 at 200 dpi is 3.9 M): a scanned PDF page is
# rendered within it, and a page image is enlarged only up to it (and reduced to it when larger)
MAX_OCR_LINES = 1_000  # line images recognised on one page (a dense report page has ~150)
MAX_OCR_COLUMNS = 100_000  # recogniser input columns of one page, all lines together (a page of a
# report has 20,000–50,000: ~200 lines, each at least 192 columns; the recogniser does ~5,000 a second)
MAX_OCR_LINE_COLUMNS = 3_000  # one line image wider than this, once scaled to the recogniser's
# 48-pixel height, is not a line of text (a full A4 line of a report's ~29-pixel characters is
# ~1,700) but a band of scanner noise: it is not recognised
MAX_SKEW_INK = 0.08  # share of a page's pixels in long horizontal strokes above which the page is
# noise, not ruled lines, and is not straightened (a ruled report page has ~1.5 %)

# -- time --------------------------------------------------------------------------------------
# Reading is checked against a deadline between pages, table cells and batches of text lines
# (seconds of the process's CPU time, so that a loaded machine does not change what is read);
# work in C that Python cannot interrupt (PDFium, OpenCV, the recogniser) is bounded by the sizes
# above instead.  What is not read when the time is up is left empty with a finding
# (`OCR_INCOMPLETE`), or the file is refused with one line (`read-time-limit`).
READ_SECONDS = 8.0  # reading one document's text layer (a 40-page PDF takes < 1 s)
OCR_PAGE_SECONDS = 8.0  # OCR of each page, added to the document's budget: an A4 page at 200 dpi (or
# larger) gets all of it, a smaller image its share by pixels, at least a quarter (a dense report
# page takes ~4.5 s of CPU with one recogniser thread); pages finished early leave time to the rest
OCR_PAGE_PIXELS = 3_900_000  # the pixels of that A4 page (1654 × 2339)
OCR_CHUNK_COLUMNS = 6_000  # recogniser columns run between two looks at the clock (~1 s)
