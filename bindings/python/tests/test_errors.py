"""Every exception class, each produced by the library against kie-sim, with its detail fields."""

import builtins
import socket

import pytest

import kieimage
from kieimage import _errors

NO_RETRY = dict(max_retries=0, retry_base_ms=10, retry_max_ms=20)


def fault(sim, endpoint, **action):
    sim.config(faults=[{"endpoint": endpoint, "action": action}])


def assert_clean(error, sim):
    """Every detail field is an attribute, and the key is nowhere in the exception."""
    assert isinstance(error, kieimage.KieError)
    assert error.status == type(error).status and error.name == error.detail["name"]
    assert error.message == error.detail["message"]
    for text in (str(error), repr(error), repr(error.detail)):
        assert sim.api_key not in text


def header_statuses():
    """KIE_E_* name -> value, from include/kieimage.h."""
    import re
    from conftest import REPO_ROOT
    header = REPO_ROOT / "include" / "kieimage.h"
    if not header.exists():
        pytest.skip("include/kieimage.h is not in this checkout")
    return {m.group(1): int(m.group(2)) for m in re.finditer(r"\b(KIE_E_\w+)\s*=\s*(-\d+)", header.read_text())}


def test_exception_classes_mirror_every_status():
    statuses = header_statuses()
    assert statuses["KIE_E_BUDGET"] == -20
    for name, status in statuses.items():
        cls = _errors.error_class(status)
        assert cls.status == status and issubclass(cls, kieimage.KieError), name
        assert cls is not kieimage.KieError and cls.__name__ in kieimage.__all__, name
    assert _errors.error_class(-20) is kieimage.BudgetError
    assert issubclass(kieimage.ValidationError, ValueError)
    assert issubclass(kieimage.TimeoutError, builtins.TimeoutError)
    assert issubclass(kieimage.FileIOError, OSError)
    assert _errors.error_class(-99) is kieimage.KieError


def test_validation_error_names_field_and_keyword(sim, client):
    with pytest.raises(kieimage.ValidationError) as info:
        client.generate(prompt="x", size="1:1", variants=3)
    assert info.value.field == "nVariants" and info.value.argument == "variants"
    assert_clean(info.value, sim)


def test_invalid_argument_error_for_an_unknown_nested_option(sim):
    with pytest.raises(kieimage.InvalidArgumentError) as info:
        kieimage.Client(api_key=sim.api_key, base_url=sim.base_url, poll={"initial_ms": 100, "bogus": 1})
    assert "bogus" in info.value.message
    assert_clean(info.value, sim)


def test_authentication_error(sim, client_factory):
    client = client_factory(api_key="kie-canary-not-an-account")
    with pytest.raises(kieimage.AuthenticationError) as info:
        client.generate(prompt="x", size="1:1")
    assert info.value.api_code == 401 and not info.value.retryable
    assert "kie-canary-not-an-account" not in str(info.value)


def test_insufficient_credits_error(sim, client):
    sim.config(apiKeys={sim.api_key: 0})
    with pytest.raises(kieimage.InsufficientCreditsError) as info:
        client.generate(prompt="x", size="1:1")
    assert info.value.api_code == 402
    assert_clean(info.value, sim)


def test_not_found_error_carries_the_task_id(sim, client):
    with pytest.raises(kieimage.NotFoundError) as info:
        client.task("no-such-task")
    assert info.value.task_id == "no-such-task"
    assert_clean(info.value, sim)


def test_quota_error_from_body_code_433(sim, client_factory):
    if not _lib_knows_quota():
        pytest.skip("this libkieimage predates KIE_E_QUOTA (-18)")
    client = client_factory(**NO_RETRY)
    fault(sim, "generate", bodyCode=433, msg="API key usage limit exceeded")
    with pytest.raises(kieimage.QuotaError) as info:
        client.generate(prompt="x", size="1:1")
    assert info.value.status == -18 and info.value.name == "QUOTA"
    assert info.value.api_code == 433 and not info.value.retryable
    assert not isinstance(info.value, kieimage.InsufficientCreditsError)
    assert sim.stats()["requests"].get("generate", 0) == 1, "a quota answer is never retried"
    assert_clean(info.value, sim)


def _lib_knows_quota():
    from kieimage import _lib
    return _lib.status_text(-18) != "unknown status"


@pytest.mark.parametrize("code,cls", [(429, kieimage.RateLimitError), (455, kieimage.UnavailableError),
                                      (550, kieimage.UnavailableError), (500, kieimage.ServerError)])
def test_server_answers_map_to_their_exception(sim, client_factory, code, cls):
    client = client_factory(**NO_RETRY)
    fault(sim, "generate", bodyCode=code, msg="injected")
    with pytest.raises(cls) as info:
        client.generate(prompt="x", size="1:1")
    assert info.value.api_code == code and info.value.retryable
    assert info.value.attempts >= 1
    assert_clean(info.value, sim)


def test_network_error_when_nothing_listens(sim):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with kieimage.Client(api_key=sim.api_key, base_url=f"http://127.0.0.1:{port}", **NO_RETRY) as client:
        with pytest.raises(kieimage.NetworkError) as info:
            client.credits()
    assert_clean(info.value, sim)


def test_timeout_error_after_the_wait_deadline(sim, client):
    submitted = client.generate(prompt="slow [sim:ms=60000]", size="1:1")
    with pytest.raises(kieimage.TimeoutError) as info:
        client.wait(submitted.task_id, timeout=0.5)
    assert info.value.task_id == submitted.task_id
    assert_clean(info.value, sim)


def test_unknown_outcome_error_keeps_the_request_sent(sim, client_factory):
    client = client_factory(**NO_RETRY)
    fault(sim, "generate", reset="after")
    with pytest.raises(kieimage.UnknownOutcomeError) as info:
        client.generate(prompt="maybe charged", size="1:1")
    assert info.value.request == {"prompt": "maybe charged", "size": "1:1"}
    assert sim.stats()["requests"]["generate"] == 1, "never resent"
    assert_clean(info.value, sim)


@pytest.mark.parametrize("directive", ["generate_failed", "create_task_failed"])
def test_task_failed_error(sim, client, directive):
    with pytest.raises(kieimage.TaskFailedError) as info:
        client.run(prompt=f"x [sim:{directive}]", size="1:1")
    assert info.value.task_id and info.value.api_code is not None
    task = client.task(info.value.task_id)
    assert task.status.failed and task.error_message


def test_protocol_error_on_a_malformed_answer(sim, client_factory):
    client = client_factory(**NO_RETRY)
    submitted = client.generate(prompt="x", size="1:1")
    fault(sim, "record-info", malformed=True)
    with pytest.raises(kieimage.ProtocolError) as info:
        client.task(submitted.task_id)
    assert info.value.raw
    assert_clean(info.value, sim)


def test_signature_error(sim):
    with pytest.raises(kieimage.SignatureError):
        kieimage.verify_webhook("key", b'{"code":200,"data":{"taskId":"t"}}',
                                {"X-Webhook-Timestamp": "1", "X-Webhook-Signature": "bad"})


def test_file_io_error_for_a_missing_upload(sim, client, tmp_path):
    with pytest.raises(kieimage.FileIOError) as info:
        client.upload(tmp_path / "missing.png")
    assert_clean(info.value, sim)


def test_cancelled_error_when_the_client_closes_under_an_await(sim, client):
    import asyncio

    async def scenario():
        pending = asyncio.ensure_future(client.run_async(prompt="x [sim:ms=60000]", size="1:1"))
        while not sim.tasks():
            await asyncio.sleep(0.05)
        client.close()
        return await pending

    with pytest.raises(kieimage.CancelledError) as info:
        asyncio.run(scenario())
    assert info.value.status == -13


def test_internal_and_unknown_statuses_still_raise_kie_errors():
    e = _errors.error_from_detail(-17, '{"status": -17, "name": "INTERNAL", "message": "bug"}')
    assert type(e) is kieimage.InternalError and e.message == "bug"
    e = _errors.error_from_detail(-99, "not json")
    assert type(e) is kieimage.KieError
    stale = _errors.error_from_detail(-5, '{"status": -3, "name": "AUTH", "message": "older failure"}', "not found")
    assert type(stale) is kieimage.NotFoundError and stale.message == "not found"
