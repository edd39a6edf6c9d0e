import pytest

from plugins.insights import hooks

OTHER_PLUGINS = ("members", "comments", "syndication", "polls")


@pytest.fixture
def only_insights(site, deactivate_plugin):
    """Insights active with every plugin that answers its hooks switched off,
    so a test sees only the receivers it connects."""
    for label in OTHER_PLUGINS:
        deactivate_plugin(site, label)
    return site


@pytest.fixture
def section_receiver():
    """``section_receiver(data)`` connects a receiver answering ``data`` (or
    ``data(site, period, summary)`` when callable) for the test."""
    connected = []

    def _connect(data):
        def receiver(site, period, summary):
            return data(site, period, summary) if callable(data) else data

        hooks.insights_sections.connect(receiver)
        connected.append(receiver)
        return receiver

    yield _connect
    for receiver in connected:
        hooks.insights_sections.disconnect(receiver)
