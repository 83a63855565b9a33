"Stage 2 end to end on the tiny preset: fit-diffusion and sample through the CLI, and 2-process training with accelerate."
import json, os, subprocess

import numpy as np
import pytest

from conftest import ROOT, BIN, cli




@pytest.fixture(scope="module")
def tiny_model(tree_dir, tmp_path_factory):
    "A TreeDiffusion trained on the tiny preset by `treediffusion fit-diffusion` on `tree_dir` (one per test module)."
    d = tmp_path_factory.mktemp("dm") / "dm"
    r = subprocess.run(cli("fit-diffusion", "--tree", tree_dir, "--config", ROOT / "configs/tiny.yml", "--out", d), capture_output=True, text=True, cwd=ROOT)
    assert r.returncode == 0, r.stderr[-2000:]
    return d


def test_fit_diffusion_and_sample_cli(tiny_model, tmp_path):
    assert (tiny_model / "diffusion.pt").is_file() and (tiny_model / "treevae.pt").is_file() and (tiny_model / "config.yml").is_file()
    for mode in ("sample_all_leaves", "sample"):
        r = subprocess.run(cli("sample", "--model", tiny_model, "--mode", mode, "--n", 3, "--out", tmp_path / "s"),
                           capture_output=True, text=True, cwd=ROOT)
        assert r.returncode == 0, r.stderr[-2000:]
        z = np.load(tmp_path / "s" / f"{mode}.npz")
        assert z["images"].dtype == np.uint8 and len(z["images"]) == 3 and (tmp_path / "s" / f"{mode}.png").exists()
    r = subprocess.run(cli("sample", "--model", tiny_model, "--mode", "subtree", "--node", 99, "--out", tmp_path / "s"),
                       capture_output=True, text=True, cwd=ROOT)
    assert r.returncode != 0 and "not in the tree" in r.stderr


def test_accelerate_two_cpu_processes(tree_dir, tmp_path):
    exe = BIN / "accelerate"
    cmd = [str(exe), "launch", "--multi_gpu", "--num_processes", "2", "--num_machines", "1", "--mixed_precision", "no",
           "--dynamo_backend", "no", str(BIN / "treediffusion"), "fit-diffusion", "--tree", str(tree_dir),
           "--config", str(ROOT / "configs/tiny.yml"), "--out", str(tmp_path / "dm")]
    r = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, env={**os.environ, "OMP_NUM_THREADS": "1"})
    assert r.returncode == 0, r.stderr[-3000:]
    assert "2 process(es)" in r.stdout + r.stderr
    assert (tmp_path / "dm/diffusion.pt").exists()


def test_run_main_job_tiny(tmp_path):
    "`treediffusion run --config configs/tiny.yml`: data → TreeVAE → TreeDiffusion → evaluation → report.md."
    r = subprocess.run(cli("run", "--config", ROOT / "configs/tiny.yml", "--out", tmp_path / "run"), capture_output=True, text=True, cwd=ROOT)
    assert r.returncode == 0, r.stderr[-3000:]
    rep = (tmp_path / "run/report.md").read_text()
    assert "Table 1" in rep and "Table 2" in rep and "**Copies.**" in rep
    for f in ("tree/treevae.pt", "diffusion/diffusion.pt", "eval.json", "fig4_all_leaves.png", "fig7_copies.png"): assert (tmp_path / "run" / f).exists(), f
    r2 = subprocess.run(cli("run", "--config", ROOT / "configs/tiny.yml", "--out", tmp_path / "run"), capture_output=True, text=True, cwd=ROOT)
    assert r2.returncode == 0 and "resuming growth" in r2.stdout and "resuming diffusion" in r2.stdout    # resumes, no retraining
    runs = json.loads((tmp_path / "run/run.json").read_text())["runs"]        # one manifest entry per invocation
    assert [(r["command"], r["status"]) for r in runs] == [("run", "finished")] * 2
    assert runs[0]["commit"] and runs[0]["config"]["name"] == "tiny" and runs[0]["wall_s"] > 0 and runs[0]["load"]["samples"] >= 2
    assert json.loads((tmp_path / "run/eval.json").read_text())["commit"] == runs[-1]["commit"]


def test_run_reuses_a_grown_tree(tree_dir, tmp_path):
    "`treediffusion run --tree DIR` skips growth (the TreeVAE file is untouched) and runs diffusion + evaluation."
    before = (tree_dir / "treevae.pt").read_bytes()
    r = subprocess.run(cli("run", "--config", ROOT / "configs/tiny.yml", "--out", tmp_path / "run", "--tree", tree_dir),
                       capture_output=True, text=True, cwd=ROOT)
    assert r.returncode == 0, r.stderr[-3000:]
    assert "[fit-tree]" not in r.stdout and (tmp_path / "run/eval.json").exists()
    assert (tmp_path / "run/tree/treevae.pt").read_bytes() == before == (tree_dir / "treevae.pt").read_bytes()
    bad = subprocess.run(cli("run", "--config", ROOT / "configs/tiny.yml", "--out", tmp_path / "bad", "--tree", tmp_path / "run"),
                         capture_output=True, text=True, cwd=ROOT)
    assert bad.returncode != 0 and "fit-tree" in bad.stderr


def test_prefix_conditioning_cli(tree_dir, tiny_model, tmp_path):
    "A model trained with diffusion.prefix_prob conditions on an internal node (`--condition prefix`) and draws every node (`--mode nodes`); a full-path model refuses."
    cfg = tmp_path / "prefix.yml"
    cfg.write_text((ROOT / "configs/tiny.yml").read_text().replace("  signal: path\n", "  signal: path\n  prefix_prob: 0.5\n"))
    r = subprocess.run(cli("fit-diffusion", "--tree", tree_dir, "--config", cfg, "--out", tmp_path / "pm"), capture_output=True, text=True, cwd=ROOT)
    assert r.returncode == 0, r.stderr[-2000:]
    r = subprocess.run(cli("sample", "--model", tmp_path / "pm", "--mode", "subtree", "--node", 0, "--condition", "prefix", "--n", 2,
                           "--steps", 2, "--out", tmp_path / "s"), capture_output=True, text=True, cwd=ROOT)
    assert r.returncode == 0, r.stderr[-2000:]
    r = subprocess.run(cli("sample", "--model", tmp_path / "pm", "--mode", "nodes", "--n", 2, "--steps", 2, "--out", tmp_path / "s"),
                       capture_output=True, text=True, cwd=ROOT)
    assert r.returncode == 0, r.stderr[-2000:]
    z = np.load(tmp_path / "s/nodes.npz"); assert len(z["images"]) == 2 * len(set(z["nodes"].tolist())) >= 6
    r = subprocess.run(cli("sample", "--model", tmp_path / "pm", "--mode", "sample", "--n", 2, "--steps", 2, "--guidance", 1,
                           "--guidance-kind", "parent", "--out", tmp_path / "hg"), capture_output=True, text=True, cwd=ROOT)
    assert r.returncode == 0 and (tmp_path / "hg/sample.png").exists(), r.stderr[-2000:]     # hierarchical guidance
    full = tiny_model                                                     # trained on full paths only
    r = subprocess.run(cli("sample", "--model", full, "--mode", "subtree", "--node", 0, "--condition", "prefix", "--out", tmp_path / "s"),
                       capture_output=True, text=True, cwd=ROOT)
    assert r.returncode == 2 and "prefix_prob > 0" in r.stderr and "Traceback" not in r.stderr, r.stderr[-2000:]
    r = subprocess.run(cli("sample", "--model", full, "--mode", "sample", "--n", 2, "--steps", 2, "--guidance", 1,
                           "--guidance-kind", "parent", "--out", tmp_path / "s"), capture_output=True, text=True, cwd=ROOT)
    assert r.returncode == 2 and "prefix_prob > 0" in r.stderr and "Traceback" not in r.stderr, r.stderr[-2000:]
