"""Public forms of the partnerships app."""

import re

from django import forms
from django.utils.translation import gettext_lazy as _

# A certificate's number as printed (partnerships.certificates.format_number).
CERTIFICATE_NUMBER = re.compile(r"RPL/[0-9]{2}/[0-9]{4}/[0-9]{5}")


class CertificateLookupForm(forms.Form):
    """``/certyfikaty/``: the code printed under the QR code, or the certificate's number."""

    kod = forms.CharField(
        label=_("Verification code or certificate number"),
        max_length=80,
        help_text=_("The 26 letters and digits printed under the QR code, or the number, e.g. RPL/14/2026/00042."),
    )

    def clean_kod(self) -> str:
        """The code or number without what the paper's line breaks and a phone's keyboard add
        (spaces, a trailing dot); of a whole verification address typed in, its last part."""
        typed = "".join(self.cleaned_data["kod"].split()).strip(".")
        if CERTIFICATE_NUMBER.fullmatch(typed.upper()):
            return typed.upper()
        return typed.rstrip("/").rpartition("/")[2]
