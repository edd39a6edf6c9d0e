"""Pages with signup forms list the topics: changing topics purges the page cache."""
import pytest
from django.core.cache import cache

from hearthside.pagecache import GENERATION_KEY
from plugins.members.models import Topic

pytestmark = pytest.mark.django_db


def test_adding_changing_and_deleting_a_topic_purges_cached_pages(site, django_capture_on_commit_callbacks):
    generations = [cache.get(GENERATION_KEY, 0)]
    with django_capture_on_commit_callbacks(execute=True):
        topic = Topic.objects.create(site=site, name="Sourdough", slug="sourdough")
    generations.append(cache.get(GENERATION_KEY, 0))
    with django_capture_on_commit_callbacks(execute=True):
        topic.name = "Sourdough and rye"
        topic.save()
    generations.append(cache.get(GENERATION_KEY, 0))
    with django_capture_on_commit_callbacks(execute=True):
        topic.delete()
    generations.append(cache.get(GENERATION_KEY, 0))
    assert generations == sorted(set(generations)) and len(generations) == 4
