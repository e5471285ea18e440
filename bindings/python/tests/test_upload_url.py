"""Uploads by URL (kie_upload_url / Client.upload_url): the upload host fetches the URL."""

import pytest

import kieimage
from helpers import write_png


def test_upload_url_returns_the_hosts_copy(sim, client, tmp_path):
    original = client.upload(write_png(tmp_path / "in.png"))
    copied = client.upload_url(original.url, upload_path="by-url", file_name="copy.png")
    assert copied.url.startswith("http://127.0.0.1:") and copied.url != original.url
    assert "downloadUrl" in copied.raw
    assert sim.fetch(copied.url) == (tmp_path / "in.png").read_bytes()
    assert sim.stats()["requests"].get("upload-url", 0) == 1


def test_the_hosts_400_answer_is_a_validation_error(sim, client):
    # The recorded answer of kie's upload host to a request it refuses.
    sim.config(faults=[{"endpoint": "upload-url", "action": {
        "bodyCode": 400, "msg": "Missing required parameter: fileUrl (file download URL)"}}])
    with pytest.raises(kieimage.ValidationError) as info:
        client.upload_url(sim.base_url + "/nothing.png")
    assert info.value.api_code == 400 and "fileUrl" in info.value.message
    assert sim.api_key not in str(info.value)


def test_a_url_that_is_not_http_is_refused_before_any_request(sim, client):
    with pytest.raises(kieimage.InvalidArgumentError) as info:
        client.upload_url("file:///etc/passwd")
    assert info.value.field == "fileUrl"
    assert sim.stats()["requests"].get("upload-url", 0) == 0
    with pytest.raises(TypeError):
        client.upload_url(None)


def test_the_blocking_export_answers_like_the_async_one(sim, client, tmp_path):
    """kie_upload_url itself (the binding uses kie_upload_url_async)."""
    import json
    from kieimage import _lib

    original = client.upload(write_png(tmp_path / "in.png"))
    answer = json.loads(_lib._call_out("kie_upload_url", client._h, original.url.encode(), None))
    assert answer["downloadUrl"].startswith("http://127.0.0.1:")
    assert sim.fetch(answer["downloadUrl"]) == (tmp_path / "in.png").read_bytes()
