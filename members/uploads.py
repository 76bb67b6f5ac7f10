"""Uploaded files: checked by their content, never by their name, bounded in size, stored
under generated names. Logos are images (Pillow) with a stored thumbnail; documents
(agreements, evaluations, materials) are PDFs.
"""

import io
import uuid
from pathlib import PurePath

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext_lazy as _
from PIL import Image, UnidentifiedImageError

MAX_LOGO_BYTES = 2 * 1024 * 1024
MAX_LOGO_PIXELS = 4000 * 4000
ALLOWED_FORMATS = {"PNG": "png", "JPEG": "jpg", "WEBP": "webp", "GIF": "gif"}
THUMBNAIL_SIZE = (240, 240)

# Pillow's decompression-bomb guard, lowered from its 89 megapixels to the logo limit: any
# image this process decodes (a thumbnail, a certificate's logo) is refused beyond it, and
# twice the limit raises DecompressionBombError before the pixels are allocated.
Image.MAX_IMAGE_PIXELS = MAX_LOGO_PIXELS


def validate_logo(file) -> None:
    """Accept PNG, JPEG, WebP or GIF images by their content; refuse SVG, HTML and oversized files."""
    if file.size > MAX_LOGO_BYTES:
        raise ValidationError(_("The logo is larger than 2 MB."), code="logo_too_large")
    file.seek(0)
    try:
        with Image.open(file) as image:
            if image.format not in ALLOWED_FORMATS:
                raise ValidationError(_("The logo must be a PNG, JPEG, WebP or GIF image."), code="logo_format")
            if image.width * image.height > MAX_LOGO_PIXELS:
                raise ValidationError(_("The logo has more than 16 megapixels."), code="logo_pixels")
            image.verify()
    except ValidationError:
        raise
    except Image.DecompressionBombError:
        raise ValidationError(_("The logo has more than 16 megapixels."), code="logo_pixels") from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise ValidationError(
            _("The file is not an image: upload a PNG, JPEG, WebP or GIF logo."), code="logo_not_image"
        ) from None
    finally:
        file.seek(0)


def logo_upload_to(instance, filename: str) -> str:
    """A generated name whose suffix is the format found in the content: neither the uploader's
    file name nor its extension reaches the disk or the URL (a "logo.html" that is a PNG is
    stored as .png; a file that is no image at all, refused by ``validate_logo`` in forms,
    gets .bin, which is never served)."""
    file = instance.logo
    # Whether the content is the upload being saved: Django (checked on 5.2) has no public way to
    # ask a FieldFile; FileField.pre_save reads the same attribute.
    if not file or not hasattr(file, "seek") or getattr(file, "_committed", True):
        # Saved from code (``logo.save(name, content)``), the content is not on the instance
        # yet: the name's suffix is kept only if it is one of the image formats.
        suffix = PurePath(filename).suffix.lower().lstrip(".")
        return f"logos/{uuid.uuid4().hex}.{suffix if suffix in ALLOWED_FORMATS.values() else 'bin'}"
    try:
        file.seek(0)
        with Image.open(file) as image:
            suffix = ALLOWED_FORMATS.get(image.format, "bin")
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        suffix = "bin"
    finally:
        file.seek(0)
    return f"logos/{uuid.uuid4().hex}.{suffix}"


def thumbnail_of(file) -> ContentFile:
    """A PNG at most 240×240 px, for lists and certificates."""
    file.seek(0)
    with Image.open(file) as image:
        image = image.convert("RGBA")
        image.thumbnail(THUMBNAIL_SIZE)
        buffer = io.BytesIO()
        image.save(buffer, format="PNG", optimize=True)
    file.seek(0)
    return ContentFile(buffer.getvalue(), name=f"{uuid.uuid4().hex}.png")


MAX_DOCUMENT_BYTES = 20 * 1024 * 1024


def validate_pdf(file) -> None:
    """Accept a PDF by its header; anything else (HTML, SVG, a renamed executable) is refused."""
    if file.size > MAX_DOCUMENT_BYTES:
        raise ValidationError(_("The document is larger than 20 MB."), code="document_too_large")
    file.seek(0)
    header = file.read(1024)
    file.seek(0)
    if b"%PDF-" not in header[:1024] or not header.lstrip().startswith(b"%PDF-"):
        raise ValidationError(_("The document must be a PDF file."), code="document_not_pdf")


def document_upload_to(instance, filename: str) -> str:
    return f"documents/{uuid.uuid4().hex}.pdf"
