__version__ = "0.1.0"

# OpenMP reads OMP_WAIT_POLICY once, when torch loads it: set the passive policy (no busy-waiting when another process
# holds a core, see 00_core) before anything imports torch, unless the user chose a policy.
import os as _os, sys as _sys
if "torch" not in _sys.modules: _os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
