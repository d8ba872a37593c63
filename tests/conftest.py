import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SEEDS = Path(os.environ.get("XXGK_SEEDS", ROOT.parent / "shared" / "seeds"))


def seed_path(prefix: str) -> Path:
    matches = sorted(SEEDS.glob(f"{prefix}_*.txt"))
    if not matches:
        pytest.skip(f"seed {prefix} not found under {SEEDS} (set XXGK_SEEDS)")
    return matches[0]


@pytest.fixture
def seeds_dir() -> Path:
    if not SEEDS.is_dir():
        pytest.skip(f"seeds folder {SEEDS} not found (set XXGK_SEEDS)")
    return SEEDS
