"""The lock files are what gets installed (make setup: pip --require-hashes): every requirement
in requirements*.txt must be pinned there, at a version it allows, with hashes."""

from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[2]


def _requirements(path: Path) -> list[Requirement]:
    found = []
    for line in path.read_text().splitlines():
        line = line.split("#")[0].strip()
        if not line:
            continue
        if line.startswith("-r "):
            found += _requirements(path.parent / line[3:].strip())
        else:
            found.append(Requirement(line))
    return found


def _pins(lock: Path) -> dict[str, tuple[str, int]]:
    pins, name = {}, None
    for line in lock.read_text().splitlines():
        if line and not line.startswith((" ", "#")):
            spec = line.split(";")[0].split("\\")[0].strip()
            name, version = spec.split("==")
            name = canonicalize_name(name.split("[")[0])
            pins[name] = (version, 0)
        elif "--hash=sha256:" in line and name:
            pins[name] = (pins[name][0], pins[name][1] + 1)
    return pins


@pytest.mark.parametrize("source,lock", [("requirements.txt", "requirements.lock"), ("requirements-dev.txt", "requirements-dev.lock")])
def test_every_requirement_is_pinned_with_hashes(source, lock):
    pins = _pins(ROOT / lock)
    for req in _requirements(ROOT / source):
        name = canonicalize_name(req.name)
        assert name in pins, f"{req.name} is in {source} but not in {lock}: run `make lock`"
        version, hashes = pins[name]
        assert req.specifier.contains(version, prereleases=True), f"{lock} pins {name}=={version}, {source} asks {req.specifier}"
        assert hashes >= 1, f"{name} has no hash in {lock}"
    assert all(h >= 1 for _v, h in pins.values())


def test_the_runtime_lock_agrees_with_the_development_lock():
    runtime, dev = _pins(ROOT / "requirements.lock"), _pins(ROOT / "requirements-dev.lock")
    differ = {n: (v[0], dev[n][0]) for n, v in runtime.items() if n in dev and dev[n][0] != v[0]}
    assert not differ, f"the two locks pin different versions (make lock): {differ}"
    assert set(runtime) <= set(dev)
