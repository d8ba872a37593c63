"""xxgk — read, check, store and write China's annual government-information-disclosure reports
(政府信息公开工作年度报告)."""

__version__ = "0.1.0"
# bump when a change to the readers or extractor can change what a stored report holds; the
# corpus re-parses files ingested by an older parser version
PARSER_VERSION = "1"

from .pipeline import parse_bytes, parse_path  # noqa: E402
from .readers import ReadError  # noqa: E402

__all__ = ["__version__", "PARSER_VERSION", "parse_bytes", "parse_path", "ReadError"]
