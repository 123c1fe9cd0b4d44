"""The checked-in JSON Schemas and AsyncAPI document match the code (CI also runs `koonto-contracts --check`)."""

from pathlib import Path

from koonto.shared.contracts.generate import main

DOCS = Path(__file__).resolve().parents[3] / "docs"


def test_generated_contract_files_are_current() -> None:
    assert main(["--docs", str(DOCS), "--check"]) == 0
