"""The walking skeleton's promises (issue 2): run, wrong key, invalid size."""

import pytest

import kieimage
from kieimage import TaskStatus


def test_run_returns_success_with_a_result_url(sim):
    client = kieimage.Client(base_url=sim.base_url, api_key=sim.api_key)
    try:
        task = client.run(prompt="x", size="1:1")
    finally:
        client.close()
    assert task.status is TaskStatus.SUCCESS
    assert task.result_urls and task.result_urls[0].startswith("http://127.0.0.1:")
    assert task.progress == 1.0


def test_wrong_key_raises_authentication_error(sim):
    with kieimage.Client(base_url=sim.base_url, api_key="kie-canary-wrong") as client:
        with pytest.raises(kieimage.AuthenticationError) as info:
            client.run(prompt="x", size="1:1")
    assert info.value.status == -3
    assert info.value.api_code == 401
    assert "kie-canary-wrong" not in str(info.value) and "kie-canary-wrong" not in repr(info.value.detail)


def test_unsupported_size_raises_validation_error_naming_size(sim):
    with kieimage.Client(base_url=sim.base_url, api_key=sim.api_key) as client:
        with pytest.raises(kieimage.ValidationError) as info:
            client.run(prompt="x", size="4:3")
    assert info.value.field == "size"
    assert info.value.argument == "size"
    assert sim.stats()["requests"].get("generate", 0) == 0
