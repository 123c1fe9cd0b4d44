"""A benchmark run replaces its own store's table in docs/benchmarks.md and keeps the notes around it."""

from __future__ import annotations

from pathlib import Path

from bench.run import write_section


def test_a_run_replaces_only_its_section(tmp_path: Path) -> None:
    doc = tmp_path / "benchmarks.md"
    doc.write_text("# Benchmarks\n\nnotes\n\n<!-- bench:nx-27017 -->\nold\n<!-- /bench:nx-27017 -->\n\nmore notes\n")
    write_section(doc, "nx-27017", "new table\n")
    write_section(doc, "ferretdb", "ferret table\n")
    text = doc.read_text()
    assert "old" not in text and "new table" in text and "notes" in text and "more notes" in text
    assert text.index("new table") < text.index("more notes") < text.index("ferret table")
    write_section(doc, "ferretdb", "second ferret run\n")
    assert doc.read_text().count("bench:ferretdb -->") == 2 and "ferret table" not in doc.read_text()
