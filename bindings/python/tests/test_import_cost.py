"""`import kieimage; Client()` loads only what it needs (issue #15 P6): no logging, typing,
dataclasses, datetime, asyncio, json (nor the re it compiles with) or enum until something asks
for them. Modules, not milliseconds."""

import json
import os
import subprocess
import sys

import kieimage
from conftest import PACKAGE_ROOT

HEAVY = ("logging", "typing", "dataclasses", "datetime", "asyncio", "inspect", "pathlib", "json", "re", "enum")


def loaded_after(sim, code, tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("KIE_")}
    env.update(KIEIMAGE_LIB=kieimage.LIBRARY_PATH, PYTHONPATH=str(PACKAGE_ROOT))
    script = (f"import sys\n{code}\n"
              f"loaded = [m for m in {HEAVY!r} if m in sys.modules]\n"
              f"print(__import__('json').dumps(loaded))")
    # -S: no site, so nothing but kieimage can have loaded these modules
    r = subprocess.run([sys.executable, "-S", "-c", script], env=env, cwd=tmp_path, capture_output=True, text=True,
                       timeout=120)
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout.strip().splitlines()[-1])


def test_import_and_client_load_no_heavy_module(sim, tmp_path):
    code = (f"import kieimage\n"
            f"kieimage.Client(api_key='kie-canary-import', base_url={sim.base_url!r}).close()")
    assert loaded_after(sim, code, tmp_path) == []


def test_the_lazy_names_still_resolve(sim, tmp_path):
    code = ("import kieimage\nfrom kieimage import Task, TaskStatus, verify_webhook\n"
            "assert kieimage.Size.SQUARE == '1:1' and Task.__name__ == 'Task' and callable(verify_webhook)\n"
            "assert set(kieimage.__all__) <= set(dir(kieimage))\n"
            "import dataclasses; assert dataclasses.is_dataclass(Task)")
    assert "dataclasses" in loaded_after(sim, code, tmp_path)


def test_logger_true_still_uses_logging(sim):
    with kieimage.Client(api_key=sim.api_key, base_url=sim.base_url, logger=True) as client:
        assert client.credits() >= 0
    assert "logging" in sys.modules
