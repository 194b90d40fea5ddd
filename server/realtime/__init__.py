"""Socket.IO: the kiosk and control namespaces, and the hub that delivers commands and updates."""
