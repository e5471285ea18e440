"""Bad input raises TypeError/ValueError or ValidationError naming the field; never a crash or a
ctypes error. Python checks Python types only; values are the library's to judge."""

import ctypes
import math

import pytest

import kieimage

URL = "http://127.0.0.1:9/in.png"


@pytest.mark.parametrize("kwargs", [
    dict(api_key=123), dict(base_url=b"http://127.0.0.1"), dict(max_retries="3"), dict(max_retries=True),
    dict(poll=[1]), dict(poll={1: 2}), dict(rate_limit="20/10s"), dict(colour="red"), dict(delivery="thread"),
    dict(journal_path=5),
])
def test_client_options_of_the_wrong_type_raise_type_error(sim, kwargs):
    kwargs.setdefault("api_key", sim.api_key)
    with pytest.raises(TypeError):
        kieimage.Client(base_url=sim.base_url, **kwargs) if "base_url" not in kwargs else kieimage.Client(**kwargs)


@pytest.mark.parametrize("kwargs", [dict(base_url="not a url"), dict(request_timeout_ms=-5), dict(poll={"multiplier": "x"})])
def test_client_option_values_are_judged_by_the_library(sim, kwargs):
    kwargs.setdefault("base_url", sim.base_url)
    with pytest.raises(kieimage.KieError) as info:
        kieimage.Client(api_key=sim.api_key, **kwargs)
    assert isinstance(info.value, ValueError)


@pytest.mark.parametrize("kwargs", [
    dict(prompt=1, size="1:1"), dict(prompt=b"x", size="1:1"), dict(prompt="x", size=3), dict(prompt="x", size=1.5),
    dict(prompt="x", size="1:1", files=URL), dict(prompt="x", size="1:1", files=[1]),
    dict(prompt="x", size="1:1", files={URL}), dict(prompt="x", size="1:1", variants="2"),
    dict(prompt="x", size="1:1", variants=True), dict(prompt="x", size="1:1", variants=2.0),
    dict(prompt="x", size="1:1", mask=5), dict(prompt="x", size="1:1", callback_url=["u"]),
    dict(prompt="x", size="1:1", enhance="yes"), dict(prompt="x", size="1:1", upload_cn=1),
    dict(prompt="x", size="1:1", fallback=3), dict(prompt="x", size="1:1", colour="red"),
])
def test_generate_arguments_of_the_wrong_type_raise_type_error(sim, client, kwargs):
    with pytest.raises(TypeError):
        client.generate(**kwargs)
    assert sim.stats()["requests"].get("generate", 0) == 0


@pytest.mark.parametrize("kwargs,field,argument", [
    (dict(prompt="x"), "size", "size"),
    (dict(prompt="x", size=None), "size", "size"),
    (dict(prompt="x", size="4:3"), "size", "size"),
    (dict(prompt="x", size=""), "size", "size"),
    (dict(size="1:1"), "prompt", "prompt"),
    (dict(prompt="   ", size="1:1"), "prompt", "prompt"),
    (dict(prompt="x", size="1:1", variants=3), "nVariants", "variants"),
    (dict(prompt="x", size="1:1", files=["not a url"]), "filesUrl", "files"),
    (dict(prompt="x", size="1:1", files=[URL] * 6), "filesUrl", "files"),
    (dict(prompt="x", size="1:1", mask="ftp://host/m.png"), "maskUrl", "mask"),
    (dict(prompt="x", size="1:1", callback_url="not a url"), "callBackUrl", "callback_url"),
    (dict(prompt="x", size="1:1", fallback="NOPE"), "fallbackModel", "fallback"),
])
def test_invalid_values_raise_validation_error_naming_the_field(sim, client, kwargs, field, argument):
    for call in (client.generate, client.run):
        with pytest.raises(kieimage.ValidationError) as info:
            call(**kwargs)
        assert info.value.field == field and info.value.argument == argument
        assert isinstance(info.value, ValueError)
    assert sim.stats()["requests"].get("generate", 0) == 0


@pytest.mark.parametrize("prompt", ["a\x00b", "\ud800 lone surrogate", "x" * 200_000, "emoji \U0001F305 ünïcödé"])
def test_odd_strings_never_crash(client, prompt):
    try:
        client.generate(prompt=prompt, size="1:1")
    except (kieimage.KieError, ValueError) as e:
        assert not isinstance(e, ctypes.ArgumentError)


@pytest.mark.parametrize("call,error", [
    (lambda c: c.task(None), TypeError),
    (lambda c: c.task(5), TypeError),
    (lambda c: c.task("a\x00b"), ValueError),
    (lambda c: c.wait("t", timeout="10"), TypeError),
    (lambda c: c.wait("t", timeout=math.nan), ValueError),
    (lambda c: c.wait("t", timeout=math.inf), ValueError),
    (lambda c: c.wait("t", on_progress=1), TypeError),
    (lambda c: c.run(prompt="x", size="1:1", on_progress="print"), TypeError),
    (lambda c: c.download(5, "out"), TypeError),
    (lambda c: c.download(kieimage.Task(task_id="t"), 5), TypeError),
    (lambda c: c.download_url("t", None), TypeError),
    (lambda c: c.upload(None), TypeError),
    (lambda c: c.upload("x.png", file_name=3), TypeError),
])
def test_other_methods_check_python_types(sim, client, call, error):
    with pytest.raises(error):
        call(client)


@pytest.mark.parametrize("task_id", ["", " ", "../../etc/passwd", "x" * 10_000])
def test_odd_task_ids_are_library_errors(client, task_id):
    with pytest.raises(kieimage.KieError):
        client.task(task_id)


def test_downloading_an_unfinished_task_is_a_library_error(client, tmp_path):
    submitted = client.generate(prompt="x [sim:ms=60000]", size="1:1")
    with pytest.raises(kieimage.KieError):
        client.download(submitted.task_id, tmp_path)
