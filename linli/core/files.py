"""Where uploaded files are stored and how a person's files are served.

Stored under names nobody can guess or read meaning from.

An upload's own name can carry personal data ("张三身份证.jpg", a list of residents) and a
sequential name ("photo.jpg", "photo_1.jpg") can be guessed; files are stored under a random
name and served only through a view that asks the record's permission, never as /media/.
"""

import os
import uuid

from django.http import FileResponse, HttpResponse
from django.utils import timezone
from django.utils.deconstruct import deconstructible


@deconstructible
class RandomUploadPath:
    def __init__(self, folder: str):
        self.folder = folder

    def __call__(self, instance, filename: str) -> str:
        ext = os.path.splitext(filename or "")[1].lower()[:8]
        return f"{self.folder}/{timezone.localdate():%Y/%m}/{uuid.uuid4().hex}{ext}"

    def __eq__(self, other):
        return isinstance(other, RandomUploadPath) and other.folder == self.folder


# A file that belongs to a person (an appeal's or a visit's photo, a wish's proof, a mediation
# scan, an export of residents) is never kept by a shared cache, a proxy or the browser's disk.
PRIVATE = "private, no-store"


def private_image(field_file) -> FileResponse:
    """A stored photo or scan, served after the view asked the record's permission."""
    kind = "image/png" if field_file.name.lower().endswith(".png") else "image/jpeg"
    response = FileResponse(field_file.open("rb"), content_type=kind)
    response["Cache-Control"] = PRIVATE
    return response


def private_download(content: bytes, *, filename: str, content_type: str) -> HttpResponse:
    """A generated file with personal data (an export), as an attachment nobody caches."""
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = PRIVATE
    return response
