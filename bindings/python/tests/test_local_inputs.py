"""Local files as inputs (docs/python.md, "Local files as inputs"): paths, file: URLs, Path,
bytes and file objects in a 4o edit and a Market image-to-image, each uploaded once by the
library (the simulator's upload count) and reused on a second run and by a second process
sharing the journal."""

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest

import kieimage
from helpers import write_png

MARKET = "gpt-image-2-image-to-image"

FORMS = ["path", "file-url", "pathlib", "bytes", "file-object"]


def as_input(form, png):
    if form == "path":
        return str(png)
    if form == "file-url":
        return png.as_uri()
    if form == "pathlib":
        return png
    if form == "bytes":
        return png.read_bytes()
    return open(png, "rb")


def edit(client, family, image):
    if family == "4o":
        return client.run(prompt="make it night", size="1:1", files=[image])
    return client.run(model=MARKET, prompt="make it night", aspect_ratio="1:1", images=[image])


@pytest.mark.parametrize("family", ["4o", "market"])
@pytest.mark.parametrize("form", FORMS)
def test_each_form_uploads_once_and_is_reused(sim, client_factory, tmp_path, family, form):
    png = write_png(tmp_path / "photo.png")
    journal = tmp_path / "journal.jsonl"
    client = client_factory(journal_path=journal)
    first = edit(client, family, as_input(form, png))
    assert first.status.name == "SUCCESS"
    assert sim.stats()["uploads"] == 1
    second = edit(client, family, as_input(form, png))
    assert second.status.name == "SUCCESS" and second.task_id != first.task_id
    assert sim.stats()["uploads"] == 1, "the same content is not uploaded twice"
    # A second process on the same journal reuses the upload too.
    code = (
        "import sys, kieimage\n"
        "a = sys.argv\n"
        "with kieimage.Client(api_key=a[1], base_url=a[2], upload_base_url=a[3], journal_path=a[4]) as c:\n"
        "    t = c.run(prompt='again', size='1:1', files=[a[5]]) if a[6] == '4o' else "
        "c.run(model=a[7], prompt='again', aspect_ratio='1:1', images=[a[5]])\n"
        "    print(t.status.name)\n")
    out = subprocess.run([sys.executable, "-c", code, sim.api_key, sim.base_url, sim.upload_url, str(journal), str(png),
                          family, MARKET], capture_output=True, text=True, timeout=120,
                         env=dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parent.parent)))
    assert out.returncode == 0, out.stderr.replace(sim.api_key, "<key>")
    assert out.stdout.strip() == "SUCCESS"
    assert sim.stats()["uploads"] == 1, "a second process sharing the journal reuses the upload"


def test_temporary_files_are_deleted_after_the_call(sim, client, tmp_path, monkeypatch):
    import tempfile
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    png = write_png(tmp_path / "photo.png")
    client.generate(prompt="x", size="1:1", files=[png.read_bytes()], mask=io.BytesIO(png.read_bytes()))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["photo.png"]
    assert sim.stats()["uploads"] == 1, "the image and the mask hold the same bytes: one upload"


def test_temporary_file_is_named_by_the_contents_type(tmp_path):
    from kieimage._local_inputs import LocalInputs
    jpeg = b"\xff\xd8\xff\xe0" + b"\0" * 16
    with LocalInputs({"images": [jpeg, bytearray(write_png(tmp_path / "a.png").read_bytes())]}) as request:
        names = request["images"]
        assert [Path(n).suffix for n in names] == [".jpeg", ".png"]
        assert all(os.path.isabs(n) and oct(os.stat(n).st_mode & 0o777) == "0o600" for n in names)
        assert Path(names[0]).read_bytes() == jpeg
    assert not any(os.path.exists(n) for n in names)


def test_a_missing_file_is_the_librarys_io_error_naming_it(sim, client, tmp_path):
    missing = tmp_path / "nope.png"
    with pytest.raises(kieimage.FileIOError) as info:
        client.generate(prompt="x", size="1:1", files=[missing])
    assert str(missing) in info.value.message and info.value.field
    with pytest.raises(kieimage.FileIOError) as info:
        client.run(model=MARKET, prompt="x", aspect_ratio="1:1", images=[missing.as_uri()])
    assert str(missing) in info.value.message
    assert sim.stats()["uploads"] == 0 and sim.tasks() == []


def test_a_text_mode_file_object_is_a_type_error(sim, client, tmp_path):
    write_png(tmp_path / "a.png")
    with open(tmp_path / "a.png", encoding="latin-1") as f, pytest.raises(TypeError, match="binary mode"):
        client.generate(prompt="x", size="1:1", files=[f])


def test_request_body_takes_a_path_but_not_bytes(tmp_path):
    png = write_png(tmp_path / "a.png")
    body = kieimage.request_body(prompt="x", size="1:1", files=[png])
    assert body["filesUrl"] == [str(png.resolve())]
    with pytest.raises(TypeError, match="Client.generate"):
        kieimage.request_body(prompt="x", size="1:1", files=[png.read_bytes()])


def test_async_calls_take_bytes_and_delete_the_temporary_file(sim, client, tmp_path, monkeypatch):
    import asyncio
    import tempfile
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    data = write_png(tmp_path / "photo.png").read_bytes()

    async def both():
        done = await client.run_async(model=MARKET, prompt="x", aspect_ratio="1:1", images=[data])
        submitted = await client.generate_async(prompt="x", size="1:1", files=[io.BytesIO(data)])
        return done, submitted

    done, submitted = asyncio.run(both())
    assert done.status.name == "SUCCESS" and submitted.task_id
    assert sim.stats()["uploads"] == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["photo.png"]
