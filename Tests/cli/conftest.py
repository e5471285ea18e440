import os

import pytest

from clihelpers import Sim, kie_image


def pytest_configure(config):
    assert os.path.exists(kie_image()), f"build kie-image first (KIE_IMAGE={kie_image()})"


@pytest.fixture
def sim():
    s = Sim(generation_ms=1000)
    yield s
    s.stop()
