"""Scaffolding for new catalog personas: a YAML skeleton and the test that validates it.

The skeleton already validates against :class:`~luna.agents.catalog.CatalogAgent`; each of
its values is one sentence telling the author what to write in its place.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from luna.agents.catalog import (
    BUILT_IN_TOOLS,
    PERSONA_SUFFIX,
    SLUG_PATTERN,
    CatalogAgent,
    CatalogError,
    Category,
    MinimumPlan,
    builtin_catalog_directory,
    load_catalog,
    parse_persona,
)
from luna.errors import Conflict, ValidationFailed

DEFAULT_TESTS_DIRECTORY: Final = Path("tests/agents/catalog")

_SKELETON: Final = """\
# A Luna catalog persona, validated against luna.agents.catalog.CatalogAgent.
# Replace each guiding sentence with the real content; docs/catalog.md explains every field.
slug: {slug}
name: {name}
category: {category}
# starter: available on every plan; growth: on Growth, Scale and Enterprise.
plan: {plan}
summary: "Say in one sentence what this agent produces and for whom."
purpose: "Name the problem this agent solves in a few words."
instructions: |
  ## Role
  Describe, in the second person, who the agent is and the expertise it brings.

  ## First questions
  1. List the questions the agent asks before it starts, most important first.

  ## Workflow
  1. Write the numbered steps an expert follows, from reading the inputs to writing the artifact.

  ## Artifact
  Give the artifact's file name and its exact Markdown headings in a fenced block.

  ## Constraints
  - State what the agent must never do and where its authority ends.

  ## Success criteria
  - Say how the user can check that the artifact is complete and correct.
questions:
  - Write the first question the agent asks the user.
inputs:
  - name: main_input
    description: Describe the material the agent works on.
    required: true
artifact:
  name: {slug}-report.md
  description: Describe what the artifact contains.
  format: markdown
# Built-in tools the agent may call: {tools}.
tools: []
success_criteria:
  - Write a check the user can make on the artifact.
constraints:
  - Write a rule the agent always follows.
tags: [{category}]
# Slugs of the catalog agents that take this artifact next.
hands_off_to: []
model_hint:
  reasoning: false
  vision: false
"""

_TEST: Final = '''\
"""The {slug} persona is a valid catalog entry."""

from __future__ import annotations

from pathlib import Path

from luna.agents.catalog import read_catalog, read_persona

PERSONA_PATH = "{relative_path}"
PERSONA_FILE = (Path(__file__).parent / PERSONA_PATH).resolve()


def test_persona_file_validates() -> None:
    agent = read_persona(PERSONA_FILE)
    assert agent.slug == "{slug}"
    assert agent.name == {name}
    assert agent.category == "{category}"


def test_persona_fits_its_catalog() -> None:
    catalog = read_catalog(PERSONA_FILE.parent)
    assert catalog.get("{slug}").plan == "{plan}"
'''


@dataclass(frozen=True)
class ScaffoldedPersona:
    """What ``scaffold_persona`` wrote."""

    agent: CatalogAgent
    persona_file: Path
    test_file: Path


def check_slug(slug: str) -> str:
    """The slug when it is valid; ValidationFailed with a readable reason otherwise."""
    if not 2 <= len(slug) <= 40 or not re.fullmatch(SLUG_PATTERN, slug):
        raise ValidationFailed(
            f"'{slug}' is not a valid slug: use 2 to 40 lower-case letters, digits and "
            "single hyphens, such as 'contract-review'."
        )
    return slug


def persona_skeleton(*, slug: str, name: str, category: Category, plan: MinimumPlan) -> str:
    """The YAML text of a new persona whose values say what to write in their place."""
    return _SKELETON.format(
        slug=slug,
        name=json.dumps(name),  # a JSON string is a valid double-quoted YAML scalar
        category=category,
        plan=plan,
        tools=", ".join(BUILT_IN_TOOLS),
    )


def persona_test_source(agent: CatalogAgent, *, persona_file: Path, test_file: Path) -> str:
    """The source of a pytest module that loads and validates the persona file."""
    relative_path = Path(os.path.relpath(persona_file, test_file.parent)).as_posix()
    return _TEST.format(
        slug=agent.slug,
        name=_python_string(agent.name),
        category=agent.category,
        plan=agent.plan,
        relative_path=relative_path,
    )


def _python_string(text: str) -> str:
    """A string literal quoted the way the formatter prefers (double quotes unless the
    text holds some and no single quotes)."""
    if '"' in text and "'" not in text:
        return repr(text)
    return json.dumps(text, ensure_ascii=False)


def default_catalog_directory() -> Path:
    """The built-in catalog's directory, when the package lives on a file system."""
    directory = builtin_catalog_directory()
    if not isinstance(directory, Path):
        raise ValidationFailed("The installed catalog is not a directory; pass a directory.")
    return directory


def persona_test_file_name(slug: str) -> str:
    """``test_<slug>.py`` with hyphens turned into underscores."""
    return f"test_{slug.replace('-', '_')}.py"


def scaffold_persona(
    *,
    slug: str,
    name: str,
    category: Category,
    plan: MinimumPlan,
    directory: Path | None = None,
    tests_directory: Path = DEFAULT_TESTS_DIRECTORY,
) -> ScaffoldedPersona:
    """Write a new persona skeleton and its test, refusing slugs already taken."""
    check_slug(slug)
    persona_file = (directory or default_catalog_directory()) / (slug + PERSONA_SUFFIX)
    test_file = tests_directory / persona_test_file_name(slug)
    if slug in load_catalog():
        raise Conflict(f"The built-in catalog already has an agent '{slug}'.")
    for existing in (persona_file, test_file):
        if existing.exists():
            raise Conflict(f"{existing} already exists; choose another slug.")
    text = persona_skeleton(slug=slug, name=name, category=category, plan=plan)
    try:
        agent = parse_persona(text, source=persona_file.name)
    except CatalogError as exc:
        raise ValidationFailed(f"The persona would be invalid: {exc.detail}") from None
    persona_file.parent.mkdir(parents=True, exist_ok=True)
    persona_file.write_text(text, encoding="utf-8")
    _write_test(agent, persona_file=persona_file, test_file=test_file)
    return ScaffoldedPersona(agent=agent, persona_file=persona_file, test_file=test_file)


def _write_test(agent: CatalogAgent, *, persona_file: Path, test_file: Path) -> None:
    test_file.parent.mkdir(parents=True, exist_ok=True)
    package_marker = test_file.parent / "__init__.py"
    # Inside a test package (tests/ has __init__.py files), the new directory joins it.
    if (test_file.parent.parent / "__init__.py").exists() and not package_marker.exists():
        package_marker.write_text("", encoding="utf-8")
    source = persona_test_source(agent, persona_file=persona_file, test_file=test_file)
    test_file.write_text(source, encoding="utf-8")
