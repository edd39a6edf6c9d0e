"""Hearthside's headless API, mounted at /api/ (see ``api.urls``).

- ``api.v2``: Wagtail API v2 (pages with slot data, images, documents);
- ``api.v1``: site information, active plugins, and each plugin's endpoints;
- ``api.schema``: the OpenAPI schema and the docs;
- ``api.openapi``: the schema class that adds the errors answered before a view runs;
- ``api.throttling``: ``PublicWriteThrottle`` for plugins' public write endpoints;
- ``api.pagination``: the default pagination of DRF list views (capped);
- ``api.errors``: JSON 404/500 for /api/ paths that fail outside a view.
"""
