"""The package's shape (issue #24): no file over 400 lines and no function over 60 outside the
tests; ctypes only in the low-level modules (docs/python.md, package layout)."""

import ast

from conftest import PACKAGE_ROOT

SOURCES = sorted((PACKAGE_ROOT / "kieimage").glob("*.py")) + sorted(PACKAGE_ROOT.glob("*.py"))
LOW_LEVEL = {"_loader", "_signatures", "_marshal", "_handles", "_callbacks", "_blocking", "_async_ops", "_journal",
             "_lib"}


def test_there_are_sources_to_check():
    assert {p.stem for p in SOURCES} >= LOW_LEVEL | {"client", "_request", "__main__"}


def test_no_file_over_400_lines_and_no_function_over_60():
    for path in SOURCES + sorted((PACKAGE_ROOT / "tests").glob("*.py")):
        text = path.read_text()
        assert len(text.splitlines()) <= 400, path
        if path.parent.name == "tests":
            continue
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                assert node.end_lineno - node.lineno + 1 <= 60, f"{path.name}: {node.name}"


def test_only_the_low_level_modules_import_ctypes():
    for path in SOURCES:
        imported = set()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                imported |= {a.name.split(".")[0] for a in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                imported.add(node.module.split(".")[0])
        if "ctypes" in imported:
            assert path.stem in LOW_LEVEL, path.name
