"""WSGI entry point: ``gunicorn config.wsgi``."""

import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

application = get_wsgi_application()

# What lives as long as the process (modules, models, URL patterns, settings) is moved out of
# the garbage collector's reach: its full collections then walk only what requests create.
# Without this, they paused the heaviest pages by 50-80 ms at the 95th percentile
# (docs/performance.md).
gc.collect()
gc.freeze()
# And a collection after 50,000 new objects rather than Django's 700: a page that builds tens of
# thousands (the API's list of 100 partnerships with their members) otherwise ran the young
# generations' collections dozens of times and a full one every tenth request, 120 ms at its
# 95th percentile against 58 ms by median; with these, 67 ms against 50 (docs/performance.md).
# Requests free almost everything by reference counting; what is left in cycles waits a little.
gc.set_threshold(50_000, 20, 100)
