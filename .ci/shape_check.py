#!/usr/bin/env python3
"""Shape check of the application code (standard library only; Python 3.11).

Walks every .py file under shared/ and services/ with `ast` and reports
  - a class that spans more than MAX_CLASS_LINES lines,
  - a function or method (def or async def, nested ones included) that spans more than MAX_FUNCTION_LINES,
  - a line of any text file under services/ (code, templates, READMEs ...) that names FerretDB or nx-27017
    (case-insensitive: "ferretdb", "nx-27017", "nx27017").
A span is node.lineno..node.end_lineno, both counted (decorators are not part of it).

Each finding is printed as `path:line: message`, then a summary with the counts and the largest class and
function found. Exit status 1 when there are findings, 0 when there are none; with --report always 0.

    python3 .ci/shape_check.py            # the check
    python3 .ci/shape_check.py --report   # the same output, for figures only
"""

from __future__ import annotations

import argparse
import ast
import re
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CODE_DIRS = ("shared", "services")  # the .py files checked for size
NAMING_DIR = "services"  # every text file under it is checked for the store servers' names
MAX_CLASS_LINES = 300
MAX_FUNCTION_LINES = 100
STORE_NAMES = re.compile(r"ferretdb|nx-?27017", re.IGNORECASE)
SKIP_DIRS = {"__pycache__", "node_modules"}  # and every folder whose name starts with a dot


@dataclass(frozen=True)
class Finding:
    path: str
    line: int
    message: str


@dataclass(frozen=True)
class Span:
    name: str
    path: str
    line: int
    lines: int


def files_below(top: Path) -> list[Path]:
    """Every file below top (sorted), leaving out caches and hidden folders."""
    found = []
    for path in sorted(top.rglob("*")):
        parts = path.relative_to(top).parts
        if any(part in SKIP_DIRS or part.startswith(".") for part in parts[:-1]):
            continue
        if path.is_file() and not path.is_symlink():
            found.append(path)
    return found


def spans(tree: ast.AST, path: str) -> tuple[list[Span], list[Span]]:
    """Classes and functions of a module with their dotted names (Outer.method.inner) and line spans."""
    classes: list[Span] = []
    functions: list[Span] = []

    def visit(node: ast.AST, prefix: str) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
                name = f"{prefix}{child.name}"
                end = child.end_lineno if child.end_lineno is not None else child.lineno
                span = Span(name, path, child.lineno, end - child.lineno + 1)
                (classes if isinstance(child, ast.ClassDef) else functions).append(span)
                visit(child, f"{name}.")
            else:
                visit(child, prefix)

    visit(tree, "")
    return classes, functions


def check() -> tuple[list[Finding], list[Span], list[Span], int]:
    findings: list[Finding] = []
    classes: list[Span] = []
    functions: list[Span] = []
    checked = 0
    for top in CODE_DIRS:
        for file in files_below(ROOT / top):
            if file.suffix != ".py":
                continue
            rel = file.relative_to(ROOT).as_posix()
            try:
                tree = ast.parse(file.read_text(encoding="utf-8"), filename=rel)
            except (SyntaxError, UnicodeDecodeError, ValueError) as exc:
                line = getattr(exc, "lineno", None) or 1
                findings.append(Finding(rel, line, f"cannot be parsed, so not checked: {exc}"))
                continue
            checked += 1
            file_classes, file_functions = spans(tree, rel)
            classes += file_classes
            functions += file_functions
            findings += [
                Finding(s.path, s.line, f"class {s.name} spans {s.lines} lines (at most {MAX_CLASS_LINES})")
                for s in file_classes
                if s.lines > MAX_CLASS_LINES
            ]
            findings += [
                Finding(s.path, s.line, f"function {s.name} spans {s.lines} lines (at most {MAX_FUNCTION_LINES})")
                for s in file_functions
                if s.lines > MAX_FUNCTION_LINES
            ]
    for file in files_below(ROOT / NAMING_DIR):
        data = file.read_bytes()
        if b"\0" in data:
            continue  # not text
        rel = file.relative_to(ROOT).as_posix()
        for number, text in enumerate(data.decode("utf-8", errors="replace").splitlines(), start=1):
            names = sorted({m.group(0).lower() for m in STORE_NAMES.finditer(text)})
            if names:
                findings.append(Finding(rel, number, f"names FerretDB/nx-27017 ({', '.join(names)})"))
    findings.sort(key=lambda f: (f.path, f.line, f.message))
    return findings, classes, functions, checked


def largest(found: list[Span]) -> str:
    if not found:
        return "none"
    top = max(found, key=lambda s: (s.lines, s.path, -s.line))
    return f"{top.name} ({top.path}:{top.line}), {top.lines} lines"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--report", action="store_true", help="print findings and summary, always exit 0")
    args = parser.parse_args(argv)

    findings, classes, functions, checked = check()
    for f in findings:
        print(f"{f.path}:{f.line}: {f.message}")

    def count(word: str) -> int:
        return sum(1 for f in findings if f.message.startswith(word))

    naming = [f for f in findings if f.message.startswith("names FerretDB")]
    where = " and ".join(f"{d}/" for d in CODE_DIRS)
    print()
    print(
        f"shape check: {len(findings)} finding(s) in {checked} Python files under {where}: "
        f"{count('class ')} class(es) over {MAX_CLASS_LINES} lines, "
        f"{count('function ')} function(s) over {MAX_FUNCTION_LINES} lines, "
        f"{len(naming)} line(s) in {len({f.path for f in naming})} file(s) under {NAMING_DIR}/ "
        f"naming FerretDB/nx-27017"
        + (f", {count('cannot be parsed')} file(s) not parsed" if count("cannot be parsed") else "")
    )
    print(f"largest class:    {largest(classes)}")
    print(f"largest function: {largest(functions)}")
    if args.report:
        return 0
    return 1 if findings else 0


if __name__ == "__main__":
    sys.exit(main())
