"""The code's shape (issue 19): no function in the package longer than a newcomer can read in
one look. Ruff's complexity rules (pyproject.toml) keep branches down; this keeps length down,
which ruff has no rule for."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "explorer"
MAX_LINES = 60

def long_functions() -> set[tuple[str, str, int]]:
    found = set()
    for path in PACKAGE.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                length = (node.end_lineno or node.lineno) - node.lineno + 1
                if length > MAX_LINES:
                    found.add((path.relative_to(PACKAGE).as_posix(), node.name, length))
    return found


def test_no_function_in_the_package_is_over_60_lines() -> None:
    too_long = long_functions()
    assert not too_long, f"split these functions (over {MAX_LINES} lines): {sorted(too_long)}"

