"""`xxgk serve`: the review desk, a web interface over the corpus database (see docs/web.md)."""

from .app import Settings, create_app

__all__ = ["create_app", "Settings"]
