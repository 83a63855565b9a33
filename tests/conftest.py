import os, sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")


def cli(*args):
    "Path to the installed `treediffusion` console script plus args."
    exe = BIN / "treediffusion"
    return [str(exe) if exe.exists() else "treediffusion", *map(str, args)]
