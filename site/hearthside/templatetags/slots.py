"""``{% slot "page.after_body" page=page %}``: where plugins add to a theme.

Loaded as a template builtin, so themes need no ``{% load %}``. An unknown
slot name fails when the template compiles, naming the known slots.
"""
from django import template
from django.template.base import token_kwargs
from wagtail.models import Site

from hearthside.extending.slots import get_slot

register = template.Library()


class SlotNode(template.Node):
    def __init__(self, slot, kwargs):
        self.slot = slot
        self.kwargs = kwargs

    def render(self, context):
        request = context.get("request")
        if request is None:
            return ""
        # A missing variable (``page`` on a view that is not a page) arrives as
        # None, as the slot docstrings promise, not as string_if_invalid.
        kwargs = {key: value.resolve(context, ignore_failures=True) for key, value in self.kwargs.items()}
        return self.slot.render(request, Site.find_for_request(request), **kwargs)


@register.tag("slot")
def do_slot(parser, token):
    bits = token.split_contents()
    if len(bits) < 2 or bits[1][0] not in "\"'" or bits[1][-1] != bits[1][0]:
        raise template.TemplateSyntaxError(
            '{% slot %} takes a quoted slot name, e.g. {% slot "page.after_body" page=page %}'
        )
    try:
        slot = get_slot(bits[1][1:-1])
    except KeyError as error:
        raise template.TemplateSyntaxError(error.args[0]) from None
    remaining = bits[2:]
    kwargs = token_kwargs(remaining, parser)
    if remaining:
        raise template.TemplateSyntaxError(
            f"{{% slot %}} arguments must be name=value pairs; could not read {' '.join(remaining)!r}"
        )
    return SlotNode(slot, kwargs)
