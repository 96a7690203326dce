"""The web app's API client is generated from a committed copy of the OpenAPI document.

When an endpoint changes, regenerate both files from the repository root:

    luna openapi export --output web/openapi.json && npm --prefix web run api:generate
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from luna.cli.openapi import app as openapi_cli
from luna.cli.openapi import document_text, openapi_document
from tests.conftest import make_settings

WEB = Path(__file__).resolve().parents[2] / "web"
COMMITTED_DOCUMENT = WEB / "openapi.json"
GENERATED_SCHEMA = WEB / "src" / "api" / "schema.d.ts"
REGENERATE = (
    "run `luna openapi export --output web/openapi.json && "
    "npm --prefix web run api:generate` from the repository root"
)


def changed_operations(committed: dict[str, object], current: dict[str, object]) -> list[str]:
    """The paths (or top-level sections) that differ, to say what drifted."""
    committed_paths = committed.get("paths", {})
    current_paths = current.get("paths", {})
    assert isinstance(committed_paths, dict)
    assert isinstance(current_paths, dict)
    changed = [
        path
        for path in sorted(set(committed_paths) | set(current_paths))
        if committed_paths.get(path) != current_paths.get(path)
    ]
    sections = sorted(
        key
        for key in set(committed) | set(current)
        if key != "paths" and committed.get(key) != current.get(key)
    )
    return changed + sections


def test_committed_openapi_document_matches_the_app(tmp_path: Path) -> None:
    current = openapi_document(make_settings(tmp_path, None))
    committed = json.loads(COMMITTED_DOCUMENT.read_text(encoding="utf-8"))
    drifted = changed_operations(committed, current)
    assert not drifted, f"web/openapi.json is out of date ({', '.join(drifted)}): {REGENERATE}"
    assert COMMITTED_DOCUMENT.read_text(encoding="utf-8") == document_text(current), (
        f"web/openapi.json is not in the exported format: {REGENERATE}"
    )


def test_generated_client_types_come_from_the_committed_document() -> None:
    header = re.search(
        r"^// openapi\.json sha256: ([0-9a-f]{64})$", GENERATED_SCHEMA.read_text(), re.M
    )
    assert header, f"web/src/api/schema.d.ts was not made by the generator: {REGENERATE}"
    digest = hashlib.sha256(COMMITTED_DOCUMENT.read_bytes()).hexdigest()
    assert header.group(1) == digest, f"web/src/api/schema.d.ts is stale: {REGENERATE}"


def test_export_writes_the_document_with_sorted_keys(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LUNA_DATA_DIR", str(tmp_path / "data"))
    output = tmp_path / "nested" / "openapi.json"
    result = CliRunner().invoke(openapi_cli, ["export", "--output", str(output)])
    assert result.exit_code == 0, result.output
    text = output.read_text(encoding="utf-8")
    document = json.loads(text)
    assert text == document_text(document)
    assert list(document) == sorted(document)
    assert document["paths"]["/api/v1/me"]["get"]["operationId"] == "me-get"
    # Exporting needs no secret key and leaves none behind.
    assert not (tmp_path / "data").exists()


def test_export_prints_the_document_without_an_output(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LUNA_DATA_DIR", str(tmp_path / "data"))
    result = CliRunner().invoke(openapi_cli, ["export"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["openapi"].startswith("3.")
