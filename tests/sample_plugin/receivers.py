from hearthside.extending import hooks, slots

from .hooks import greeting_text
from .models import Greeting, SiteEvent


@hooks.page_published.connect
def record_publish(site, page, **kwargs):
    SiteEvent.objects.create(site=site, kind="published", page_id=page.pk)
    return page.pk


@hooks.api_page_payload.connect
def add_greeting_flag(value, site, page, request, **kwargs):
    value["sample_plugin_seen"] = True
    return value


@slots.page_after_body.contribute
class GreetingBox(slots.SlotComponent):
    template_name = "sample_plugin/greeting.html"

    def data(self, request, page=None, **kwargs):
        site = page.get_site() if page is not None else None
        greeting = Greeting.objects.filter(site=site).first() if site else None
        text = greeting.text if greeting else "Hello from the sample plugin"
        return {"greeting": greeting_text.apply(site, text, page=page)}
