"""Validators of Polish registry identifiers (NIP, REGON, KRS) with messages in Polish."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from stdnum.pl import nip, regon


def validate_nip(value: str) -> None:
    if not (value.isascii() and value.isdigit() and len(value) == 10 and nip.is_valid(value)):
        raise ValidationError(
            _("“%(value)s” is not a valid NIP: ten digits with a correct check digit."),
            code="invalid_nip",
            params={"value": value},
        )


def validate_regon(value: str) -> None:
    if not (value.isascii() and value.isdigit() and len(value) in (9, 14) and regon.is_valid(value)):
        raise ValidationError(
            _("“%(value)s” is not a valid REGON: nine or fourteen digits with correct check digits."),
            code="invalid_regon",
            params={"value": value},
        )


def validate_krs(value: str) -> None:
    # The KRS number has no check digit: ten digits is all that can be verified.
    if not (value.isascii() and value.isdigit() and len(value) == 10):
        raise ValidationError(
            _("“%(value)s” is not a valid KRS number: ten digits."), code="invalid_krs", params={"value": value}
        )
