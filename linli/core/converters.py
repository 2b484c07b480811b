"""URL parts shared by every app."""


class IdConverter:
    """A database id: 1 to 18 digits, so an id too big for a 64-bit column is a 404 by the URL
    map, never an overflow error in the database driver."""

    regex = "[1-9][0-9]{0,17}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value) -> str:
        return str(int(value))
