"""The one error the spreadsheet reader raises for a file it will not or cannot read."""


class FileProblem(ValueError):
    """A file that cannot be read at all; ``message`` is shown to the user as is."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message
