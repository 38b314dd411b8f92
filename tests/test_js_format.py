"""The page scripts' own tests (tests/js, node's test runner), run as part of the suite."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
JS_TESTS = sorted(str(path.relative_to(ROOT)) for path in (ROOT / "tests" / "js").glob("*.test.js"))


def test_the_page_formatters_pass_their_node_tests():
    node = shutil.which("node")
    if node is None:
        message = "node is not installed (scripts/test installs nodejs)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    assert JS_TESTS, "no tests in tests/js"
    run = subprocess.run(
        [node, "--test", *JS_TESTS], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert run.returncode == 0, f"node --test failed:\n{run.stdout[-6000:]}\n{run.stderr[-2000:]}"
