"""The domain's refusal type, shared by every module that changes state."""


class DomainError(ValueError):
    """A refused change, with Chinese messages per field."""

    def __init__(self, errors):
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors
