"""How long a worker's durable engine takes to start and to stop, idle.

Each round makes a fresh data directory with a migrated SQLite database, then starts and
stops Luna's job engine (its lease, DBOS, the run queue and the schedules) and, as the
reference, DBOS alone (launch and destroy, no queue) on the same kind of directory.
Every worker start pays the first; every worker test of the suite paid it too.

    uv run python bench/job_engine.py --rounds 10
"""

from __future__ import annotations

import argparse
import asyncio
import secrets
import statistics
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from dbos import DBOS

from luna.db import migrations
from luna.db.engine import create_engine, create_session_factory
from luna.jobs.engine import dbos_config, executor_identity
from luna.runs.runtime import RunRuntime
from luna.settings import Settings
from luna.worker import start_durable_engine, stop_durable_engine


def fresh_settings() -> Settings:
    directory = Path(tempfile.mkdtemp(prefix="luna-bench-"))
    return Settings(  # type: ignore[call-arg]
        env="test",
        data_dir=directory,
        database_url=f"sqlite:///{directory / 'luna.db'}",
        secret_key=secrets.token_urlsafe(32),
        in_process_worker=False,
        _env_file=None,
    )


async def luna_round() -> tuple[float, float]:
    settings = fresh_settings()
    engine = create_engine(settings)
    await migrations.upgrade(engine, settings)
    runtime = RunRuntime(
        settings=settings, session_factory=create_session_factory(engine), keyring=None, bus=None
    )
    started = time.perf_counter()
    jobs = await start_durable_engine(runtime)
    running = time.perf_counter()
    await stop_durable_engine(runtime, jobs)
    stopped = time.perf_counter()
    await engine.dispose()
    return running - started, stopped - running


async def dbos_round() -> tuple[float, float]:
    settings = fresh_settings()
    started = time.perf_counter()
    DBOS(config=dbos_config(settings, executor_identity(settings)))
    DBOS.launch()
    running = time.perf_counter()
    await asyncio.to_thread(DBOS.destroy)
    stopped = time.perf_counter()
    asyncio.get_running_loop().set_default_executor(ThreadPoolExecutor())  # as Luna's stop does
    return running - started, stopped - running


def ms(values: list[float]) -> str:
    return f"{statistics.median(values) * 1000:.0f} ms"


async def main(rounds: int) -> None:
    luna = [await luna_round() for _ in range(rounds)]
    bare = [await dbos_round() for _ in range(rounds)]
    print(
        "| rounds | DBOS alone: start | DBOS alone: stop | Luna engine: start | Luna engine: stop |"
    )
    print("| --- | --- | --- | --- | --- |")
    print(
        f"| {rounds} | {ms([s for s, _ in bare])} | {ms([t for _, t in bare])} "
        f"| {ms([s for s, _ in luna])} | {ms([t for _, t in luna])} |"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=10)
    asyncio.run(main(parser.parse_args().rounds))
