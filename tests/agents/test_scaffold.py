"""``luna agents scaffold`` and ``luna agents list``."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from luna.agents.catalog import (
    REQUIRED_SECTIONS,
    builtin_catalog_directory,
    instruction_sections,
    load_catalog,
    read_persona,
)
from luna.agents.scaffold import DEFAULT_TESTS_DIRECTORY, default_catalog_directory
from luna.cli.agents import app, catalog_markdown_table
from luna.cli.output import ExitCode
from tests.cli_environment import wide_terminal

ROOT = Path(__file__).parents[2]
runner = CliRunner()


@pytest.fixture(autouse=True)
def in_a_wide_terminal(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    wide_terminal(monkeypatch)
    monkeypatch.chdir(tmp_path)


def scaffold(*arguments: str) -> tuple[int, str]:
    result = runner.invoke(app, ["scaffold", *arguments])
    return result.exit_code, result.output


def test_scaffold_writes_a_valid_skeleton_and_a_passing_test(tmp_path: Path) -> None:
    code, output = scaffold(
        "contract-review",
        "--name",
        'Contract "Review"',
        "--category",
        "quality",
        "--plan",
        "starter",
        "--directory",
        "personas",
        "--tests-directory",
        "checks",
    )
    assert code == 0, output
    agent = read_persona(tmp_path / "personas" / "contract-review.yaml")
    assert (agent.slug, agent.name, agent.category, agent.plan) == (
        "contract-review",
        'Contract "Review"',
        "quality",
        "starter",
    )
    assert agent.artifact.name == "contract-review-report.md"
    assert agent.hands_off_to == () and agent.tools == ()
    sections = agent.instructions.split("## ")[1:]
    assert [section.splitlines()[0] for section in sections] == list(REQUIRED_SECTIONS)
    for section in sections:  # a heading and one guiding sentence under it
        assert len([line for line in section.splitlines()[1:] if line.strip()]) == 1

    test_file = tmp_path / "checks" / "test_contract_review.py"
    assert str(test_file.relative_to(tmp_path)) in output
    run = subprocess.run(  # noqa: S603  (our own interpreter and a file we just wrote)
        [sys.executable, "-m", "pytest", str(test_file), "-q", "-p", "no:cacheprovider"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert "2 passed" in run.stdout


def test_the_generated_test_fails_when_the_persona_breaks(tmp_path: Path) -> None:
    assert (
        scaffold("pricing", "--name", "Pricing", "--category", "ship", "--directory", ".")[0] == 0
    )
    persona = tmp_path / "pricing.yaml"
    persona.write_text(persona.read_text().replace("category: ship", "category: sales"))
    test_file = tmp_path / DEFAULT_TESTS_DIRECTORY / "test_pricing.py"
    run = subprocess.run(  # noqa: S603
        [sys.executable, "-m", "pytest", str(test_file), "-q", "-p", "no:cacheprovider"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 1
    assert "pricing.yaml: category: Input should be" in run.stdout


def test_the_generated_test_meets_the_project_lint_rules(tmp_path: Path) -> None:
    scaffold("data-steward", "--name", "Data Steward", "--category", "meta", "--directory", "c")
    source = (tmp_path / DEFAULT_TESTS_DIRECTORY / "test_data_steward.py").read_text()
    stdin_name = "tests/agents/catalog/test_data_steward.py"
    for command in (["check"], ["format", "--check"]):
        run = subprocess.run(  # noqa: S603
            [sys.executable, "-m", "ruff", *command, "--stdin-filename", stdin_name, "-"],
            cwd=ROOT,
            input=source,
            capture_output=True,
            text=True,
            check=False,
        )
        assert run.returncode == 0, run.stdout + run.stderr


def test_a_new_test_directory_joins_an_existing_test_package(tmp_path: Path) -> None:
    (tmp_path / "tests" / "agents").mkdir(parents=True)
    (tmp_path / "tests" / "agents" / "__init__.py").write_text("")
    assert scaffold("triage", "--name", "Triage", "--category", "build", "--directory", "c")[0] == 0
    assert (tmp_path / "tests" / "agents" / "catalog" / "test_triage.py").is_file()
    assert (tmp_path / "tests" / "agents" / "catalog" / "__init__.py").is_file()


def test_the_default_directory_is_the_built_in_catalog() -> None:
    assert default_catalog_directory() == Path(str(builtin_catalog_directory()))
    assert (default_catalog_directory() / "code-review.yaml").is_file()


@pytest.mark.parametrize("slug", ["Bad_Slug", "a", "lead-", "double--hyphen", "x" * 41, "ünï"])
def test_an_invalid_slug_is_refused(tmp_path: Path, slug: str) -> None:
    code, output = scaffold(slug, "--name", "Bad", "--category", "build", "--directory", "c")
    assert code == ExitCode.USAGE
    assert "is not a valid slug" in output
    assert not (tmp_path / "c").exists()


def test_a_slug_of_the_built_in_catalog_is_refused(tmp_path: Path) -> None:
    code, output = scaffold("code-review", "--name", "Mine", "--category", "quality")
    assert code == ExitCode.USAGE
    assert "already has an agent 'code-review'" in output
    assert not (tmp_path / DEFAULT_TESTS_DIRECTORY).exists()


def test_existing_files_are_never_overwritten(tmp_path: Path) -> None:
    arguments = ("legal", "--name", "Legal", "--category", "quality", "--directory", "c")
    assert scaffold(*arguments)[0] == 0
    code, output = scaffold(*arguments)
    assert code == ExitCode.USAGE
    assert "legal.yaml already exists" in output

    (tmp_path / "c" / "legal.yaml").unlink()
    code, output = scaffold(*arguments)
    assert code == ExitCode.USAGE
    assert "test_legal.py already exists" in output
    assert not (tmp_path / "c" / "legal.yaml").exists()


def test_an_invalid_name_or_category_is_refused(tmp_path: Path) -> None:
    code, output = scaffold(
        "notes", "--name", "two\nlines", "--category", "build", "--directory", "c"
    )
    assert code == ExitCode.USAGE
    assert "would be invalid" in output and "name" in output
    code, output = scaffold("notes", "--name", "Notes", "--category", "sales", "--directory", "c")
    assert code == ExitCode.USAGE
    assert not (tmp_path / "c").exists()


def test_list_prints_the_catalog() -> None:
    result = runner.invoke(app, ["list"])
    assert result.exit_code == 0, result.output
    assert "Agent catalog (28 agents)" in result.output
    for agent in load_catalog():
        assert agent.slug in result.output
    design = runner.invoke(app, ["list", "--category", "design"]).output
    assert "hig-analysis.md" in design and "code-review" not in design


def test_list_markdown_prints_the_docs_table() -> None:
    result = runner.invoke(app, ["list", "--markdown"])
    assert result.exit_code == 0
    assert result.output.strip() == catalog_markdown_table(load_catalog())
    starter = runner.invoke(app, ["list", "--markdown", "--plan", "starter"]).output
    assert len(starter.strip().splitlines()) == 2 + 6


def test_skeleton_headings_are_the_required_sections(tmp_path: Path) -> None:
    scaffold("helper-bot", "--name", "Helper", "--category", "design", "--directory", "c")
    agent = read_persona(tmp_path / "c" / "helper-bot.yaml")
    assert instruction_sections(agent.instructions) == list(REQUIRED_SECTIONS)
    assert agent.plan == "growth"  # the default: Starter keeps its six core agents
