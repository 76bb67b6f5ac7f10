from django.urls import path

from . import corrections

app_name = "corrections"

urlpatterns = [
    path("dziekujemy/", corrections.correction_thanks, name="correction_thanks"),
    path("<str:kind>/<int:pk>/", corrections.correction_new, name="correction_new"),
]
