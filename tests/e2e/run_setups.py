"""Runs for the run page, shared by its browser tests and its bench (``bench/run_page.py``):
a model stand-in that answers only once told to, so a page can be open and listening
before a run's first step exists, and a run of 500 steps."""

from __future__ import annotations

import asyncio
import threading
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from tests.e2e.conftest import WatchedPage, start_local_run
from tests.standins import OpenAIStandin, ToolCall, Turn

# Longer than any test waits before letting the model answer; a held request never hangs.
HOLD_AT_MOST_SECONDS = 120.0


class HeldOpenAIStandin(OpenAIStandin):
    """The OpenAI stand-in, holding every model request until :meth:`answer` is called
    (or it stops): what happens before then happens before the run has any step."""

    def __init__(self) -> None:
        self._answering = threading.Event()
        super().__init__()

    def answer(self) -> None:
        """Let the held model requests (and those to come) through to their turns."""
        self._answering.set()

    def stop(self) -> None:
        self.answer()
        super().stop()

    async def answer_model_call(self, request: Request) -> Response:
        await asyncio.to_thread(self._answering.wait, HOLD_AT_MOST_SECONDS)
        return await super().answer_model_call(request)


def start_run_of_500_steps(
    watched: WatchedPage, workspace_id: str, model: OpenAIStandin
) -> dict[str, Any]:
    """A finished run of the code-review agent: one model request calling ``text_stats``
    250 times (250 calls, 250 results), then an answer; the run as the API answered."""
    calls = [
        ToolCall(id=f"call_{index}", name="text_stats", arguments={"text": f"line {index}"})
        for index in range(250)
    ]
    model.script(Turn(tool_calls=calls), Turn(text="All 250 lines measured."))
    run = start_local_run(
        watched,
        workspace_id,
        model.base_url,
        {"input": "Measure every line", "mode": "wait", "timeout_seconds": 120},
    )
    model.raise_failures()
    assert run["status"] == "succeeded", run
    assert run["step_count"] >= 500, run["step_count"]
    return run
