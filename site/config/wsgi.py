import os

from config.paths import add_source_roots

add_source_roots()
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")

from django.core.wsgi import get_wsgi_application  # noqa: E402

application = get_wsgi_application()

# Every URLconf now, and its patterns compiled: in gunicorn's arbiter (which
# preloads the app) before it forks, rather than in each worker on the first
# request that gets past the page cache, where importing every plugin's views
# costs about 0.3 s of CPU, five workers at once when a burst of posts starts.
from django.urls import get_resolver  # noqa: E402

get_resolver().reverse_dict  # noqa: B018
