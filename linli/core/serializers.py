"""Serializer fields every API shares."""

from rest_framework import serializers

# Database ids are 64-bit: a bigger number is a 400, not an overflow deep in the driver.
MAX_ID = 2**63 - 1


class IdField(serializers.IntegerField):
    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(**kwargs)
