"""The server's error hierarchy. Status codes are assigned in server/api/envelope.py only."""

from __future__ import annotations

from typing import Any


class LanternError(Exception):
    """Base of every error the server reports to a client."""

    code = "error"

    def __init__(self, message: str, *, details: Any = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details


class BadRequest(LanternError):
    """The request cannot be read (malformed JSON, wrong content type)."""

    code = "bad_request"


class InvalidContent(LanternError):
    """The request is readable but its content is invalid."""

    code = "invalid"


class Unauthenticated(LanternError):
    """No valid credentials were given."""

    code = "unauthenticated"


class Forbidden(LanternError):
    """The caller's role may not do this."""

    code = "forbidden"


class NotFound(LanternError):
    """The named resource does not exist."""

    code = "not_found"


class Conflict(LanternError):
    """The request conflicts with the resource's current state."""

    code = "conflict"


class TooLarge(LanternError):
    """The request body is larger than the endpoint takes."""

    code = "too_large"


class UnsupportedMediaType(LanternError):
    """The body is not of a content type the endpoint reads."""

    code = "unsupported_media_type"


class NoScreenshot(NotFound):
    """The kiosk has not uploaded a screenshot yet."""

    code = "no_screenshot"


class InvalidImage(InvalidContent):
    """An uploaded image is not the PNG or JPEG its content type says, or cannot be read."""

    code = "invalid_image"


class VenueError(InvalidContent):
    """A venue folder has problems; ``details`` lists every one."""

    code = "invalid_venue"


class EventTimeOutOfWindow(InvalidContent):
    """An event is dated too far ahead of the server's clock or too far behind it."""

    code = "event_time_out_of_window"


class PairingCodeMismatch(InvalidContent):
    """The code given to approve a kiosk is not the one shown on its screen."""

    code = "pairing_code_mismatch"


class UnknownSite(InvalidContent):
    """A request names a site that does not exist."""

    code = "unknown_site"


class UnknownZone(InvalidContent):
    """A request names a zone that is not among the site's current zones."""

    code = "unknown_zone"


class UnknownExperience(InvalidContent):
    """A request names an experience that does not exist."""

    code = "unknown_experience"


class PairingExpired(Conflict):
    """A pending kiosk waited longer than the pairing time and must pair again."""

    code = "pairing_expired"


class UnknownNotebook(InvalidContent):
    """A report run names a notebook that does not exist."""

    code = "unknown_notebook"


class InvalidParameters(InvalidContent):
    """A report's parameters are unknown, mistyped or out of range; ``details`` names each field."""

    code = "invalid_parameters"
