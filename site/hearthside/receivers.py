"""The core's own hook receivers."""
from django.db import connections, transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django_tasks.signals import task_finished, task_started
from wagtail.models import PageViewRestriction, Site

from hearthside import pagecache, sites
from hearthside.extending import hooks
from hearthside.extending.activation import forget_cached_state
from hearthside.models import PluginActivation, SiteBranding


@hooks.page_published.connect(priority=0)
def purge_pages_on_publish(site, page, **kwargs):
    pagecache.purge()


@hooks.page_unpublished.connect(priority=0)
def purge_pages_on_unpublish(site, page, **kwargs):
    pagecache.purge()


@receiver(post_save, sender=SiteBranding, dispatch_uid="hearthside_purge_on_branding")
@receiver(post_save, sender=PluginActivation, dispatch_uid="hearthside_purge_on_plugins")
def purge_pages_on_site_change(sender, created=False, **kwargs):
    # SiteBranding rows are created lazily while a page renders; that changes
    # nothing a visitor sees, so only edits purge.
    if not (created and sender is SiteBranding):
        pagecache.purge()


@receiver(post_save, sender=PageViewRestriction, dispatch_uid="hearthside_purge_on_privacy_save")
@receiver(post_delete, sender=PageViewRestriction, dispatch_uid="hearthside_purge_on_privacy_delete")
def purge_pages_on_privacy_change(sender, **kwargs):
    # A page made private must not go on being served from an anonymous copy.
    transaction.on_commit(pagecache.purge)


@receiver(post_save, sender=Site, dispatch_uid="hearthside_forget_sites_on_save")
@receiver(post_delete, sender=Site, dispatch_uid="hearthside_forget_sites_on_delete")
def forget_sites_on_change(sender, **kwargs):
    sites.forget_sites()


@receiver(post_save, sender=PluginActivation, dispatch_uid="hearthside_forget_plugin_state")
def forget_plugin_state_on_change(sender, instance, **kwargs):
    # Whatever saved the row (an activation, a plugin's settings, the Django
    # admin); again on commit, as another request may cache the old state until then.
    site = instance.site
    forget_cached_state(site)
    transaction.on_commit(lambda: forget_cached_state(site))


@receiver(task_started, dispatch_uid="hearthside_fresh_connections_for_a_task")
@receiver(task_finished, dispatch_uid="hearthside_tidy_connections_after_a_task")
def close_broken_connections_around_tasks(sender, **kwargs):
    # What Django does around every request: a connection the database
    # dropped (a restart, a failover) or past CONN_MAX_AGE is closed, so the
    # task connects again instead of failing, and so does every task after it.
    # Not inside a transaction: a task run at once (the immediate backend,
    # tests) shares its caller's.
    for connection in connections.all(initialized_only=True):
        if not connection.in_atomic_block:
            connection.close_if_unusable_or_obsolete()
