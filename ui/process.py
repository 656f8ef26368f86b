"""Once per server process: keep the garbage collection Streamlit runs after every run cheap.

Streamlit collects garbage in full after each run (``runner.postScriptGC``) while holding the
interpreter lock, so the page's last messages wait for it. With pandas, SciPy, Altair, pydantic and
SQLAlchemy loaded, a full collection walks about 250,000 long-lived objects (modules, classes,
functions, the shipped catalogue's tables): 65-90 ms on every weight nudge, for nothing, since they
are never garbage. After the first run that finishes, a collection clears what is garbage and
``gc.freeze`` moves everything left into the permanent generation, which later collections skip.
They then walk only what runs create, and still free it, so memory stays flat.
"""

from __future__ import annotations

import gc
import threading

_lock = threading.Lock()
_frozen = False


def freeze_long_lived() -> bool:
    """Collect, then freeze what is left, the first time it is called in this process; True if it froze.

    Called at the end of a run, when the libraries are imported and the catalogue is loaded. What
    one run of one session holds is frozen with them; if it later becomes cyclic garbage, it is not
    freed, but that happens once per process and is small.
    """
    global _frozen
    with _lock:
        if _frozen:
            return False
        gc.collect()
        gc.freeze()
        _frozen = True
        return True
