"`tools/regenerate.py`: one resumable command per table — steps with their manifests, the table JSON with its commit, the exported model."
import hashlib, json, subprocess, sys

from conftest import ROOT


def test_regenerate_tiny_table(tmp_path):
    "The tiny table end to end: tree, TreeDiffusion and baseline seed 0 (two at a time), assembled with manifests; a rerun resumes and runs nothing."
    cmd = [sys.executable, str(ROOT / "tools/regenerate.py"), "tiny", "--work", str(tmp_path / "work"), "--dest", str(tmp_path / "dest"), "--jobs", "2"]
    r = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
    assert r.returncode == 0, r.stdout[-2000:] + r.stderr[-3000:]
    res = tmp_path / "dest/nbs/images/results/presets/tiny"
    for member, command in (("tree", "fit-tree"), ("td0", "run"), ("bl0", "run")):
        runs = json.loads((res / member / "run.json").read_text())["runs"]
        assert runs[-1]["status"] == "finished" and runs[-1]["command"] == command, (member, runs[-1])
    assert json.loads((res / "bl0/run.json").read_text())["runs"][-1]["departs_from_preset"]["diffusion.recon_input"] == [False, True]
    table, top = json.loads((res / "tables.json").read_text()), json.loads((res / "run.json").read_text())["runs"][-1]
    assert table["commit"] == top["commit"] and top["command"] == "tools/regenerate.py" and top["status"] == "finished"
    assert set(table["summary"]) == {"TreeDiffusion", "TreeVAE + Diffusion", "TreeVAE"} and table["summary"]["TreeDiffusion"]["n_seeds"] == 1
    assert table["per_run"]["td0"]["fid_gen"] == json.loads((res / "td0/eval.json").read_text())["fid"]["TreeDiffusion"]["gen"]
    assert table["per_run"]["td0"]["replica_rate"] == json.loads((res / "td0/eval.json").read_text())["replicas"]["TreeDiffusion"]["rate"]
    exported = json.loads((tmp_path / "dest/pretrained/tiny/exported.json").read_text())
    for f, sha in exported["sha256"].items(): assert hashlib.sha256((tmp_path / "dest/pretrained/tiny" / f).read_bytes()).hexdigest() == sha
    again = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
    lines = again.stdout.splitlines()
    assert again.returncode == 0 and not any(l.startswith("[regenerate] start") for l in lines)            # resumes: nothing to run
    assert sum(l.startswith("done ") for l in lines) == 3
    # --reseal: a model exported before checkpoints carried their digest gets one; its tensors stay as they were
    import torch
    from treediffusion.checkpoint import DIGEST_KEY, load_checkpoint
    model = tmp_path / "dest/pretrained/tiny"
    before = load_checkpoint(model / "diffusion.pt")
    for f in ("diffusion.pt", "treevae.pt"):
        c = torch.load(model / f, weights_only=True); del c[DIGEST_KEY]; torch.save(c, model / f)        # as an older version wrote it
    r = subprocess.run([*cmd[:-2], "--reseal"], capture_output=True, text=True, cwd=ROOT)
    assert r.returncode == 0, r.stderr[-2000:]
    resealed = json.loads((model / "exported.json").read_text())
    assert resealed["source"] == exported["source"] and resealed["commit"] == exported["commit"] and "commit" in resealed["resealed"]
    for f, sha in resealed["sha256"].items():
        assert DIGEST_KEY in torch.load(model / f, weights_only=True) and hashlib.sha256((model / f).read_bytes()).hexdigest() == sha
    after = load_checkpoint(model / "diffusion.pt")
    assert all(torch.equal(before["model"][k], after["model"][k]) for k in before["model"])


def test_table3_json_and_picture(tmp_path):
    "Table 3 at demo scale: per-variant means and sample stds over seeds, the paper's row beside each, one TreeVAE row per seed, and its picture."
    import importlib.util
    spec = importlib.util.spec_from_file_location("regenerate", ROOT / "tools/regenerate.py"); rg = importlib.util.module_from_spec(spec); spec.loader.exec_module(rg)
    def ev(fid, lf, tv_fid, rate):
        return (dict(fid={"TreeDiffusion": dict(gen=fid, rec=fid / 2), "TreeVAE": dict(gen=tv_fid, rec=1.0)}, n_images=400, entropy={"TreeDiffusion": 0.5},
                     leaf_fidelity=dict(TreeDiffusion=dict(mean=lf), TreeVAE=dict(mean=0.3), noise_floor=0.1, n_per_leaf=200),
                     replicas=dict(TreeDiffusion=dict(rate=rate), TreeVAE=dict(rate=0.0), real_rate=0.01)), dict(diffusion_s=60.0, eval_s=10.0))
    runs = {"td0": ev(10.0, 0.20, 30.0, 0.0), "td1": ev(12.0, 0.24, 32.0, 0.02), "rc0": ev(8.0, 0.15, 30.0, 0.01)}
    tab = rg.table3_json(runs)
    td = tab["summary"]["TreeDiffusion (path, from noise)"]
    assert td["n_seeds"] == 2 and td["fid_gen"] == [11.0, 2 ** 0.5] and abs(td["leaf_fidelity"][0] - 0.22) < 1e-12
    assert td["paper_cifar10_fid"] == (17.8, 0.4) and tab["summary"]["TreeVAE + Diffusion (recon)"]["fid_gen"] == [8.0, 0.0]
    assert tab["summary"]["TreeVAE"]["n_seeds"] == 2 and tab["summary"]["TreeVAE"]["fid_gen"] == [31.0, 2 ** 0.5]   # one per seed, not per run
    assert tab["per_run"]["td1"]["train_s"] == 60.0 and tab["per_run"]["rc0"]["variant"] == "TreeVAE + Diffusion (recon)"
    rg.fidelity_figure(tab, tmp_path / "fig.png")
    assert (tmp_path / "fig.png").stat().st_size > 10_000
