"""Pytest fixtures: a fresh Anthropic or OpenAI stand-in per test, stopped at its end.

At teardown a fixture fails the test if a turn's expectation failed or the script ran out,
even when the code under test swallowed the 500 the stand-in answered.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.standins.anthropic_server import AnthropicStandin
from tests.standins.openai_server import OpenAIStandin


@pytest.fixture
def anthropic_standin() -> Iterator[AnthropicStandin]:
    """A running Anthropic Messages API stand-in with an empty script."""
    with AnthropicStandin() as standin:
        yield standin
    standin.raise_failures()


@pytest.fixture
def openai_standin() -> Iterator[OpenAIStandin]:
    """A running OpenAI Chat Completions stand-in with an empty script."""
    with OpenAIStandin() as standin:
        yield standin
    standin.raise_failures()
