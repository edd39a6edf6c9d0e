"""The sample plugin's own hook, declared once like the core's."""
from hearthside.extending.base import Filter

greeting_text = Filter(
    "sample_plugin.greeting_text",
    """The greeting shown after a page body.

    Value: the greeting ``str``. Arguments: ``site``, ``page``.
    Each receiver returns the text to pass on.
    """,
)
