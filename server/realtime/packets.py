"""How Socket.IO packets are read: a packet that cannot be decoded is an event the namespaces
answer, not an error that drops it.

python-socketio reads a packet's namespace and ack id, then its JSON. If the JSON fails (an
integer of more than 100 digits, nesting past Python's recursion limit) or the id is too long,
the packet is dropped with a traceback in the log and the client waits for an ack (or a
connect answer) that never comes. Decoded by :class:`Packet`, such a packet carries the event
:data:`UNDECODABLE`, which every namespace refuses in its ack like any other bad event; a
connect whose auth cannot be decoded is refused as unauthorized.
"""

from __future__ import annotations

from typing import Any

from socketio import packet

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


class RefusesUndecodable:
    """Namespace mixin: an event whose payload could not be decoded is refused in its ack."""

    def on___undecodable__(self, *_: Any) -> dict[str, Any]:
        return {"ok": False, "error": REFUSAL, "code": "bad_request"}
