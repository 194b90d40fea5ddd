"""How Socket.IO packets are read and refused: a packet that cannot be decoded is an event the
namespaces answer, not an error that drops it; every refusal, on every namespace, is the ack
``{"ok": false, "error": "<message>", "code": "<code>"}`` with the REST error codes.

python-socketio reads a packet's namespace and ack id, then its JSON. If the JSON fails (an
integer of more than 100 digits, nesting past Python's recursion limit) or the id is too long,
the packet is dropped with a traceback in the log and the client waits for an ack (or a
connect answer) that never comes. Decoded by :class:`Packet`, such a packet carries the event
:data:`UNDECODABLE`, which every namespace refuses in its ack like any other bad event; a
connect whose auth cannot be decoded is refused as unauthorized.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import request
from flask_socketio import ConnectionRefusedError  # its message reaches the client
from socketio import packet

from server import errors

log = logging.getLogger(__name__)

UNDECODABLE = "__undecodable__"
REFUSAL = "the event's payload could not be decoded (a number too long or nesting too deep)"


class Packet(packet.Packet):
    """A Socket.IO packet whose undecodable payload becomes ``[UNDECODABLE]``."""

    def decode(self, encoded_packet: Any) -> int:
        try:
            return int(super().decode(encoded_packet))
        except (ValueError, RecursionError):
            # the namespace and the ack id are kept as far as they were read
            self.data = [UNDECODABLE]
            return 0


def refusal(code: str, message: str) -> dict[str, Any]:
    """The ack of a refused event on every namespace; ``code`` is the REST error code."""
    return {"ok": False, "error": message, "code": code}


def error_ack(exc: BaseException) -> dict[str, Any]:
    """The ack for an error raised while handling an event: ours carry their code, any other
    is an internal error (logged, its text kept from the client)."""
    if isinstance(exc, errors.LanternError):
        return refusal(exc.code, exc.message)
    log.error("unhandled error in a Socket.IO handler", exc_info=exc)
    return refusal("internal", "internal server error")


def _answer_error(exc: BaseException) -> dict[str, Any]:
    ack = error_ack(exc)
    if request.event["message"] == "connect":  # type: ignore[attr-defined]
        # a connect handler's answer is not an ack: whatever failed, the connection is refused
        raise ConnectionRefusedError(ack["error"])
    return ack


class AnswersErrors:
    """Namespace mixin: an error raised by any handler is answered in the event's ack as
    :func:`error_ack` says, and an event whose payload could not be decoded is refused."""

    namespace: str

    def _set_socketio(self, socketio: Any) -> None:
        super()._set_socketio(socketio)  # type: ignore[misc]
        socketio.on_error(self.namespace)(_answer_error)

    def on___undecodable__(self, *_: Any) -> dict[str, Any]:
        raise errors.BadRequest(REFUSAL)
