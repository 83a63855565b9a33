"Every module imports in a fresh process; the console command and its subcommands answer --help."
import subprocess, sys
from pathlib import Path

import pytest

from conftest import ROOT, cli

MODULES = sorted(p.stem for p in (ROOT / "treediffusion").glob("*.py") if not p.stem.startswith("_"))


@pytest.mark.parametrize("mod", MODULES)
def test_import_fresh_process(mod):
    r = subprocess.run([sys.executable, "-c", f"import treediffusion.{mod}"], capture_output=True, text=True, cwd=ROOT)
    assert r.returncode == 0, r.stderr


def test_cli_help_lists_subcommands():
    from treediffusion.cli import SUBCOMMANDS
    r = subprocess.run(cli("--help"), capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    for name in SUBCOMMANDS: assert name in r.stdout
    assert "data" in SUBCOMMANDS


@pytest.mark.parametrize("sub", ["data", "fit-tree", "fit-diffusion", "sample", "run", "evaluate"])
def test_subcommand_help(sub):
    r = subprocess.run(cli(sub, "--help"), capture_output=True, text=True)
    assert r.returncode == 0 and "usage: treediffusion" in r.stdout, r.stderr


def test_unknown_subcommand_fails_clearly():
    r = subprocess.run(cli("dta"), capture_output=True, text=True)
    assert r.returncode == 2 and "did you mean 'data'" in r.stderr
