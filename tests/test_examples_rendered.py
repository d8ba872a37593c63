"""The rendered examples in examples/rendered/ are what scripts/make_examples.py writes, and they
check without errors."""

import importlib.util
from pathlib import Path

from xxgk import parse_path
from xxgk.render import render

ROOT = Path(__file__).resolve().parents[1]


def _script():
    spec = importlib.util.spec_from_file_location("make_examples", ROOT / "scripts" / "make_examples.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_committed_txt_examples_match_the_script_and_check_clean():
    for stem, rd in _script().build():
        path = ROOT / "examples" / "rendered" / f"{stem}.txt"
        assert path.read_bytes() == render(rd, "txt"), f"{path.name} is stale: run scripts/make_examples.py --formats txt"
        rep = parse_path(path)
        assert not rep.has_errors
        assert rep.to_json()["requests"] == rd.canonical()["requests"]
