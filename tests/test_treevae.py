"TreeVAE: save → load of a grown and pruned tree is exact; `fit-tree` on the tiny preset writes every artefact."
import json, subprocess
from dataclasses import replace

import torch

from conftest import ROOT, cli
from treediffusion.config import load_config
from treediffusion.treevae import TreeVAE, save_treevae, load_treevae
from treediffusion.checkpoint import CheckpointError

import pytest


VARIANTS = [{}, dict(arch="mlp", vector_io="cnn", image_size=28, latent_dim=4, hidden=32),
            dict(arch="mlp", vector_io="mlp", image_size=28, latent_dim=4, hidden=32)]

@pytest.mark.parametrize("variant", VARIANTS, ids=["tiny", "vector-cnn", "vector-mlp"])
def test_grown_pruned_roundtrip_exact(tmp_path, variant):
    torch.manual_seed(0)
    cfg = replace(load_config(ROOT / "configs/tiny.yml").treevae, **variant)
    m = TreeVAE(cfg); m.split_leaf(1); m.split_leaf(2); m.prune_leaf(4)    # node 1 becomes pass-through
    assert m.tree.is_passthrough(1)
    x = torch.rand(16, 1, cfg.image_size, cfg.image_size)
    m.train(); m(x).loss.backward(); m.eval()
    save_treevae(m, tmp_path / "t.pt")
    m2 = load_treevae(tmp_path / "t.pt")
    assert m2.tree.nodes == m.tree.nodes
    assert torch.equal(m2.leaf_probs(x), m.leaf_probs(x))
    g = lambda: torch.Generator().manual_seed(3)
    assert torch.equal(m2.reconstruct(x, generator=g()).recons, m.reconstruct(x, generator=g()).recons)


def test_corrupt_checkpoint_clear_error(tmp_path):
    p = tmp_path / "t.pt"; p.write_bytes(b"garbage")
    with pytest.raises(CheckpointError, match="corrupted"): load_treevae(p)


def test_fit_tree_cli_tiny(tmp_path):
    r = subprocess.run(cli("fit-tree", "--config", ROOT / "configs/tiny.yml", "--out", tmp_path / "run"),
                       capture_output=True, text=True, cwd=ROOT)
    assert r.returncode == 0, r.stderr[-2000:]
    for f in ("treevae.pt", "config.yml", "tree.json", "metrics.json", "tree.png"): assert (tmp_path / "run" / f).exists(), f
    met = json.loads((tmp_path / "run/metrics.json").read_text())
    for k in ("nmi", "ari", "acc", "dendrogram_purity", "leaf_purity", "n_leaves"):
        assert k in met and k in met["kmeans"] and k in met["ward"]
    m = load_treevae(tmp_path / "run/treevae.pt")
    assert len(m.tree.leaves) == met["n_leaves"]
