"""`python -m kieimage`, a pip install into a fresh venv, exit-time cleanup and "spawn"."""

import json
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import kieimage
from conftest import PACKAGE_ROOT, REPO_ROOT
from helpers import png_size


def child_env(sim, **extra):
    env = {k: v for k, v in os.environ.items() if not k.startswith("KIE_")}
    env.update(KIE_API_KEY=sim.api_key, KIE_BASE_URL=sim.base_url, KIEIMAGE_LIB=kieimage.LIBRARY_PATH,
               PYTHONPATH=str(PACKAGE_ROOT))
    env.update(extra)
    return env


def run_python(args, env, cwd, timeout=300):
    return subprocess.run([sys.executable, *args], env=env, cwd=cwd, capture_output=True, text=True, timeout=timeout)


def test_python_m_kieimage_generates_and_downloads(sim, tmp_path):
    out = tmp_path / "out"
    r = run_python(["-m", "kieimage", "A beautiful sunset over the mountains", "--size", "1:1", "--out", str(out)],
                   child_env(sim), tmp_path)
    assert r.returncode == 0, r.stderr
    lines = r.stdout.split()
    assert lines[0].startswith("http://127.0.0.1:")
    assert png_size(Path(lines[1]).read_bytes()) == (1024, 1024)
    assert sim.api_key not in r.stdout + r.stderr


def test_python_m_kieimage_json_and_errors(sim, tmp_path):
    r = run_python(["-m", "kieimage", "json please", "--size", "2:3", "--json", "-q"], child_env(sim), tmp_path)
    assert r.returncode == 0, r.stderr
    task = json.loads(r.stdout)
    assert task["status"] == "SUCCESS" and task["resultUrls"]
    bad = run_python(["-m", "kieimage", "x", "--size", "4:3"], child_env(sim), tmp_path)
    assert bad.returncode == 1 and "ValidationError" in bad.stderr and "size" in bad.stderr
    no_key = run_python(["-m", "kieimage", "x"], child_env(sim, KIE_API_KEY=""), tmp_path)
    assert no_key.returncode == 2 and "KIE_API_KEY" in no_key.stderr
    for r in (bad, no_key):
        assert sim.api_key not in r.stdout + r.stderr


def test_python_m_kieimage_market_model(sim, tmp_path):
    sim.reset()
    r = run_python(["-m", "kieimage", "A lighthouse", "--model", "gpt-image-2-text-to-image", "--aspect-ratio", "16:9",
                    "--resolution", "1K", "--input", "nsfw_checker=false", "--json", "-q"], child_env(sim), tmp_path)
    assert r.returncode == 0, r.stderr
    task = json.loads(r.stdout)
    assert task["status"] == "SUCCESS" and task["family"] == "market" and task["model"] == "gpt-image-2-text-to-image"
    (made,) = sim.tasks()
    sent = json.loads(json.loads(made["paramJson"])["input"])
    assert sent == {"prompt": "A lighthouse", "aspect_ratio": "16:9", "resolution": "1K", "nsfw_checker": False}
    # Arguments of the other family are refused before any call (exit 2, naming the argument).
    for args, named in ((["--model", "gpt-image-2-text-to-image", "--size", "1:1"], "size"),
                        (["--aspect-ratio", "16:9"], "aspect_ratio"),
                        (["--model", "gpt-image-2-text-to-image", "--input", "novalue"], "novalue")):
        bad = run_python(["-m", "kieimage", "x", *args], child_env(sim), tmp_path)
        assert bad.returncode == 2 and named in bad.stderr, (args, bad.stderr)
    assert len(sim.tasks()) == 1


def test_import_fails_clearly_without_a_library(tmp_path):
    env = dict(os.environ, KIEIMAGE_LIB=str(tmp_path / "missing.so"), PYTHONPATH=str(PACKAGE_ROOT))
    r = run_python(["-c", "import kieimage"], env, tmp_path)
    assert r.returncode != 0 and "ImportError" in r.stderr and "missing.so" in r.stderr
    env["KIEIMAGE_LIB"] = "relative/libkieimage.so"
    r = run_python(["-c", "import kieimage"], env, tmp_path)
    assert "absolute path" in r.stderr


def test_exit_with_operations_in_flight_is_clean(sim, tmp_path):
    script = textwrap.dedent("""
        import asyncio, threading, kieimage
        client = kieimage.Client()
        never_closed = kieimage.Client()

        async def main():
            asyncio.ensure_future(client.run_async(prompt="x [sim:ms=60000]", size="1:1", on_progress=print))
            submitted = await client.generate_async(prompt="y [sim:ms=60000]", size="1:1")
            asyncio.ensure_future(never_closed.wait_async(submitted.task_id, on_progress=print))
            await asyncio.sleep(0.5)

        asyncio.run(main())
        # A daemon thread inside a blocking wait when the interpreter exits: its client is freed
        # only once the call returns, and its callbacks may come while modules are torn down.
        z = never_closed.generate(prompt="z [sim:ms=60000]", size="1:1")
        inside = threading.Event()
        threading.Thread(target=lambda: client.wait(z, on_progress=lambda e: inside.set()), daemon=True).start()
        assert inside.wait(60), "the wait reported progress"
        print("exiting")
    """)
    r = run_python(["-c", script], child_env(sim), tmp_path)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip().endswith("exiting")
    assert "Exception ignored" not in r.stderr and "Traceback" not in r.stderr


def test_callbacks_outlive_the_modules_at_exit(tmp_path):
    # At exit, finalisation drops the modules' references while a daemon thread may still be
    # inside C, which may call back: the code C calls must not have been freed with them.
    script = textwrap.dedent("""
        import ctypes, gc, kieimage
        from kieimage import _callbacks
        for name, prototype, args in (("event_trampoline", _callbacks.kie_event_cb, (None, 0, 0, None)),
                                      ("log_trampoline", _callbacks.kie_log_cb, (None, 0, None))):
            address = ctypes.cast(getattr(_callbacks, name), ctypes.c_void_p).value
            delattr(_callbacks, name)  # what tearing the module down does
            gc.collect()
            prototype(address)(*args)  # as C would call it: freed code would crash here
        print("called back")
    """)
    r = run_python(["-c", script], dict(os.environ, PYTHONPATH=str(PACKAGE_ROOT), KIEIMAGE_LIB=kieimage.LIBRARY_PATH),
                   tmp_path)
    assert r.returncode == 0 and r.stdout.strip() == "called back", r.stderr[-3000:]


def test_multiprocessing_with_spawn(sim, tmp_path):
    script = textwrap.dedent("""
        import multiprocessing as mp, kieimage

        def work(prompt):
            with kieimage.Client() as client:
                return client.run(prompt=prompt, size="1:1").status.value

        if __name__ == "__main__":
            with mp.get_context("spawn").Pool(2) as pool:
                print(pool.map(work, ["a", "b"]))
    """)
    (tmp_path / "spawned.py").write_text(script)
    r = run_python([str(tmp_path / "spawned.py")], child_env(sim), tmp_path)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "['SUCCESS', 'SUCCESS']"


def test_a_forked_child_gets_a_clear_error_not_a_hang(sim, tmp_path):
    script = textwrap.dedent("""
        import os, kieimage
        client = kieimage.Client()
        client.credits()
        pid = os.fork()
        if pid == 0:
            try:
                client.credits()
                os._exit(3)
            except RuntimeError as e:
                os._exit(0 if "spawn" in str(e) else 4)
        _, status = os.waitpid(pid, 0)
        print(os.waitstatus_to_exitcode(status), client.credits() > 0)
    """)
    r = run_python(["-W", "ignore", "-c", script], child_env(sim), tmp_path)
    assert r.returncode == 0, r.stderr
    assert r.stdout.split() == ["0", "True"]


def test_pip_install_into_a_fresh_venv_then_generate_outside_the_repo(sim, tmp_path):
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
    python = venv / "bin" / "python"
    # Offline: the wheel is built with this interpreter's hatchling (make deps installs it), then
    # installed with --no-index.
    install_env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH",)}
    install_env["KIEIMAGE_LIB"] = kieimage.LIBRARY_PATH
    wheels = tmp_path / "wheels"
    r = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-index", "-q",
                        "-w", str(wheels), str(PACKAGE_ROOT)], env=install_env, capture_output=True, text=True,
                       timeout=600)
    assert r.returncode == 0, r.stdout + r.stderr
    (wheel,) = wheels.glob("kieimage-*.whl")
    r = subprocess.run([str(python), "-m", "pip", "install", "--no-index", "-q", str(wheel)],
                       env=install_env, capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stdout + r.stderr
    workdir = tmp_path / "elsewhere"
    workdir.mkdir()
    (workdir / "generate.py").write_text(textwrap.dedent("""
        import os, sys, kieimage
        assert "site-packages" in kieimage.__file__, kieimage.__file__
        assert kieimage.LIBRARY_PATH.startswith(os.path.dirname(kieimage.__file__))
        with kieimage.Client(api_key=os.environ["SIM_KEY"], base_url=sys.argv[1]) as client:
            task = client.run(prompt="A beautiful sunset over the mountains", size="1:1")
            (path,) = client.download(task, "out")
        print(task.status.value, path)
    """))
    env = {k: v for k, v in os.environ.items() if not k.startswith("KIE") and k != "PYTHONPATH"}
    env["SIM_KEY"] = sim.api_key
    r = subprocess.run([str(python), "generate.py", sim.base_url], cwd=workdir, env=env,
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    status, path = r.stdout.split()
    assert status == "SUCCESS"
    assert png_size((workdir / path).read_bytes()) == (1024, 1024)
    assert not Path(path).is_absolute() or REPO_ROOT not in Path(path).parents
    typed = list((venv / "lib").glob("python3*/site-packages/kieimage/py.typed"))
    assert typed, "py.typed is installed"


def test_the_key_never_reaches_output_even_with_trace_logging(sim, tmp_path):
    script = textwrap.dedent("""
        import os, asyncio, kieimage
        for key in (os.environ["KIE_API_KEY"], os.environ["KIE_API_KEY"] + "-wrong"):
            with kieimage.Client(api_key=key, log_level="trace", max_retries=0) as client:
                try:
                    task = client.run(prompt="x", size="1:1", on_progress=print)
                    print(task, asyncio.run(client.run_async(prompt="y", size="1:1")))
                    client.download(task, "out")
                except kieimage.KieError as e:
                    print(repr(e), e, e.detail)
    """)
    r = run_python(["-c", script], child_env(sim), tmp_path)
    assert r.returncode == 0, r.stderr
    assert "AuthenticationError" in r.stdout
    assert sim.api_key not in r.stdout + r.stderr
    for path in tmp_path.rglob("*"):
        if path.is_file():
            assert sim.api_key.encode() not in path.read_bytes()
