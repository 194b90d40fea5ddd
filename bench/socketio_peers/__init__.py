"""Peers for the Socket.IO async-mode benchmark.

One kiosk handler set served by Flask-SocketIO (``threading``, ``gevent``) and by
python-socketio's ``AsyncServer`` on uvicorn, each in its own process, plus the load
generator that drives them. Kept free of heavy imports so that a server process can
monkey-patch before anything else is loaded.
"""
