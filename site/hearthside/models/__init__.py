from .pages import (  # noqa: F401
    ArticlePage,
    ArticlePageTag,
    ArticleRelatedPage,
    HomePage,
    OfferPage,
    SectionIndexPage,
    StandardPage,
)
from .plugins import PluginActivation  # noqa: F401
from .settings import SiteBranding  # noqa: F401
