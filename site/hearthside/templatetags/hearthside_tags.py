"""Tags every theme uses: ``{% theme_static %}`` and ``{% seo_meta %}``."""
from functools import lru_cache

from django import template
from django.templatetags.static import static
from wagtail.models import Page

from hearthside.themes.current import catalogue, current_chain
from hearthside.usertext import render_markdown

register = template.Library()


@lru_cache(maxsize=512)
def _theme_static_path(chain_names: tuple[str, ...], path: str) -> str:
    themes = catalogue().themes
    for name in chain_names:
        if (themes[name].path / "static" / path).is_file():
            return f"themes/{name}/{path}"
    return f"themes/{chain_names[0]}/{path}"


@register.simple_tag
def theme_static(path):
    """URL of ``path`` in the active theme's static files, falling back to its
    parents and the default theme, as templates do."""
    chain = tuple(theme.name for theme in current_chain())
    return static(_theme_static_path(chain, path))


@register.inclusion_tag("hearthside/seo_meta.html", takes_context=True)
def seo_meta(context, page=None):
    """Title, description, canonical link and Open Graph / Twitter card tags."""
    request = context.get("request")
    site_settings = context.get("settings")
    branding = getattr(getattr(site_settings, "hearthside", None), "SiteBranding", None)
    brand = branding.display_name if branding else ""
    title = ""
    description = ""
    image = None
    canonical = request.build_absolute_uri(request.path) if request else ""
    if not isinstance(page, Page):
        page = None  # views that are not Wagtail pages (search, plugin pages)
    if page is not None:
        title = page.seo_title or page.title
        description = page.search_description or getattr(page, "summary", "") or getattr(page, "intro", "")
        image = getattr(page, "social_image", None)
        if request is not None:
            canonical = page.get_full_url(request) or canonical
    return {
        "title": title,
        "brand": brand,
        "description": str(description)[:300],
        "canonical": canonical,
        "image": image,
        "og_type": "article" if page is not None and page._meta.model_name == "articlepage" else "website",
        "request": request,
        "page": page,
    }


@register.filter
def visitor_markdown(text):
    """``{{ comment.text|visitor_markdown }}``: a visitor's limited Markdown as
    safe HTML (see hearthside.usertext)."""
    return render_markdown(str(text))
