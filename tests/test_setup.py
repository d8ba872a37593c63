"""README truth for set-up: command 2 is what CI runs, the system packages sit behind one script
that says what it needs when it cannot install, no test depends on a font path, and the
dependencies are declared as ranges with an exact, hashed lock for CI."""

import os
import re
import subprocess
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _readme_commands() -> list[str]:
    block = re.search(r"```bash\n(.*?)```", (ROOT / "README.md").read_text(encoding="utf-8"), re.S).group(1)
    return [line for line in block.splitlines() if line and not line.startswith("#")]


def test_readme_command_2_is_what_ci_runs_and_sets_up_the_system():
    install, test = _readme_commands()[:2]
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert test in ci.splitlines()
    assert test.startswith("sh scripts/setup-system.sh && ")
    assert "requirements/ci.lock" in test and test.endswith(".venv/bin/python -m pytest")
    assert "xxgk check examples/" in install and "xxgk ingest examples/" in install


def _fake_bin(tmp_path: Path, uid: str, apt: bool) -> dict:
    """A PATH where every Debian package is missing, `id -u` says `uid`, and apt-get is (not) there."""
    bin_ = tmp_path / "bin"
    bin_.mkdir()
    scripts = {"dpkg-query": "exit 1", "id": f"echo {uid}", "sudo": "exit 1"}
    if apt:
        scripts["apt-get"] = "echo apt-get \"$@\" >> " + str(tmp_path / "apt.log")
    for name, body in scripts.items():
        (bin_ / name).write_text(f"#!/bin/sh\n{body}\n")
        (bin_ / name).chmod(0o755)
    return {**os.environ, "PATH": f"{bin_}:/usr/bin:/bin"}


def _setup(env) -> subprocess.CompletedProcess:
    return subprocess.run(["sh", str(ROOT / "scripts" / "setup-system.sh")], env=env, capture_output=True,
                          text=True, timeout=60)


def test_setup_script_says_what_it_needs_when_not_root(tmp_path):
    r = _setup(_fake_bin(tmp_path, "1000", apt=True))
    assert r.returncode == 1
    line = r.stderr.strip()
    assert len(line.splitlines()) == 1 and "root" in line
    assert "sudo apt-get install -y chromium fonts-noto-cjk" in line and "poppler-utils" in line
    assert not (tmp_path / "apt.log").exists()


def test_setup_script_says_what_it_needs_without_apt(tmp_path):
    env = _fake_bin(tmp_path, "0", apt=False)
    env["PATH"] = env["PATH"].split(":")[0]  # no /usr/bin: no apt-get
    r = subprocess.run(["/bin/sh", str(ROOT / "scripts" / "setup-system.sh")], env=env, capture_output=True,
                       text=True, timeout=60)
    assert r.returncode == 1
    assert "没有 apt-get" in r.stderr and "libreoffice-writer-nogui" in r.stderr


def test_setup_script_installs_what_is_missing_as_root(tmp_path):
    r = _setup(_fake_bin(tmp_path, "0", apt=True))
    assert r.returncode == 0, r.stderr
    log = (tmp_path / "apt.log").read_text().splitlines()
    assert log[0] == "apt-get update -qq"
    assert log[1].startswith("apt-get install -y -qq") and "chromium" in log[1] and "fontconfig" in log[1]


def test_no_test_depends_on_a_font_path():
    for path in (ROOT / "tests").rglob("*.py"):
        if path.name != "test_setup.py":
            text = path.read_text(encoding="utf-8")
            assert not re.search("/usr/share/" + "fonts|/usr/local/share/fonts", text), path


def test_dependencies_are_ranges_and_the_lock_pins_them_with_hashes():
    meta = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    declared = list(meta["dependencies"]) + [d for ds in meta["optional-dependencies"].values() for d in ds]
    lock = (ROOT / "requirements" / "ci.lock").read_text(encoding="utf-8")
    pinned = {m.group(1).lower(): m.group(2) for m in re.finditer(r"^([A-Za-z0-9_.\-]+)==(\S+) \\$", lock, re.M)}
    # every pinned package carries at least one sha256 hash
    entries = re.split(r"\n(?=[A-Za-z0-9])", lock.split("\n", 1)[1] if lock.startswith("#") else lock)
    for e in entries:
        if e.strip() and not e.startswith("#"):
            assert "--hash=sha256:" in e, e.splitlines()[0]
    for dep in declared:
        assert "==" not in dep, dep
        name = re.match(r"[A-Za-z0-9_.\-]+", dep).group(0).lower()
        if name == "xxgk":
            continue
        assert ">=" in dep and "<" in dep, dep  # a compatible range
        assert name.replace("_", "-") in pinned, f"{name} missing from requirements/ci.lock (run scripts/lock.sh)"
    # rapidocr's own dependencies are its business, not ours: we declare only what we import
    for transitive in ("onnxruntime", "pyclipper", "shapely", "six", "tqdm", "flatbuffers", "protobuf"):
        assert not any(re.match(rf"{transitive}\b", d) for d in declared), transitive
