"""The question block: a poll editors place in any page's body.

The core appends ``body_blocks`` to every Hearthside page type's body
(hearthside.blocks.BodyField); as a PluginBlock it renders nothing, on the
page and in the pages API, while the polls plugin is inactive on the page's
site. On the page it is the voting form, or the results, for whoever looks
(:func:`plugins.polls.forms.poll_panel`); in the pages API it is the poll's
data, the same for everyone (:func:`plugins.polls.serializers.poll_data`).
A poll of another site, or one that was deleted, shows nothing.

Page models import this module while apps load, before the polls models
are ready, so the models are imported inside the methods.
"""
from __future__ import annotations

import copy

from wagtail.snippets.blocks import SnippetChooserBlock

from hearthside.extending.blocks import PluginBlock


def _site_of(context):
    from wagtail.models import Site

    context = context or {}
    if context.get("request") is not None:
        return Site.find_for_request(context["request"])
    page = context.get("page")
    return page.get_site() if page is not None else None


class PollChooserBlock(SnippetChooserBlock):
    def bulk_to_python(self, values):
        # Every poll of a page body with its choices: two queries however many blocks.
        values = list(values)
        objects = self.model_class.objects.prefetch_related("choices").in_bulk(
            [value for value in values if value is not None]
        )
        seen, found = set(), []
        for value in values:
            poll = objects.get(value)
            if poll is not None and value in seen:
                poll = copy.copy(poll)
            seen.add(value)
            found.append(poll)
        return found


class PollBlock(PluginBlock):
    poll = PollChooserBlock("polls.Poll", help_text="Polls are written under Polls in the admin menu.")

    class Meta:
        icon = "list-ul"
        label = "Poll"
        template = "polls/blocks/poll.html"
        help_text = "A question visitors answer on the page; they see the results as the poll says."

    def get_context(self, value, parent_context=None):
        from .forms import poll_panel

        context = super().get_context(value, parent_context=parent_context)
        request, page = context.get("request"), context.get("page")
        context["panel"] = None
        # Without a request there is no visitor to show, nor a CSRF token to post
        # with (a page body rendered into an email): the block shows nothing.
        if request is None:
            return context
        next_url = page.get_url(request) if page is not None and getattr(page, "pk", None) else ""
        context["panel"] = poll_panel(
            request, value.get("poll"), site=_site_of(context), next_url=next_url or request.get_full_path()
        )
        return context

    def get_api_representation(self, value, context=None):
        from .serializers import poll_data

        if super().get_api_representation(value, context) is None:  # the plugin is inactive on this site
            return None
        poll, site = value.get("poll"), _site_of(context)
        if poll is None or site is None or poll.site_id != site.pk:
            return None
        return {"poll": poll_data(poll, (context or {}).get("request"), choices=list(poll.choices.all()))}


body_blocks = [("poll", PollBlock())]
