import os, subprocess, sys
from pathlib import Path

import pytest

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


@pytest.fixture(scope="module")
def tree_dir(tmp_path_factory):
    "A TreeVAE grown on the tiny preset by `treediffusion fit-tree` (one per test module)."
    d = tmp_path_factory.mktemp("tree")
    r = subprocess.run(cli("fit-tree", "--config", ROOT / "configs/tiny.yml", "--out", d, "--no-baselines"), capture_output=True, text=True, cwd=ROOT)
    assert r.returncode == 0, r.stderr[-2000:]
    return d
