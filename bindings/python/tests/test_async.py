"""asyncio: queue delivery read through loop.add_reader(kie_client_fd), no thread per call."""

import asyncio
import os
import threading

import pytest

import kieimage
from kieimage import TaskStatus, _callbacks

POLL = {"initial_ms": 400, "max_ms": 400}


def os_threads() -> int:
    return len(os.listdir("/proc/self/task"))


def test_run_async_returns_the_finished_task_with_progress_on_the_loop_thread(client_factory):
    client = client_factory(poll=POLL)
    seen = []

    async def scenario():
        loop_thread = threading.get_ident()
        task = await client.run_async(prompt="async [sim:ms=2000]", size="2:3",
                                      on_progress=lambda e: seen.append((e, threading.get_ident() == loop_thread)))
        return task

    task = asyncio.run(scenario())
    assert task.status is TaskStatus.SUCCESS and task.result_urls
    assert seen and all(on_loop for _, on_loop in seen)
    assert all(e.task_id == task.task_id for e, _ in seen)


def test_generate_async_then_wait_async(sim, client):
    async def scenario():
        submitted = await client.generate_async(prompt="two steps", size="1:1")
        assert submitted.task_id and submitted.status is None
        return submitted, await client.wait_async(submitted.task_id)

    submitted, task = asyncio.run(scenario())
    assert task.task_id == submitted.task_id and task.status is TaskStatus.SUCCESS
    assert len(sim.tasks()) == 1, "generate_async submitted once"


def test_validation_error_from_run_async_names_the_field(client):
    with pytest.raises(kieimage.ValidationError) as info:
        asyncio.run(client.run_async(prompt="x", size="4:3"))
    assert info.value.field == "size"


def test_task_failure_and_timeout_reach_the_awaiting_caller(client):
    async def failed():
        return await client.run_async(prompt="x [sim:generate_failed]", size="1:1")

    with pytest.raises(kieimage.TaskFailedError) as info:
        asyncio.run(failed())
    assert info.value.task_id

    async def slow():
        submitted = await client.generate_async(prompt="x [sim:ms=60000]", size="1:1")
        return await client.wait_async(submitted, timeout=0.5)

    with pytest.raises(kieimage.TimeoutError):
        asyncio.run(slow())


def test_cancelling_the_asyncio_task_cancels_the_operation(sim, client):
    async def scenario():
        pending = asyncio.ensure_future(client.run_async(prompt="x [sim:ms=60000]", size="1:1"))
        while not sim.tasks():
            await asyncio.sleep(0.05)
        pending.cancel()
        with pytest.raises(asyncio.CancelledError):
            await pending
        # The library answers kie_cancel with the op's final (CANCELLED) event, which the
        # fd reader dispatches; the registry entry goes away with it.
        while _callbacks._registry or client._aio._pending:
            await asyncio.sleep(0.05)

    asyncio.run(scenario())


def test_exception_in_async_progress_callback_reaches_the_awaiting_caller(client_factory):
    client = client_factory(poll=POLL)

    def on_progress(event):
        raise LookupError("callback failed")

    with pytest.raises(LookupError, match="callback failed"):
        asyncio.run(client.run_async(prompt="x [sim:ms=2000]", size="1:1", on_progress=on_progress))
    client.close()  # delivers whatever final event the closed loop did not read
    assert not _callbacks._registry


def test_one_client_serves_successive_event_loops(client):
    first = asyncio.run(client.run_async(prompt="loop one", size="1:1"))
    second = asyncio.run(client.run_async(prompt="loop two", size="1:1"))
    assert first.succeeded and second.succeeded


def test_500_concurrent_run_async_complete_without_new_threads(sim, client_factory):
    sim.config(apiKeys={sim.api_key: 1_000_000}, generateLimit={"requests": 1000, "perMs": 10000})
    client = client_factory(rate_limit={"requests": 1000, "per_ms": 10000})

    async def many(n):
        return await asyncio.gather(*(client.run_async(prompt=f"crowd {i}", size="1:1") for i in range(n)))

    asyncio.run(many(20))  # the library's pools reach their steady size
    python_before, os_before = threading.active_count(), os_threads()
    tasks = asyncio.run(many(500))
    assert threading.active_count() == python_before
    # No thread per operation: 500 of them may add at most a few pool threads the library's
    # executors start lazily (seen: one more, now and then), never hundreds.
    assert os_threads() <= os_before + 4
    assert len(tasks) == 500 and all(t.status is TaskStatus.SUCCESS for t in tasks)
    assert len({t.task_id for t in tasks}) == 500
