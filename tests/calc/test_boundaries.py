"""calc is the numeric core: numpy and scipy, and of pcfhub only errors and units."""

import ast
from pathlib import Path

import pcfhub.calc

ALLOWED_OURS = {"pcfhub.calc", "pcfhub.errors", "pcfhub.units"}
ALLOWED_OUTSIDE = {
    "numpy",
    "scipy",
    "__future__",
    "collections",
    "dataclasses",
    "warnings",
    "concurrent",
    "enum",
    "functools",
    "heapq",
    "typing",
}


def imported_modules(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_calc_imports_nothing_but_numpy_scipy_and_the_kernel() -> None:
    folder = Path(pcfhub.calc.__file__).parent
    offenders = {}
    for path in folder.glob("*.py"):
        for name in imported_modules(path):
            ours = name.startswith("pcfhub")
            allowed = (
                any(name == a or name.startswith(a + ".") for a in ALLOWED_OURS)
                if ours
                else name.split(".")[0] in ALLOWED_OUTSIDE
            )
            if not allowed:
                offenders.setdefault(path.name, []).append(name)
    assert offenders == {}
