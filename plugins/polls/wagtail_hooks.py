"""The polls plugin in the Wagtail admin: Poll as a snippet with its own
"Polls" menu item (its screens are in :mod:`.admin_views`), and deleting
polls in bulk kept to the request's site.

The core hides the "Polls" menu item while the plugin is inactive on the
site (it knows the item by its name, ``polls``, and finds its owner from the
viewset's class), and the gate answers 404 for the screens; nothing here
checks activation.
"""
from wagtail import hooks
from wagtail.snippets.models import register_snippet

from . import admin_views

register_snippet(admin_views.PollViewSet)


# After Wagtail's own snippet delete action (order 0), so this one replaces it for polls.
hooks.register("register_bulk_action", admin_views.PollDeleteBulkAction, order=10)
