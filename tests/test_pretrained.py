"The pretrained model folders in pretrained/: they load (pair fingerprint checked), sample in seconds, and their cards match the files."
import hashlib, subprocess

import pytest
import torch

from conftest import ROOT, cli
from treediffusion.checkpoint import DIGEST_KEY
from treediffusion.diffusion import load_treediffusion
from treediffusion.sampling import sample

MODELS = sorted(p for p in (ROOT / "pretrained").glob("*") if (p / "diffusion.pt").exists())


def test_there_is_a_pretrained_model():
    assert MODELS, "pretrained/ holds no model folder"


@pytest.mark.parametrize("folder", MODELS, ids=lambda p: p.name)
def test_pretrained_loads_and_samples(folder):
    model, tv, cfg = load_treediffusion(folder, device="cpu")
    g = torch.Generator().manual_seed(0)
    r = sample(model, tv, 4, g, steps=3)
    assert r["images"].shape == (4, cfg.diffusion.unet.in_channels, cfg.diffusion.unet.image_size, cfg.diffusion.unet.image_size)
    assert set(r["leaves"].tolist()) <= set(tv.tree.leaves) and 0 <= r["images"].min() <= r["images"].max() <= 1
    for f in ("diffusion.pt", "treevae.pt"):                                # sealed: a flipped bit is named at load
        assert DIGEST_KEY in torch.load(folder / f, weights_only=True), f"{folder / f} has no digest: python tools/regenerate.py TABLE --reseal"
    card = (folder / "README.md").read_text()
    for f in ("diffusion.pt", "treevae.pt"):                                # the card names the exact files
        assert hashlib.sha256((folder / f).read_bytes()).hexdigest() in card, f


def test_sample_cli_on_pretrained(tmp_path):
    r = subprocess.run(cli("sample", "--model", MODELS[0], "--mode", "sample_all_leaves", "--n", 1, "--steps", 2, "--out", tmp_path),
                       capture_output=True, text=True, cwd=ROOT)
    assert r.returncode == 0, r.stderr[-2000:]
    assert (tmp_path / "sample_all_leaves.png").stat().st_size > 0
