"Growth resumes mid-phase: a run killed inside any phase kind and run again ends bit for bit where the uninterrupted run ends."
import random

import pytest
import torch

from conftest import ROOT
import treediffusion.growth as G
from treediffusion.config import load_config
from treediffusion.checkpoint import load_checkpoint
from treediffusion.data import dataset_from_config


class Killed(Exception): "Stands in for kill -9 right after a checkpoint (a later kill loses the same progress or less)."


def config():
    c = load_config(ROOT / "configs/tiny.yml"); c.data.root = str(ROOT / "data")
    g = c.growth    # every phase kind ≥ 2 epochs, an intermediate phase after every split, a checkpoint after every epoch
    g.epochs, g.epochs_smalltree, g.epochs_intermediate, g.epochs_finetune, g.intermediate_every, g.checkpoint_minutes = 3, 2, 2, 3, 1, 0
    c.treevae.contrastive_weight, c.treevae.contrastive_augment = 1.0, "affine"    # the augmentation's random draws must resume too
    g.prune, g.final_prune_threshold, g.epochs_refinetune = False, 0.01, 2          # an empty leaf is left for the final prune
    return c


@pytest.fixture(scope="module")
def setup(tmp_path_factory):
    c = config(); ims = dataset_from_config(c.data, "train").images
    d = tmp_path_factory.mktemp("ref"); log = []
    ref = G.grow_tree(c, ims, out=d, log=log.append)
    assert any(l.startswith("[intermediate") for l in log) and any(l.startswith("[split") for l in log), log
    assert any(l.startswith("[refinetune") for l in log), log                       # the final prune pruned a leaf
    return c, ims, ref, load_checkpoint(d / "growth.pt")["growth"]["history"]


@pytest.mark.parametrize("kind", ["initial", "split", "intermediate", "finetune", "refinetune"])
def test_growth_resumes_mid_phase_bitwise(setup, tmp_path, monkeypatch, kind):
    c, ims, ref, ref_hist = setup
    seen, orig = [], G._save_growth
    def save_then_die(model, state, *a, **k):
        orig(model, state, *a, **k)
        p = state.get("phase")
        if p is not None and p["name"].startswith(kind):
            seen.append(p["epoch"])
            if p["epoch"] == target: raise Killed(p)
    epochs = {"initial": c.growth.epochs, "split": c.growth.epochs_smalltree, "intermediate": c.growth.epochs_intermediate,
              "finetune": c.growth.epochs_finetune, "refinetune": c.growth.epochs_refinetune}[kind]
    target = random.Random(kind).randrange(1, epochs)          # a random epoch inside the phase (never its last)
    monkeypatch.setattr(G, "_save_growth", save_then_die)
    with pytest.raises(Killed): G.grow_tree(c, ims, out=tmp_path, log=lambda s: None)
    monkeypatch.setattr(G, "_save_growth", orig)
    assert seen[-1] == target
    log = []; m = G.grow_tree(c, ims, out=tmp_path, log=log.append)
    assert f"after epoch {target}" in log[0] and kind in log[0], log[0]
    assert m.tree.nodes == ref.tree.nodes
    a, b = m.state_dict(), ref.state_dict()
    assert a.keys() == b.keys() and all(torch.equal(a[k], b[k]) for k in a), [k for k in a if not torch.equal(a[k], b[k])]
    hist = load_checkpoint(tmp_path / "growth.pt")["growth"]["history"]
    assert [h.get("loss") for h in hist] == [h.get("loss") for h in ref_hist]


def test_phase_boundary_resume_restores_rng(setup, tmp_path, monkeypatch):
    "Killed between phases (after the initial phase's checkpoint), the rerun also ends bit for bit: the data order and noise resume."
    c, ims, ref, _ = setup
    orig = G.train_phase
    def die_on_split(*a, **k):
        if str(a[7]).startswith("split"): raise Killed()
        return orig(*a, **k)
    monkeypatch.setattr(G, "train_phase", die_on_split)
    with pytest.raises(Killed): G.grow_tree(c, ims, out=tmp_path, log=lambda s: None)
    monkeypatch.setattr(G, "train_phase", orig)
    m = G.grow_tree(c, ims, out=tmp_path, log=lambda s: None)
    assert all(torch.equal(x, y) for x, y in zip(m.state_dict().values(), ref.state_dict().values()))


def test_growth_is_deterministic_across_processes(tmp_path):
    "Two `fit-tree` processes with the same preset, seed and thread count grow the same tree, weights and metrics (what lets a committed seed be re-run)."
    import json, os, subprocess
    from conftest import cli
    env = dict(os.environ, OMP_NUM_THREADS="1")
    for k in ("a", "b"):
        r = subprocess.run(cli("fit-tree", "--config", ROOT / "configs/tiny.yml", "--out", tmp_path / k), capture_output=True, text=True, cwd=ROOT, env=env)
        assert r.returncode == 0, r.stderr[-2000:]
    a, b = (json.loads((tmp_path / k / "metrics.json").read_text()) for k in ("a", "b"))
    timing = {k for k in a if "seconds" in k or k.endswith("_s")}
    assert {k: v for k, v in a.items() if k not in timing} == {k: v for k, v in b.items() if k not in timing}
    assert (tmp_path / "a/tree.json").read_text() == (tmp_path / "b/tree.json").read_text()
    sa, sb = (load_checkpoint(tmp_path / k / "treevae.pt")["state_dict"] for k in ("a", "b"))
    assert sa.keys() == sb.keys() and all(torch.equal(sa[k], sb[k]) for k in sa)


def test_contrastive_scale_per_phase(monkeypatch):
    "`growth.intermediate_contrastive: 0` trains the intermediate phases on plain batches without the InfoNCE term; `finetune_contrastive` scales it in the finetunes; the other phases keep it."
    from dataclasses import replace
    from treediffusion.treevae import TreeVAE
    c = config(); c.growth.intermediate_contrastive, c.growth.finetune_contrastive = 0.0, 0.5
    c.growth.epochs, c.growth.epochs_smalltree, c.growth.epochs_intermediate, c.growth.epochs_finetune = 1, 1, 1, 1
    m = TreeVAE(c.treevae).train(); x = torch.rand(8, 1, c.treevae.image_size, c.treevae.image_size)
    plain = TreeVAE(replace(c.treevae, contrastive_weight=0.0)); plain.load_state_dict(m.state_dict()); plain.train()
    torch.manual_seed(0); a = m(x, kl_weight=0.3, contrastive_scale=0.0)
    torch.manual_seed(0); b = plain(x, kl_weight=0.3)
    assert "contrastive" not in a.parts and torch.equal(a.loss, b.loss)      # scale 0 = the model without the term, bit for bit
    torch.manual_seed(0); h = m(x, kl_weight=0.3, contrastive_scale=0.5)
    torch.manual_seed(0); f = m(x, kl_weight=0.3)
    assert torch.allclose(f.loss - h.loss, 0.5 * c.treevae.contrastive_weight * f.parts["contrastive"])
    calls, orig, orig_sb = [], TreeVAE.forward, G.step_batch
    def spy(self, x, *a, contrastive_scale=1.0, **k):
        calls.append(contrastive_scale); return orig(self, x, *a, contrastive_scale=contrastive_scale, **k)
    def spy_views(cfg):
        bs, views = orig_sb(cfg)
        return bs, lambda x: (calls.append("views"), views(x))[1]
    monkeypatch.setattr(TreeVAE, "forward", spy); monkeypatch.setattr(G, "step_batch", spy_views)
    phases, log = [], []
    def note(s): log.append(s); phases.append((s.split("]")[0][1:].rstrip("0123456789"), set(calls))); calls.clear()
    G.grow_tree(c, dataset_from_config(c.data, "train").images, log=note)
    seen = {name: cs for name, cs in phases if cs}
    assert seen["intermediate"] == {0.0} and seen["initial"] == {1.0, "views"}, (seen, log)
    assert seen["finetune"] == seen["refinetune"] == {0.5, "views"}, (seen, log)
