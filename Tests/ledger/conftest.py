"""Fixtures of the multi-process ledger suite: a ledger database per test (SQLite file or a
PostgreSQL cluster of its own), removed afterwards. The long rate-limit tests are moved to the
front so pytest-xdist starts them first, on different workers."""
import pytest

from ledgerhelpers import Db, kie_image, library


def pytest_configure(config):
    import os
    for path, what in ((library(), "KIEIMAGE_LIB"), (kie_image(), "KIE_IMAGE")):
        assert os.path.exists(path), f"build first ({what}={path})"


def _file(item):
    return item.nodeid.split("::")[0].rsplit("/", 1)[-1]


def pytest_collection_modifyitems(session, config, items):
    """Under xdist's default scheduling (`--dist load`) each worker first gets a chunk of
    consecutive tests, max(tests // workers // 4, 2) long: each rate-limit test (about 150 s) is
    put at the head of a different worker's first chunk, followed by short tests, so the two run
    at the same time. Without xdist: the same tests, the long ones first."""
    import os
    long = [i for i in items if _file(i) == "test_limit.py"]
    rest = [i for i in items if _file(i) != "test_limit.py"]
    rest.sort(key=lambda i: 0 if _file(i) == "test_idempotency.py" else 1)  # stable: the short ones first
    workers = int(os.environ.get("PYTEST_XDIST_WORKER_COUNT") or 0)
    chunk = max(len(items) // workers // 4, 2) if workers else 1
    order = []
    for item in long:
        order.append(item)
        order.extend(rest[:chunk - 1])
        rest = rest[chunk - 1:]
    items[:] = order + rest


@pytest.fixture
def db(request, tmp_path):
    d = Db(request.param, tmp_path)
    yield d
    d.destroy()
