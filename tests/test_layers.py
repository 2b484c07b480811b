"""The code's shape, held by tests: dependencies run one way and the place tree's arithmetic lives
in the registry's vocabulary alone (issue 23)."""

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from linli.accounts.models import ROLE_PLACE_KINDS
from linli.accounts.scope import COMMUNITY_KIND
from linli.registry.models import PlaceKind

ROOT = Path(__file__).resolve().parent.parent


def test_import_contracts_are_kept():
    """The import-linter contracts of pyproject.toml: no domain imports the dashboard, core and
    accounts import no domain, no circles (the same check `make lint` runs)."""
    exe = shutil.which("lint-imports", path=str(Path(sys.executable).parent))
    if exe is None:
        pytest.skip("import-linter is not installed")
    done = subprocess.run([exe, "--no-cache"], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout[-4000:]


def test_path_arithmetic_only_in_the_vocabulary():
    offenders = []
    for path in (ROOT / "linli").rglob("*.py"):
        if "migrations" in path.parts or path.name == "vocabulary.py":
            continue
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if re.search(r"steplen\s*\*", line):
                offenders.append(f"{path.relative_to(ROOT)}:{n}")
    assert offenders == []


def test_place_kinds_spelled_below_the_registry_are_the_registrys():
    assert COMMUNITY_KIND == PlaceKind.COMMUNITY
    for kinds in ROLE_PLACE_KINDS.values():
        assert kinds <= set(PlaceKind.values)
