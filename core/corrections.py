"""Corrections from the public: the form, its abuse limits, and the staff's decision.

A reader who finds a record wrong says so on ``/poprawki/<kind>/<id>/``. The correction lands
in the queue of the region that keeps the record (``Correction.region``, the record's home
voivodeship at that moment) and nothing of it is published. Staff of that region accept it by
editing the record with the correction at hand (the edit's history names the correction as its
reason, ``core.admin``) or reject it with a reason; a sender who left an e-mail is told the
outcome through Django's mail API. Kinds of records open to corrections: ``CORRECTION_RECORDS``
(a URL word -> model label), named in settings because the apps sit above this one.
"""

import re

from django import forms
from django.apps import apps
from django.conf import settings
from django.core.mail import send_mail
from django.core.validators import MaxLengthValidator
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from .models import Correction
from .ratelimits import rate_limited

# What a reader may write: enough for a paragraph and a quote, not for a pasted document.
TEXT_LIMIT = 2000
SOURCE_LIMIT = 1000
# More links than this is advertising, not a correction.
LINK_LIMIT = 3
LINK = re.compile(r"https?://|www\.", re.IGNORECASE)


def _kinds() -> dict[str, str]:
    return settings.CORRECTION_RECORDS


def kind_of(record) -> str | None:
    label = record._meta.label
    return next((kind for kind, model in _kinds().items() if model == label), None)


def correction_url(record) -> str:
    kind = kind_of(record) if record is not None and record.pk is not None else None
    return reverse("corrections:correction_new", args=[kind, record.pk]) if kind else ""


def public_record(kind: str, pk: int):
    """The public record a correction is about; 404 for an unknown kind or record."""
    if kind not in _kinds():
        raise Http404
    model = apps.get_model(_kinds()[kind])
    queryset = model._default_manager.all()
    if hasattr(queryset, "public"):
        queryset = queryset.public()
    record = queryset.filter(pk=pk).first()
    if record is None:
        raise Http404
    return record


class CorrectionForm(forms.ModelForm):
    # A field people do not see (hidden by CSS, skipped by the keyboard) and robots fill in.
    website = forms.CharField(label=gettext_lazy("Leave this field empty"), required=False)
    consent = forms.BooleanField(
        label=gettext_lazy(
            "I agree that the registry keeps my e-mail address to tell me the outcome, and deletes it "
            "afterwards (see the retention below)."
        ),
        required=False,
    )

    class Meta:
        model = Correction
        fields = ["what_is_wrong", "what_is_right", "source", "email"]
        widgets = {
            "what_is_wrong": forms.Textarea(attrs={"rows": 4, "maxlength": TEXT_LIMIT}),
            "what_is_right": forms.Textarea(attrs={"rows": 4, "maxlength": TEXT_LIMIT}),
            "source": forms.Textarea(attrs={"rows": 2, "maxlength": SOURCE_LIMIT}),
        }
        labels = {
            "what_is_wrong": gettext_lazy("What is wrong"),
            "what_is_right": gettext_lazy("What is right"),
            "source": gettext_lazy("Source (optional)"),
            "email": gettext_lazy("Your e-mail (optional)"),
        }
        help_texts = {
            "source": gettext_lazy("Where this can be checked: a document, a page, a person to ask."),
            "email": gettext_lazy("Only if you want to know the outcome."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The model's text fields have no length; the form has: a clear error, not a stored essay.
        for name, limit in (("what_is_wrong", TEXT_LIMIT), ("what_is_right", TEXT_LIMIT), ("source", SOURCE_LIMIT)):
            self.fields[name].max_length = limit
            self.fields[name].validators.append(MaxLengthValidator(limit))
            self.fields[name].widget.attrs["maxlength"] = limit
        self.fields["website"].widget.attrs.update({"tabindex": "-1", "autocomplete": "off"})

    @property
    def is_robot(self) -> bool:
        return bool(self.data.get("website"))

    def clean(self):
        cleaned = super().clean()
        text = " ".join(str(cleaned.get(name) or "") for name in ("what_is_wrong", "what_is_right", "source"))
        if len(LINK.findall(text)) > LINK_LIMIT:
            raise forms.ValidationError(
                _("At most %(limit)d links, please: a correction needs a source, not a list of pages.")
                % {"limit": LINK_LIMIT}
            )
        if cleaned.get("email") and not cleaned.get("consent"):
            self.add_error("consent", _("Agree to us keeping your e-mail, or leave the e-mail out."))
        return cleaned


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def correction_new(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    record = public_record(kind, pk)
    if request.method == "POST":
        return _submitted(request, record)
    return _form_page(request, record, CorrectionForm())


@rate_limited("corrections", "CORRECTIONS_PER_MINUTE")
def _submitted(request: HttpRequest, record) -> HttpResponse:
    form = CorrectionForm(request.POST)
    if form.is_robot:
        # Nobody sees the field; whoever filled it in is a robot, and nothing is written.
        return _form_page(request, record, CorrectionForm(), refused=True, status=400)
    if not form.is_valid():
        return _form_page(request, record, form, status=400)
    correction = form.save(commit=False)
    correction.record = record
    correction.region = getattr(record, "region_id", None) or ""
    correction.record_label = str(record)[:300]
    correction.save()
    return redirect("corrections:correction_thanks")


def _form_page(request: HttpRequest, record, form, *, refused: bool = False, status: int = 200) -> HttpResponse:
    context = {
        "record": record,
        "form": form,
        "refused": refused,
        "retention_days": settings.CORRECTION_EMAIL_RETENTION_DAYS,
        "breadcrumbs": [(str(record), record.get_absolute_url()), (_("Report a correction"), "")],
    }
    response = render(request, "corrections/correction_form.html", context, status=status)
    response["X-Robots-Tag"] = "noindex"
    return response


@require_safe
def correction_thanks(request: HttpRequest) -> HttpResponse:
    context = {"breadcrumbs": [(_("Report a correction"), "")]}
    response = render(request, "corrections/correction_thanks.html", context)
    response["X-Robots-Tag"] = "noindex"
    return response


# The staff's decision.


def pending_for(correction_id, record) -> Correction | None:
    """The pending correction ``correction_id`` about ``record``, if there is one."""
    if record is None or record.pk is None or not str(correction_id or "").isdigit():
        return None
    from django.contrib.contenttypes.models import ContentType

    return (
        Correction.objects.pending()
        .filter(pk=correction_id, content_type=ContentType.objects.get_for_model(record), object_id=record.pk)
        .first()
    )


def change_reason(correction: Correction) -> str:
    with translation.override(settings.LANGUAGE_CODE):
        return _("Correction #%(number)d from the public: %(text)s") % {
            "number": correction.pk,
            "text": correction.what_is_right[:80],
        }


@transaction.atomic
def decide(correction: Correction, user, state: str, reason: str = "") -> None:
    """Record the decision and tell the sender; a rejection needs its reason."""
    if state == Correction.State.REJECTED and not reason.strip():
        raise ValueError("A rejection states its reason.")
    correction.state = state
    correction.decision_reason = reason
    correction.decided_by = user
    correction.decided_at = timezone.now()
    correction.save()
    if correction.email:
        transaction.on_commit(lambda: notify(correction))


def notify(correction: Correction) -> None:
    with translation.override(settings.LANGUAGE_CODE):
        if correction.state == Correction.State.ACCEPTED:
            subject = _("Your correction to the registry was accepted")
            body = _("Thank you. Your correction to “%(record)s” was accepted and the record was changed.")
        else:
            subject = _("Your correction to the registry was not accepted")
            body = _("Thank you. Your correction to “%(record)s” was not accepted. The reason: %(reason)s")
        body = body % {"record": correction.record_label, "reason": correction.decision_reason}
        body += "\n\n" + _("Your e-mail address will be deleted within %(days)d days.") % {
            "days": settings.CORRECTION_EMAIL_RETENTION_DAYS
        }
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [correction.email])
