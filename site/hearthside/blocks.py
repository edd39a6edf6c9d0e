"""StreamField blocks for page bodies, and the body field that adds the
blocks plugins contribute (hearthside.extending.blocks)."""
import copy

from wagtail import blocks
from wagtail.blocks.definition_lookup import BlockDefinitionLookupBuilder
from wagtail.embeds.blocks import EmbedBlock
from wagtail.fields import StreamField
from wagtail.images.blocks import ImageChooserBlock

from hearthside.extending.blocks import PluginBlock, plugin_body_blocks

# Rendition specs the themes use for body images; fetched with the images so
# rendering a body costs the same few queries however many images it holds.
BODY_IMAGE_SPECS = ("width-1200", "width-800")


class PrefetchingImageChooserBlock(ImageChooserBlock):
    def bulk_to_python(self, values):
        values = list(values)
        ids = [value for value in values if value is not None]
        objects = self.model_class.objects.prefetch_renditions(*BODY_IMAGE_SPECS).in_bulk(ids)
        seen, result = set(), []
        for value in values:
            image = objects.get(value)
            if image is not None and value in seen:
                image = copy.copy(image)
            seen.add(value)
            result.append(image)
        return result


class ImageWithCaptionBlock(blocks.StructBlock):
    image = PrefetchingImageChooserBlock()
    caption = blocks.CharBlock(required=False, max_length=250)
    alt_text = blocks.CharBlock(
        required=False, max_length=250, help_text="Describe the image for screen readers."
    )

    class Meta:
        icon = "image"
        template = "blocks/image.html"


class QuoteBlock(blocks.StructBlock):
    quote = blocks.TextBlock(max_length=1000)
    attribution = blocks.CharBlock(required=False, max_length=200)

    class Meta:
        icon = "openquote"
        template = "blocks/quote.html"


class CallToActionBlock(blocks.StructBlock):
    title = blocks.CharBlock(max_length=120)
    text = blocks.TextBlock(required=False, max_length=500)
    button_label = blocks.CharBlock(max_length=60)
    page = blocks.PageChooserBlock(required=False)
    url = blocks.URLBlock(required=False, help_text="Used when no page is chosen.")

    class Meta:
        icon = "pick"
        template = "blocks/call_to_action.html"


class HeadingBlock(blocks.CharBlock):
    class Meta:
        icon = "title"
        template = "blocks/heading.html"


class BodyBlock(blocks.StreamBlock):
    heading = HeadingBlock(max_length=120)
    paragraph = blocks.RichTextBlock(
        features=["bold", "italic", "link", "ol", "ul", "h3", "h4", "document-link"],
        template="blocks/paragraph.html",
    )
    image = ImageWithCaptionBlock()
    quote = QuoteBlock()
    embed = EmbedBlock(icon="media", template="blocks/embed.html")
    call_to_action = CallToActionBlock()

    def get_api_representation(self, value, context=None):
        # A block of an inactive plugin is left out, not sent as null.
        items = super().get_api_representation(value, context)
        return [
            item
            for item, child in zip(items, value)
            if not (isinstance(child.block, PluginBlock) and item["value"] is None)
        ]


class BodyField(StreamField):
    """A page body: the core's blocks plus every installed plugin's.

    Migrations record only the core's blocks, so installing or leaving out a
    plugin never makes the core want a new migration. Plugin blocks' data is
    JSON like the rest; a core data migration sees it but not their definitions.
    """

    def __init__(self, block_types=None, **kwargs):
        # Migrations' model states rebuild the field from deconstruct(): core blocks only.
        if block_types is None:
            block_types = BodyBlock(local_blocks=plugin_body_blocks(BodyBlock.base_blocks))
        super().__init__(block_types, **kwargs)

    def deconstruct(self):
        name, _, _, kwargs = super().deconstruct()
        lookup = BlockDefinitionLookupBuilder()
        block_types = [
            (block_name, lookup.add_block(block))
            for block_name, block in self.stream_block.child_blocks.items()
            if not isinstance(block, PluginBlock)
        ]
        kwargs["block_lookup"] = lookup.get_lookup_as_dict()
        return name, "wagtail.fields.StreamField", [block_types], kwargs
