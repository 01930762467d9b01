"""The layer lines: app/ never imports Qt or ui/, checked statically and at run time; inside
app/, each package imports only the layers below it (import-linter's contract in
pyproject.toml, also run by `make lint`)."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FORBIDDEN = ("PySide6", "shiboken6", "ui")


def test_no_module_in_app_imports_qt_or_ui() -> None:
    offenders = []
    for path in sorted((ROOT / "app").rglob("*.py")):
        tree = ast.parse(path.read_text(), filename=str(path))
        for node in ast.walk(tree):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module]
            for name in names:
                if name.split(".")[0] in FORBIDDEN:
                    offenders.append(f"{path.relative_to(ROOT)}:{node.lineno} imports {name}")
    assert offenders == []


def test_every_app_module_imports_with_qt_absent() -> None:
    """Import all of app/ in a process where importing PySide6 fails."""
    code = (
        "import sys, pkgutil, importlib\n"
        "sys.modules['PySide6'] = None; sys.modules['shiboken6'] = None\n"
        "import app\n"
        "names = [m.name for m in pkgutil.walk_packages(app.__path__, 'app.')]\n"
        "[importlib.import_module(n) for n in names]\n"
        "print(len(names))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert int(out.stdout) >= 10


def test_app_packages_keep_their_layers() -> None:
    """lint-imports: no package of app/ imports a layer above it (so no package cycles)."""
    exe = Path(sys.executable).with_name("lint-imports")
    assert exe.exists(), "import-linter is in the test extra: pip install -e '.[test]'"
    out = subprocess.run([str(exe), "--no-cache"], cwd=ROOT, capture_output=True, text=True)
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-2000:]
    assert "0 broken" in out.stdout



def test_ui_reaches_the_core_only_through_the_session(tmp_path: Path) -> None:
    """The ui/ contract holds on the tree, and breaks when a ui module imports a core module
    directly (checked on a copy, so the contract is shown to bite)."""
    import shutil

    exe = Path(sys.executable).with_name("lint-imports")
    copy = tmp_path / "tree"
    for name in ("app", "ui"):
        shutil.copytree(ROOT / name, copy / name, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", copy / "pyproject.toml")
    planted = copy / "ui" / "planted.py"
    planted.write_text('"""A planted direct import."""\n\nfrom app.review import state  # noqa\n')
    out = subprocess.run([str(exe), "--no-cache"], cwd=copy, capture_output=True, text=True,
                         env={"PYTHONPATH": str(copy), "PATH": ""})
    assert out.returncode != 0
    assert "ui.planted -> app.review" in out.stdout
    assert "ui/ reaches the core only through app.session and app.errors BROKEN" in out.stdout
