"""Local servers that speak the Anthropic and OpenAI wire formats, answering from a script.

See docs/testing-providers.md. The fixtures `anthropic_standin` and `openai_standin` live in
`tests.standins.fixtures`, which the root conftest registers for every test.
"""

from tests.standins.anthropic_server import AnthropicStandin
from tests.standins.openai_server import OpenAIStandin
from tests.standins.script import ScriptedError, ToolCall, Turn, Usage, tokenize
from tests.standins.server import RecordedRequest

__all__ = [
    "AnthropicStandin",
    "OpenAIStandin",
    "RecordedRequest",
    "ScriptedError",
    "ToolCall",
    "Turn",
    "Usage",
    "tokenize",
]
