"""The pure core imports nothing but the standard library and its own modules."""

import ast
import sys
from pathlib import Path

DOMAIN = Path(__file__).resolve().parent.parent / "tracker" / "domain"


def test_the_pure_core_imports_only_the_standard_library_and_itself():
    offenders = []
    for module in DOMAIN.glob("*.py"):
        for node in ast.walk(ast.parse(module.read_text())):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [] if node.level else [node.module or ""]
            else:
                continue
            offenders += [
                f"{module.name}: {name}"
                for name in names
                if name.split(".")[0] not in sys.stdlib_module_names
            ]
    assert list(DOMAIN.glob("*.py")), "the domain package has moved"
    assert offenders == []
