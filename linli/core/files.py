"""Where uploaded files are stored: under names nobody can guess or read meaning from.

An upload's own name can carry personal data ("张三身份证.jpg", a list of residents) and a
sequential name ("photo.jpg", "photo_1.jpg") can be guessed; files are stored under a random
name and served only through a view that asks the record's permission, never as /media/.
"""

import os
import uuid

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
