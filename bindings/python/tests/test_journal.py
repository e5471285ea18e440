"""Journal, resume and resolve from Python (contract v1.1 §6.4 in docs/journal.md): every
generate is journaled, a new process resumes what was submitted, unknown outcomes are listed
and settled, never resubmitted."""

import asyncio

import pytest

import kieimage


def journaled(client_factory, tmp_path, **options):
    return client_factory(journal_path=str(tmp_path / "journal.jsonl"), **options)


def test_a_run_is_journaled_to_its_end(sim, client_factory, tmp_path):
    client = journaled(client_factory, tmp_path)
    task = client.run(prompt="journaled", size="1:1")
    entries = client.journal()
    assert [e.task_id for e in entries] == [task.task_id]
    assert entries[0].state in ("succeeded", "downloaded") and entries[0].family == "4o"
    assert entries[0].time is not None


def test_a_new_client_resumes_what_was_submitted(sim, client_factory, tmp_path):
    first = journaled(client_factory, tmp_path)
    submitted = first.generate(prompt="resume me [sim:ms=1500]", size="1:1")
    assert [e.state for e in first.journal()] == ["submitted"]
    first.close()
    second = journaled(client_factory, tmp_path)
    progress = []
    result = second.resume(on_progress=progress.append, download_dir=tmp_path / "out")
    assert [(r.task_id, r.error) for r in result.resumed] == [(submitted.task_id, None)]
    assert result.resumed[0].task.succeeded and result.unknown == ()
    assert any((tmp_path / "out").iterdir()), "downloaded into download_dir"
    (work,) = result.resumed
    assert work.downloads and all(f.path.is_file() and f.path.stat().st_size == f.bytes for f in work.downloads)
    assert sorted(f.path for f in work.downloads) == sorted(p for p in (tmp_path / "out").rglob("*") if p.is_file())
    assert [f.url for f in work.downloads] == list(work.task.result_urls)
    assert sim.stats()["requests"].get("generate", 0) == 1, "resume never submits again"
    assert second.resume().resumed == (), "nothing left to resume"


def test_unknown_outcomes_are_listed_and_resolved_not_resubmitted(sim, client_factory, tmp_path):
    client = journaled(client_factory, tmp_path, max_retries=0)
    sim.config(faults=[{"endpoint": "generate", "match": {"count": 1}, "action": {"reset": "after"}}])
    with pytest.raises(kieimage.UnknownOutcomeError):
        client.generate(prompt="lost answer", size="1:1")
    (entry,) = client.journal()
    assert entry.state == "unknown" and entry.task_id is None
    result = client.resume()
    assert result.resumed == () and [u.id for u in result.unknown] == [entry.id]
    assert result.unknown[0].request and result.unknown[0].state == "unknown"
    client.resolve(entry.id, None)
    assert [e.state for e in client.journal()] == ["abandoned"]
    assert sim.stats()["requests"].get("generate", 0) == 1
    with pytest.raises(kieimage.NotFoundError):
        client.resolve("no-such-entry", None)
    with pytest.raises(TypeError):
        client.resolve(None, None)


def test_resume_async_awaits_every_resumed_task(sim, client_factory, tmp_path):
    first = journaled(client_factory, tmp_path)
    ids = {first.generate(prompt=f"async resume {i} [sim:ms=800]", size="1:1").task_id for i in range(3)}
    first.close()
    second = journaled(client_factory, tmp_path)
    result = asyncio.run(second.resume_async())
    assert {r.task_id for r in result.resumed} == ids
    assert all(r.task is not None and r.task.succeeded for r in result.resumed)


def test_journal_needs_a_journal_path(client):
    with pytest.raises(kieimage.InvalidArgumentError):
        client.journal()


def test_an_idempotency_key_is_sent_once_per_journal_and_per_ledger(sim, client_factory, tmp_path):
    """idempotency_key= (docs/ledger.md): a second generate with the key sends nothing and answers
    as the first did, with a journal (across clients) and with an SQLite ledger (across owners)."""
    before = sim.stats()["requests"].get("generate", 0)
    first = journaled(client_factory, tmp_path).generate(prompt="once", size="1:1", idempotency_key="order-1")
    again = journaled(client_factory, tmp_path).generate(prompt="once", size="1:1", idempotency_key="order-1")
    assert again.task_id == first.task_id
    ledger = f"sqlite:{tmp_path / 'ledger.db'}"
    a = client_factory(ledger=ledger).generate(prompt="twice", size="1:1", idempotency_key="order-2")
    b = client_factory(ledger=ledger).generate(prompt="twice", size="1:1", idempotency_key="order-2")
    assert a.task_id == b.task_id != first.task_id
    assert sim.stats()["requests"].get("generate", 0) == before + 2
    with pytest.raises(TypeError):
        client_factory(ledger=ledger).generate(prompt="x", size="1:1", idempotency_key=7)
    with pytest.raises(kieimage.InvalidArgumentError):
        client_factory(ledger=ledger, journal_path=str(tmp_path / "j.jsonl"))
