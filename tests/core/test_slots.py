"""Slots: plugins' contributions render in themes only while the plugin is active."""
import pytest
from django.template import Context, Template, TemplateSyntaxError
from django.test import RequestFactory

from hearthside.extending import slots
from tests.sample_plugin.models import Greeting


class Notice(slots.SlotComponent):
    template_name = "sample_plugin/greeting.html"

    def data(self, request, page=None, **kwargs):
        return {"greeting": request.GET.get("text", "Closed on Monday")}


class Nothing(slots.SlotComponent):
    def data(self, request, **kwargs):
        return None


@pytest.fixture
def notice():
    slots.site_header.contribute(Notice, plugin="sample_plugin")
    yield Notice
    slots.site_header.withdraw(Notice)


def render(template_text, request, **context):
    return Template(template_text).render(Context({"request": request, **context}))


def test_an_unknown_slot_name_fails_when_the_template_compiles():
    with pytest.raises(TemplateSyntaxError, match="Unknown slot 'page.afterbody'; known slots are: "):
        Template('{% slot "page.afterbody" %}')


def test_the_slot_name_must_be_quoted():
    with pytest.raises(TemplateSyntaxError, match="takes a quoted slot name"):
        Template("{% slot page.after_body %}")


def test_declaring_a_slot_twice_is_an_error():
    with pytest.raises(ValueError, match="already declared"):
        slots.declare("page.after_body", "again")


def test_an_active_plugins_contribution_renders_and_escapes_user_text(site, notice):
    request = RequestFactory().get("/", {"text": "<script>alert(1)</script>"}, HTTP_HOST="testserver")
    html = render('{% slot "site.header" %}', request)
    assert 'data-plugin="sample_plugin"' in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script>" not in html


def test_an_inactive_plugins_contribution_renders_nothing(site, notice, deactivate_plugin):
    deactivate_plugin(site, "sample_plugin")
    request = RequestFactory().get("/", HTTP_HOST="testserver")
    assert render('{% slot "site.header" %}', request).strip() == ""
    assert slots.site_header.data(request, site) == []


def test_slot_data_is_what_the_theme_renders(site, notice):
    request = RequestFactory().get("/", {"text": "Fresh scones at 10"}, HTTP_HOST="testserver")
    assert slots.site_header.data(request, site) == [
        {"plugin": "sample_plugin", "component": "Notice", "data": {"greeting": "Fresh scones at 10"}}
    ]
    assert "Fresh scones at 10" in render('{% slot "site.header" %}', request)


def test_a_component_whose_data_is_none_contributes_nothing(site, deactivate_plugin):
    deactivate_plugin(site, "members")  # its signup form is the footer's other contribution
    slots.site_footer.contribute(Nothing, plugin="sample_plugin")
    try:
        request = RequestFactory().get("/", HTTP_HOST="testserver")
        assert slots.site_footer.data(request, site) == []
        assert render('{% slot "site.footer" %}', request).strip() == ""
    finally:
        slots.site_footer.withdraw(Nothing)


def test_the_sample_plugin_greets_after_each_page_body(client, site, activate_plugin):
    Greeting.objects.create(site=site, text="Welcome, <b>neighbour</b>!")
    response = client.get("/")
    assert "Welcome, &lt;b&gt;neighbour&lt;/b&gt;!" in response.content.decode()


def test_a_missing_slot_argument_arrives_as_none(site):
    seen = []

    class Recorder(slots.SlotComponent):
        def data(self, request, page=None, **kwargs):
            seen.append(page)
            return None

    slots.page_sidebar.contribute(Recorder)
    try:
        render('{% slot "page.sidebar" page=page %}', RequestFactory().get("/", HTTP_HOST="testserver"))
    finally:
        slots.page_sidebar.withdraw(Recorder)
    assert seen == [None]


def test_head_contributions_are_not_wrapped_in_a_div(site):
    class Meta(slots.SlotComponent):
        def data(self, request, **kwargs):
            return {}

        def render(self, request, data, **kwargs):
            return '<meta name="x-plugin" content="on">'

    slots.site_head.contribute(Meta, plugin="sample_plugin")
    try:
        html = render('{% slot "site.head" %}', RequestFactory().get("/", HTTP_HOST="testserver"))
    finally:
        slots.site_head.withdraw(Meta)
    # Other plugins (syndication's feed links) contribute to the head too.
    assert '<meta name="x-plugin" content="on">' in html
    assert "<div" not in html and "<section" not in html
