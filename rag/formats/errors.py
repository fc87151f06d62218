"""The one error the readers raise: why a file's text cannot be read."""


class FormatError(ValueError):
    """The reason, in Chinese and without the file name (the caller adds it)."""
