"""The pure core imports nothing but the standard library and its own modules."""

import ast
import sys
from pathlib import Path

import pytest

TRACKER = Path(__file__).resolve().parent.parent / "tracker"
DOMAIN = TRACKER / "domain"


def module_name(path: Path, top: Path) -> str:
    """top/tracker/domain/x.py -> tracker.domain.x (a package's __init__ is the package)."""
    parts = list(path.relative_to(top).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported_modules(path: Path, top: Path) -> list[str]:
    """Every module a file imports, relative imports resolved against its package."""
    package = module_name(path if path.name == "__init__.py" else path.parent, top)
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                found.append(".".join(base + ([node.module] if node.module else [])))
            else:
                found.append(node.module or "")
    return found


def offenders(root: Path) -> list[str]:
    """Imports under `root` (…/tracker/domain) of anything but the standard library and
    the domain itself."""
    bad = []
    for path in sorted(root.rglob("*.py")):
        for name in imported_modules(path, top=root.parent.parent):
            pure = name.split(".")[0] in sys.stdlib_module_names or (
                name == "tracker.domain" or name.startswith("tracker.domain.")
            )
            if not pure:
                bad.append(f"{path.relative_to(root)}: {name}")
    return bad


def test_the_pure_core_imports_only_the_standard_library_and_itself():
    assert list(DOMAIN.rglob("*.py")), "the domain package has moved"
    assert offenders(DOMAIN) == []


@pytest.mark.parametrize(
    ("where", "source", "caught"),
    [
        ("rules.py", "from ..models import Race\n", "tracker.models"),
        ("deep/__init__.py", "", None),
        ("deep/rules.py", "import flask\n", "flask"),
        ("deep/more.py", "from ...services import races\n", "tracker.services"),
        ("deep/fine.py", "from .. import pace\nfrom ..pace import pace_s_per_km\n", None),
    ],
)
def test_the_purity_check_catches_relative_and_nested_imports(tmp_path, where, source, caught):
    domain = tmp_path / "tracker" / "domain"
    (domain / where).parent.mkdir(parents=True, exist_ok=True)
    (domain / "__init__.py").write_text("")
    (domain / where).write_text(source)
    assert offenders(domain) == ([] if caught is None else [f"{where}: {caught}"])
