"""Live fan-out of run events to whoever is watching: in process, or through Redis.

The database is the source of truth for steps; the bus only says "look again" (a new
step of run X is stored, its status changed) and carries what is never stored (text and
thinking deltas while a model streams). A reader that misses a message loses nothing:
it reads the steps after the last one it sent, and polls at a slow pace anyway.

Without Redis, messages reach the subscribers of this process only: enough for one
process running the API and the workers (``luna serve``). With Redis, every process
publishes to ``luna:runs:<namespace>:<run id>`` and listens to the whole namespace with
one pattern subscription, so any API replica can stream any run.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections import defaultdict
from collections.abc import AsyncIterator
from typing import Any, Final

from redis.asyncio import Redis
from redis.asyncio.client import PubSub
from redis.exceptions import RedisError

from luna.observability.logging import get_logger

log = get_logger(__name__)

CHANNEL_PREFIX: Final = "luna:runs:"
_QUEUE_SIZE: Final = 1000
_RESUBSCRIBE_DELAY_SECONDS: Final = 1.0

Message = dict[str, Any]


class RunBus:
    """Publishes and delivers messages about runs. One per process."""

    def __init__(self, redis: Redis | None = None, *, namespace: str = "luna") -> None:
        self._redis = redis
        self._prefix = f"{CHANNEL_PREFIX}{namespace}:"
        self._subscribers: defaultdict[str, set[asyncio.Queue[Message]]] = defaultdict(set)
        self._listener: asyncio.Task[None] | None = None

    async def publish(self, run_id: str, message: Message) -> None:
        """Send a message to every subscriber of the run, in every process."""
        if self._redis is None:
            self.deliver(run_id, message)
            return
        try:
            await self._redis.publish(self._prefix + run_id, json.dumps(message))
        except RedisError as error:  # watchers fall back to polling the database
            log.warning("run event not published", run_id=run_id, error=repr(error))

    def deliver(self, run_id: str, message: Message) -> None:
        """Hand a message to this process's subscribers of the run (a slow one drops it)."""
        for queue in tuple(self._subscribers.get(run_id, ())):
            with contextlib.suppress(asyncio.QueueFull):
                queue.put_nowait(message)

    @contextlib.asynccontextmanager
    async def subscribe(self, run_id: str) -> AsyncIterator[asyncio.Queue[Message]]:
        """A queue receiving the run's messages until the block ends."""
        queue: asyncio.Queue[Message] = asyncio.Queue(_QUEUE_SIZE)
        self._subscribers[run_id].add(queue)
        self._ensure_listener()
        try:
            yield queue
        finally:
            watchers = self._subscribers.get(run_id)
            if watchers is not None:
                watchers.discard(queue)
                if not watchers:
                    del self._subscribers[run_id]

    def _ensure_listener(self) -> None:
        if self._redis is not None and (self._listener is None or self._listener.done()):
            self._listener = asyncio.create_task(self._listen(self._redis))

    async def _listen(self, redis: Redis) -> None:
        while True:
            pubsub: PubSub = redis.pubsub()
            try:
                await pubsub.psubscribe(self._prefix + "*")
                async for item in pubsub.listen():
                    self._dispatch(item)
            except RedisError as error:
                log.warning("run event channel lost", error=repr(error))
                await asyncio.sleep(_RESUBSCRIBE_DELAY_SECONDS)
            finally:
                with contextlib.suppress(RedisError):
                    await pubsub.aclose()  # type: ignore[no-untyped-call]

    def _dispatch(self, item: dict[str, Any]) -> None:
        if item.get("type") != "pmessage":
            return
        channel = item["channel"]
        channel = channel.decode() if isinstance(channel, bytes) else str(channel)
        try:
            message = json.loads(item["data"])
        except (TypeError, ValueError):
            return
        if isinstance(message, dict):
            self.deliver(channel.removeprefix(self._prefix), message)

    async def close(self) -> None:
        """Stop listening to Redis."""
        if self._listener is not None:
            self._listener.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._listener
            self._listener = None
