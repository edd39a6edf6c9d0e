"""A body block editors can place on any page while the sample plugin is active."""
from wagtail import blocks

from hearthside.extending.blocks import PluginBlock


class ShoutBlock(PluginBlock):
    text = blocks.CharBlock(max_length=80)

    class Meta:
        icon = "pick"
        template = "sample_plugin/shout.html"


body_blocks = [("sample_shout", ShoutBlock())]
