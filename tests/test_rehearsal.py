"""Every paper preset runs end to end through `run_experiment` at rehearsal scale (issue 14): RGB, 64 px, contrastive two views,
attention, several steps per TreeVAE pass and Inception FID (random weights) are exercised on every CI run."""
import json

import pytest

from conftest import ROOT
from treediffusion.rehearsal import rehearse

PAPER_PRESETS = ["mnist", "fashion-mnist", "cifar10", "celeba", "cubicc"]


@pytest.mark.parametrize("preset", PAPER_PRESETS)
def test_paper_preset_rehearsal(preset, tmp_path):
    real_clf = ROOT / "runs" / "classifier" / f"{preset}_small_resnet_e1.pt"
    before = real_clf.stat().st_mtime if real_clf.exists() else None
    res = rehearse(preset, tmp_path, log=lambda s: None)
    ev = json.loads((tmp_path / "run" / "eval.json").read_text())
    fids = ev["inception_fid"]                               # both models scored, by the same (random-weight) Inception: different numbers
    assert set(fids) == {"TreeVAE", "TreeDiffusion"} and fids["TreeVAE"]["gen"] != fids["TreeDiffusion"]["gen"]
    if preset == "celeba":                                  # no class labels: Inception FID only, said in the report
        assert "fid" not in ev and "entropy" not in ev and "no class labels" in (tmp_path / "run" / "report.md").read_text()
    else: assert set(ev["fid"]) == {"TreeVAE", "TreeDiffusion"} and ev["leaf_fidelity"]
    assert (tmp_path / "run" / "report.md").is_file() and res["tree"]["n_leaves"] >= 2
    cfg = (tmp_path / "run" / "config.yml").read_text()
    assert "rehearsal" in cfg and "tree_pass_batches: 2" in cfg        # the chunked TreeVAE pass is on the path
    # the synthetic data and its classifier stay inside the rehearsal folder
    assert (tmp_path / "data" / f"{preset}.npz").is_file()
    assert (tmp_path / "runs" / "classifier").is_dir() == (preset != "celeba")     # CelebA trains no classifier
    assert (real_clf.stat().st_mtime if real_clf.exists() else None) == before
