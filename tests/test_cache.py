"""The two-level cache: process memory in front of Redis, invalidated across replicas."""

from __future__ import annotations

import asyncio
import os
import secrets
from collections.abc import AsyncIterator

import pytest
from structlog.testing import capture_logs

from luna.cache import TwoLevelCache
from luna.observability.metrics import REGISTRY

pytestmark = pytest.mark.anyio

UNREACHABLE_REDIS = "redis://127.0.0.1:1/0"


class Seconds:
    """A monotonic clock that tests move by hand."""

    def __init__(self) -> None:
        self.now = 50.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def fresh_namespace() -> str:
    return f"test-{secrets.token_hex(6)}"


def counter(name: str, namespace: str, level: str) -> float:
    value = REGISTRY.get_sample_value(
        f"luna_cache_{name}_total", {"namespace": namespace, "level": level}
    )
    return value or 0.0


class Loader:
    """Counts its calls; each call takes a moment, as a database query would."""

    def __init__(self, value: dict[str, str] | None) -> None:
        self.value = value
        self.calls = 0

    async def __call__(self) -> dict[str, str] | None:
        self.calls += 1
        await asyncio.sleep(0.01)
        return self.value


def local_cache(clock: Seconds | None = None, *, max_entries: int = 100) -> TwoLevelCache:
    return TwoLevelCache(
        namespace=fresh_namespace(),
        ttl_seconds=60,
        max_entries=max_entries,
        redis_url=None,
        clock=clock or Seconds(),
    )


# Level 1 alone


async def test_a_cached_value_is_served_from_memory() -> None:
    cache = local_cache()
    loader = Loader({"plan": "growth"})

    first = await cache.get_or_load("team:1", loader)
    second = await cache.get_or_load("team:1", loader)

    assert first == second == {"plan": "growth"}
    assert loader.calls == 1
    assert counter("hits", cache.namespace, "local") == 1
    assert counter("misses", cache.namespace, "local") == 1


async def test_readers_get_their_own_copy() -> None:
    cache = local_cache()
    await cache.set("team:1", {"members": ["ada"]})
    copy = await cache.get("team:1")
    assert isinstance(copy, dict)
    copy["members"].append("mallory")
    assert await cache.get("team:1") == {"members": ["ada"]}


async def test_values_expire_after_their_ttl() -> None:
    clock = Seconds()
    cache = local_cache(clock)
    await cache.set("team:1", "starter")

    clock.advance(59.9)
    assert await cache.get("team:1") == "starter"
    clock.advance(0.1)
    assert await cache.get("team:1") is None


async def test_the_least_recently_used_entry_is_evicted() -> None:
    cache = local_cache(max_entries=2)
    await cache.set("a", 1)
    await cache.set("b", 2)
    assert await cache.get("a") == 1  # now "b" is the least recently used

    await cache.set("c", 3)

    assert await cache.get("b") is None
    assert await cache.get("a") == 1
    assert await cache.get("c") == 3
    assert counter("evictions", cache.namespace, "local") == 1


async def test_concurrent_misses_call_the_loader_once() -> None:
    cache = local_cache()
    loader = Loader({"plan": "growth"})

    results = await asyncio.gather(*(cache.get_or_load("team:1", loader) for _ in range(20)))

    assert results == [{"plan": "growth"}] * 20
    assert loader.calls == 1


async def test_a_missing_value_is_not_cached() -> None:
    cache = local_cache()
    loader = Loader(None)
    assert await cache.get_or_load("team:404", loader) is None
    assert await cache.get_or_load("team:404", loader) is None
    assert loader.calls == 2


async def test_invalidate_forgets_the_value() -> None:
    cache = local_cache()
    await cache.set("team:1", "starter")
    await cache.invalidate("team:1")
    assert await cache.get("team:1") is None


def test_namespaces_and_sizes_are_checked() -> None:
    with pytest.raises(ValueError, match="namespace"):
        TwoLevelCache(namespace="Bad:Name", ttl_seconds=1, max_entries=1, redis_url=None)
    with pytest.raises(ValueError, match="positive"):
        TwoLevelCache(namespace="ok", ttl_seconds=0, max_entries=1, redis_url=None)


async def test_an_unreachable_redis_degrades_to_the_loader() -> None:
    with capture_logs() as logs:
        async with TwoLevelCache(
            namespace=fresh_namespace(), ttl_seconds=60, max_entries=10, redis_url=UNREACHABLE_REDIS
        ) as cache:
            loader = Loader({"plan": "growth"})
            assert await cache.get_or_load("team:1", loader) == {"plan": "growth"}
            assert await cache.get_or_load("team:1", loader) == {"plan": "growth"}
            await cache.invalidate("team:1")
    assert loader.calls == 1  # the second read came from memory
    events = [entry["event"] for entry in logs]
    assert any(event.startswith("cache invalidation channel unreachable") for event in events)
    assert any(event.startswith("cache invalidation not shared") for event in events)


# Two replicas on one Redis


@pytest.fixture
def redis_url() -> str:
    url = os.environ.get("LUNA_TEST_REDIS_URL")
    if not url:
        pytest.skip("LUNA_TEST_REDIS_URL is not set (CI sets it)")
    return url


@pytest.fixture
async def replicas(redis_url: str) -> AsyncIterator[tuple[TwoLevelCache, TwoLevelCache]]:
    """Two caches of one namespace on one Redis, as in two API processes."""
    namespace = fresh_namespace()
    first, second = (
        TwoLevelCache(namespace=namespace, ttl_seconds=30, max_entries=100, redis_url=redis_url)
        for _ in range(2)
    )
    async with first, second:
        yield first, second
        await first.invalidate("team:1")


@pytest.mark.redis
async def test_a_value_loaded_by_one_replica_is_shared(
    replicas: tuple[TwoLevelCache, TwoLevelCache],
) -> None:
    first, second = replicas
    loader = Loader({"plan": "growth"})

    await first.get_or_load("team:1", loader)
    assert await second.get_or_load("team:1", loader) == {"plan": "growth"}

    assert loader.calls == 1
    assert counter("hits", second.namespace, "redis") >= 1


@pytest.mark.redis
async def test_invalidation_on_one_replica_reaches_the_other(
    replicas: tuple[TwoLevelCache, TwoLevelCache],
) -> None:
    first, second = replicas
    await first.set("team:1", {"plan": "starter"})
    assert await second.get("team:1") == {"plan": "starter"}  # now in its memory too

    await first.invalidate("team:1")

    for _ in range(200):
        if await second.get("team:1") is None:
            break
        await asyncio.sleep(0.01)
    assert await second.get("team:1") is None
