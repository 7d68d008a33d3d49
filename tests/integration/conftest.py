import os

import pytest

from hub import BINARY, Hub


def pytest_configure(config):
    if not os.access(BINARY, os.X_OK):
        raise pytest.UsageError(f"no tributary binary at {BINARY}; build it (scripts/test does) or set TEST_TRIBUTARY_BIN")


@pytest.fixture
def hub_factory(tmp_path):
    """Creates hubs with custom arguments; every one still running at the end is stopped and checked."""
    hubs = []

    def make(*args, **kwargs):
        h = Hub(tmp_path, *args, **kwargs)
        hubs.append(h)
        return h

    yield make
    for h in hubs:
        if h.proc is not None and h.proc.poll() is None:
            h.stop()
        elif h.proc is not None:
            h.assert_no_sanitizer_report()


@pytest.fixture
def hub(hub_factory):
    """A running hub with default settings on free ports; stopped with SIGTERM and checked afterwards."""
    return hub_factory().start()
