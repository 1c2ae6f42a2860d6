"""PyInstaller runtime hook: a bundle started with no locale at all gets ``C.UTF-8``.

Started by ``env -i``, a systemd unit or a kiosk session, the program sees no ``LANG``; Qt
then switches to C.UTF-8 itself but prints a four-line warning first. Choosing it here does
the same quietly. A locale set by the user is left alone.
"""

import os

if not any(os.environ.get(name) for name in ("LC_ALL", "LC_CTYPE", "LANG")):
    os.environ["LC_CTYPE"] = "C.UTF-8"
