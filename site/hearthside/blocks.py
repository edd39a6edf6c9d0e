"""StreamField blocks for page bodies."""
import copy

from wagtail import blocks
from wagtail.embeds.blocks import EmbedBlock
from wagtail.images.blocks import ImageChooserBlock

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
