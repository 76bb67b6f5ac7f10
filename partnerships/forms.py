"""Public forms of the partnerships app."""

from django import forms
from django.utils.translation import gettext_lazy as _


class CertificateLookupForm(forms.Form):
    """``/certyfikaty/``: the code printed under the QR code, or the certificate's number."""

    kod = forms.CharField(
        label=_("Verification code or certificate number"),
        max_length=80,
        help_text=_("The 26 letters and digits printed under the QR code, or the number, e.g. RPL/14/2026/00042."),
    )

    def clean_kod(self) -> str:
        # Whatever the paper's line breaks and a phone's keyboard add: spaces, a trailing dot.
        return "".join(self.cleaned_data["kod"].split()).strip(".").strip("/")
