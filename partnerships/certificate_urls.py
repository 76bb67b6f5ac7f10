"""Public certificate verification: ``/certyfikaty/`` (look a code or number up),
``/certyfikaty/<verification code>/`` and its PDF.

Included by ``config.urls`` under ``certyfikaty/``. The code is checked in the views: only
``[A-Za-z0-9_-]{10,64}`` ever reaches the database; anything else is the not-found page.
"""

from django.urls import path

from .views import certificate_lookup, certificate_pdf, certificate_verify

app_name = "certificates"

urlpatterns = [
    path("", certificate_lookup, name="certificate_lookup"),
    path("<str:code>/", certificate_verify, name="certificate_verify"),
    path("<str:code>/pdf/", certificate_pdf, name="certificate_pdf"),
]
