"""Relays Wagtail's model signals to Hearthside hooks once the transaction
commits, so receivers (and the workers they wake) never see half-written rows."""
from functools import partial

from django.db import transaction
from wagtail.signals import page_published, page_unpublished

from hearthside.extending import hooks


def _send_page_published(page, revision):
    hooks.page_published.send(page.get_site(), page=page, revision=revision)


def _send_page_unpublished(page):
    hooks.page_unpublished.send(page.get_site(), page=page)


def relay_page_published(sender, instance, revision=None, **kwargs):
    transaction.on_commit(partial(_send_page_published, instance.specific, revision))


def relay_page_unpublished(sender, instance, **kwargs):
    transaction.on_commit(partial(_send_page_unpublished, instance.specific))


def connect():
    page_published.connect(relay_page_published, dispatch_uid="hearthside_page_published")
    page_unpublished.connect(relay_page_unpublished, dispatch_uid="hearthside_page_unpublished")
