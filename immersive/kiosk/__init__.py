"""The kiosk program: protocol state (:mod:`.controller`), the offline outbox, the Socket.IO
link to the server, and the Panda3D app that shows the scene."""
