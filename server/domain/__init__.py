"""The venue's rules as plain Python: capacity levels, presence, fleet commands, sessions, content.

Nothing here imports Flask, Flask-SocketIO or SQLAlchemy.
"""
