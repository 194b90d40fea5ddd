"""``python -m immersive ...``"""

from __future__ import annotations

import sys

from immersive.cli import main

sys.exit(main())
