import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
for source_root in (ROOT / "site", ROOT):
    if str(source_root) not in sys.path:
        sys.path.insert(0, str(source_root))

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")

from django.core.wsgi import get_wsgi_application  # noqa: E402

application = get_wsgi_application()
