"""The user's own examples (../shared/seed_examples): every example listed in
seed_examples_passing.txt must keep passing; the list only grows."""
from __future__ import annotations

import os
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RUNNER = os.path.join(ROOT, "..", "shared", "seed_examples", "run.py")
LISTED = os.path.join(os.path.dirname(__file__), "seed_examples_passing.txt")


@pytest.mark.skipif(not os.path.exists(RUNNER), reason="../shared/seed_examples not present")
def test_listed_seed_examples_pass():
    with open(LISTED) as f:
        required = {line.strip() for line in f if line.strip()}
    proc = subprocess.run([sys.executable, RUNNER, "-v"], cwd=ROOT, capture_output=True,
                          text=True, timeout=600)
    passed = {line.split()[1] for line in proc.stdout.splitlines() if line.startswith("ok ")}
    missing = sorted(required - passed)
    detail = "\n".join(line for line in proc.stdout.splitlines()
                       if any(m in line for m in missing))
    assert not missing, f"seed examples regressed: {missing}\n{detail}"
