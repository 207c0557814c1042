"""The domain's refusals, shared by every module. The web layer turns them into responses in one place
(``emergency.setup.register_errorhandlers``); the domain itself never speaks HTTP."""


class DomainError(ValueError):
    """A refused change, with Chinese messages per field."""

    def __init__(self, errors):
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


class NotFound(LookupError):
    """No such record, or one the user may not know exists (so ids of others do not leak): a 404 page."""


class Forbidden(PermissionError):
    """The user may see the record but not do this to it: a 403 page."""


class Busy(RuntimeError):
    """No room for this now (as many jobs running as allowed): a 429 page with ``message``, in Chinese."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message
