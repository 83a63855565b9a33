import os, sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")


class Payload:
    "Unpickling this creates the file `path`: what a malicious checkpoint would do on load (it must be refused before that)."
    def __init__(self, path): self.path = path
    def __reduce__(self): return (Path.touch, (Path(self.path),))


def cli(*args):
    "Path to the installed `treediffusion` console script plus args."
    exe = BIN / "treediffusion"
    return [str(exe) if exe.exists() else "treediffusion", *map(str, args)]
