"""Every blocking Client method against kie-sim."""

import threading
from datetime import datetime, timezone

import pytest

import kieimage
from kieimage import ProgressEvent, Task, TaskStatus
from helpers import png_size, write_png

# Slow enough generations that the wait sees progress; polls within kie's 3 per task per second.
SLOW = "[sim:ms=2500]"
POLL = {"initial_ms": 400, "max_ms": 400}


def test_generate_returns_the_task_id_the_server_created(sim, client):
    task = client.generate(prompt="a red fox", size="1:1")
    assert isinstance(task, Task) and task.task_id
    assert task.status is None
    assert [t["taskId"] for t in sim.tasks()] == [task.task_id]


def test_generate_passes_every_keyword_to_the_request(sim, client):
    task = client.generate(prompt="p", size=kieimage.Size.LANDSCAPE, variants=2, enhance=True,
                           upload_cn=False, fallback=kieimage.FallbackModel.FLUX_MAX)
    (stored,) = sim.tasks()
    assert stored["taskId"] == task.task_id
    assert stored["size"] == "3:2" and stored["nVariants"] == 2
    assert '"fallbackModel":"FLUX_MAX"' in stored["paramJson"].replace(" ", "")


def test_task_reads_one_record_with_typed_fields(client):
    submitted = client.generate(prompt="x " + SLOW, size="1:1")
    task = client.task(submitted.task_id)
    assert task.task_id == submitted.task_id
    assert task.status is TaskStatus.GENERATING and not task.done
    assert 0.0 <= task.progress < 1.0
    assert isinstance(task.create_time, datetime) and task.create_time.tzinfo is timezone.utc
    assert task.complete_time is None


def test_wait_delivers_progress_on_the_callers_thread(client_factory):
    client = client_factory(poll=POLL)
    submitted = client.generate(prompt="x " + SLOW, size="2:3")
    events = []
    caller = threading.get_ident()

    def on_progress(event):
        events.append((event, threading.get_ident()))

    task = client.wait(submitted, on_progress=on_progress)
    assert task.status is TaskStatus.SUCCESS and task.succeeded
    assert events, "no progress event"
    assert all(isinstance(e, ProgressEvent) and e.task_id == submitted.task_id for e, _ in events)
    assert all(0.0 <= e.progress <= 1.0 for e, _ in events)
    assert {thread for _, thread in events} == {caller}
    assert task.complete_time is not None and task.complete_time >= task.create_time


def test_exception_in_progress_callback_reaches_the_caller(client_factory):
    client = client_factory(poll=POLL)
    submitted = client.generate(prompt="x " + SLOW, size="1:1")
    calls = []

    class Boom(Exception):
        pass

    def on_progress(event):
        calls.append(event)
        raise Boom("from the callback")

    with pytest.raises(Boom, match="from the callback"):
        client.wait(submitted.task_id, on_progress=on_progress)
    assert len(calls) == 1, "the callback is not called again after it raised"


def test_run_generates_and_waits(client):
    task = client.run(prompt="a lighthouse", size="3:2")
    assert task.status is TaskStatus.SUCCESS
    assert len(task.result_urls) == 1 and task.progress == 1.0
    assert task.request is not None and task.request.get("prompt") == "a lighthouse"


def test_run_with_variants_returns_each_url(client):
    task = client.run(prompt="two cats", size="1:1", variants=2)
    assert len(task.result_urls) == 2


def test_download_saves_real_pngs_at_the_requested_aspect(client, tmp_path):
    task = client.run(prompt="mountains", size="3:2")
    paths = client.download(task, tmp_path / "out")
    assert len(paths) == 1
    data = paths[0].read_bytes()
    assert png_size(data) == (1536, 1024)
    assert paths[0].parent == tmp_path / "out"


def test_download_by_task_id_reports_each_file(client, tmp_path):
    task = client.run(prompt="square", size="1:1")
    (f,) = client.download_files(task.task_id, str(tmp_path))
    assert f.url == task.result_urls[0]
    assert f.content_type == "image/png" and f.bytes == f.path.stat().st_size
    assert png_size(f.path.read_bytes()) == (1024, 1024)


def test_download_url_returns_a_fetchable_link(sim, client):
    task = client.run(prompt="link", size="1:1")
    link = client.download_url(task, task.result_urls[0])
    assert link.startswith("http://127.0.0.1:")
    png_size(sim.fetch(link))


def test_credits_are_charged_per_generate(sim, client):
    before = client.credits()
    client.generate(prompt="x", size="1:1", variants=2)
    after = client.credits()
    assert isinstance(before, float)
    assert before - after == pytest.approx(2 * sim.initial_config["creditsPerVariant"])


def test_upload_returns_a_url_usable_as_input(sim, client, tmp_path):
    uploaded = client.upload(write_png(tmp_path / "in.png"))
    assert uploaded.url.startswith("http://127.0.0.1:")
    task = client.run(prompt="restyle", size="1:1", files=[uploaded.url])
    assert task.status is TaskStatus.SUCCESS
    assert sim.fetch(uploaded.url) == (tmp_path / "in.png").read_bytes()


def test_client_reads_key_and_base_url_from_the_environment(sim, monkeypatch):
    monkeypatch.setenv("KIE_API_KEY", sim.api_key)
    monkeypatch.setenv("KIE_BASE_URL", sim.base_url)
    with kieimage.Client() as client:
        assert client.credits() > 0


def test_repr_and_errors_never_show_the_key(sim):
    with kieimage.Client(api_key=sim.api_key, base_url=sim.base_url) as client:
        assert sim.api_key not in repr(client)
        with pytest.raises(kieimage.KieError) as info:
            client.task("no-such-task")
    assert sim.api_key not in str(info.value) and sim.api_key not in repr(info.value.detail)


def test_closed_client_refuses_calls(sim):
    client = kieimage.Client(api_key=sim.api_key, base_url=sim.base_url)
    with client:
        pass
    assert client.closed
    client.close()
    with pytest.raises(ValueError, match="closed"):
        client.credits()


def test_threads_share_one_client(client):
    results, errors = [], []

    def work(i):
        try:
            results.append(client.run(prompt=f"thread {i}", size="1:1"))
        except Exception as e:  # noqa: BLE001
            errors.append(e)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert len({t.task_id for t in results}) == 6


def test_request_body_is_the_librarys_exact_body_and_sends_nothing(sim):
    body = kieimage.request_body(prompt="p", size="2:3", variants=4, fallback=True)
    assert body["prompt"] == "p" and body["size"] == "2:3" and body["nVariants"] == 4
    assert body["enableFallback"] is True
    with pytest.raises(kieimage.ValidationError) as info:
        kieimage.request_body(prompt="p", size="2:3", variants=5)
    assert info.value.argument == "variants"
    assert sim.stats()["requests"].get("generate", 0) == 0


def test_task_round_trips_through_its_json(client):
    task = client.run(prompt="round trip", size="1:1")
    again = Task.from_json(task.to_json())
    assert again == task and again.raw == task.raw


def test_library_log_lines_reach_a_python_logger_without_the_key(sim, client_factory, caplog):
    import logging

    logger = logging.getLogger("kieimage.test")
    sim.config(faults=[{"endpoint": "credit", "match": {"count": 1}, "action": {"bodyCode": 500, "msg": "x"}}])
    with caplog.at_level(logging.DEBUG, logger="kieimage.test"):
        client = client_factory(logger=logger, log_level="debug", max_retries=2, retry_base_ms=10, retry_max_ms=20)
        assert client.credits() > 0
        client.close()
    assert caplog.records, "no log line"
    assert all(sim.api_key not in r.getMessage() for r in caplog.records)
    with pytest.raises(TypeError):
        client_factory(logger="kieimage")
