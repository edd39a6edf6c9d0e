"""The members plugin's receivers: contacts from comments, and demo members."""
from hearthside.extending import hooks

try:  # the comments plugin may be left out of this install
    from plugins.comments import hooks as comment_hooks
except ImportError:
    comment_hooks = None


if comment_hooks is not None:

    @comment_hooks.comment_posted.connect
    def keep_commenter_as_contact(site, page, comment, email, name, **kwargs):
        from .preferences import record_contact

        record_contact(site, email=email, name=name, page=page, detail=f"comment {comment['id']}")


@hooks.demo_content_loaded.connect
def add_demo_members(site, pages, **kwargs):
    from .demo import add_demo_members

    add_demo_members(site, pages)
