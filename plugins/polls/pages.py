"""The question page: one poll with an introduction, and a thank-you for
those who voted.

Its template, ``polls/question_page.html``, is looked up through the theme
chain first (a theme may hold its own ``templates/polls/question_page.html``)
and then in this plugin, whose template extends the theme's ``base.html`` and
uses its tokens, so it fits every theme that does not override it. Like every
page type a plugin defines, it answers 404 and leaves the pages API while the
plugin is inactive on its site (the core's gate).
"""
from __future__ import annotations

from django.db import models
from wagtail.admin.forms import WagtailAdminPageForm
from wagtail.admin.panels import FieldPanel
from wagtail.api import APIField
from wagtail.models import Page
from wagtail.search import index

from hearthside.models.pages import ThemedPage

from .serializers import PagePollField


class QuestionPageForm(WagtailAdminPageForm):
    def clean(self):
        cleaned = super().clean()
        poll = cleaned.get("poll")
        if poll is None:
            return cleaned
        page = self.instance
        site = page.get_site() if page.pk else (self.parent_page.get_site() if self.parent_page else None)
        if site is not None and poll.site_id != site.pk:
            self.add_error("poll", "This poll belongs to another site: choose one of this site's polls.")
        return cleaned


class QuestionPage(ThemedPage):
    template = "polls/question_page.html"

    intro = models.TextField(blank=True, max_length=500, help_text="A sentence or two above the question.")
    poll = models.ForeignKey(
        "polls.Poll",
        null=True,
        # Deleting a poll leaves its page standing, saying the question is gone, rather than refusing.
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The question this page asks. Polls are written under Polls in the admin menu.",
    )
    thank_you = models.TextField(
        blank=True,
        max_length=500,
        help_text="Shown to each visitor once they have voted. Leave empty to just say thanks.",
    )

    content_panels = Page.content_panels + [
        FieldPanel("intro"),
        FieldPanel("feature_image"),
        FieldPanel("poll"),
        FieldPanel("thank_you"),
    ]
    api_fields = [
        APIField("intro"),
        APIField("feature_image"),
        APIField("poll", serializer=PagePollField()),
        APIField("thank_you"),
    ]
    search_fields = Page.search_fields + [index.SearchField("intro")]
    base_form_class = QuestionPageForm
    parent_page_types = ["hearthside.HomePage", "hearthside.SectionIndexPage"]
    subpage_types: list[str] = []

    class Meta:
        verbose_name = "question page"

    def get_context(self, request, *args, **kwargs):
        from .forms import poll_panel

        context = super().get_context(request, *args, **kwargs)
        context["poll_panel"] = poll_panel(
            request, self.poll, site=self.get_site(), next_url=self.get_url(request), thank_you=self.thank_you
        )
        return context
