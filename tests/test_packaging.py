"The wheel a user installs holds the library, its presets and the shipped classifiers; installed, it runs a preset by name from anywhere."
import subprocess, sys, zipfile

import pytest

from conftest import ROOT, cli


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    d = tmp_path_factory.mktemp("wheel")
    r = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(d), str(ROOT)],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr[-2000:]
    return next(d.glob("treediffusion-*.whl"))


def test_wheel_holds_presets_and_classifiers(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    for f in (ROOT / "treediffusion" / "presets").glob("*.yml"):
        assert f"treediffusion/presets/{f.name}" in names, f.name
    assert {"treediffusion/classifiers/fashion-mnist.pt", "treediffusion/classifiers/mnist.pt"} <= names
    assert not any(n.startswith(("nbs/", "tests/", "runs/")) for n in names)


def test_cli_finds_a_packaged_preset_from_any_folder(tmp_path):
    "No configs/ folder here: `--config tiny` is the packaged preset; `--config configs/tiny.yml` and a typo get one line naming the fix."
    for name, word in (("nope", "tiny"), ("configs/tiny.yml", "--config tiny")):
        r = subprocess.run(cli("fit-tree", "--config", name), capture_output=True, text=True, cwd=tmp_path)
        assert r.returncode == 2 and "Traceback" not in r.stderr and word in r.stderr, r.stderr[-2000:]
        assert len(r.stderr.strip().splitlines()) == 1, r.stderr
    r = subprocess.run(cli("fit-tree", "--config", "tiny", "--out", "tree", "--no-baselines"), capture_output=True, text=True, cwd=tmp_path)
    assert r.returncode == 0, r.stderr[-2000:]
    assert (tmp_path / "tree" / "treevae.pt").is_file() and (tmp_path / "data").is_dir()       # data cached beside the user's runs
