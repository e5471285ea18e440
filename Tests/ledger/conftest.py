"""Fixtures of the multi-process ledger suite: a ledger database per test (SQLite file or a
PostgreSQL cluster of its own), removed afterwards. The long rate-limit tests are moved to the
front so pytest-xdist starts them first, on different workers."""
import pytest

from ledgerhelpers import Db, kie_image, library


def pytest_configure(config):
    import os
    for path, what in ((library(), "KIEIMAGE_LIB"), (kie_image(), "KIE_IMAGE")):
        assert os.path.exists(path), f"build first ({what}={path})"


def pytest_collection_modifyitems(session, config, items):
    items.sort(key=lambda item: 0 if item.nodeid.split("::")[0].endswith("test_limit.py") else 1)


@pytest.fixture
def db(request, tmp_path):
    d = Db(request.param, tmp_path)
    yield d
    d.destroy()
