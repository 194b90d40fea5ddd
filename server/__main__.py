"""Entry point: python -m server ...

The server runs Flask-SocketIO in gevent mode (docs/async-mode.md), so the standard library is
patched before anything else is imported. LANTERN_ASYNC_MODE=threading skips it.
"""

import os

if os.environ.get("LANTERN_ASYNC_MODE", "gevent") == "gevent":
    from gevent import monkey

    monkey.patch_all()

from server.cli import main  # noqa: E402

main()
