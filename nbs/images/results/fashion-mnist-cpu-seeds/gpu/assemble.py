"Collect the six H200 runs of the Fashion-MNIST CPU preset (runs/gpu-fm) and their guidance sweeps into this folder: tables, guidance table and picture."
import json, shutil, subprocess, sys
import numpy as np
from pathlib import Path
from treediffusion.report import paper_tables, tables_markdown
R, O = Path("runs/gpu-fm"), Path(__file__).parent
ev = {k: json.loads((R / k / "eval.json").read_text()) for k in ("seed0", "seed1", "seed2", "recon0", "recon1", "recon2") if (R / k / "eval.json").exists()}
for k, e in ev.items():
    e = dict(e); e.pop("figures", None)
    e["train_seconds"] = json.loads((R / k / "diffusion/train.json").read_text())["seconds"]
    e["timing"] = json.loads((R / k / "timing.json").read_text())
    (O / f"{k}_eval.json").write_text(json.dumps(e, indent=1))
t = paper_tables([ev[k] for k in ev if k.startswith("seed")], [ev[k] for k in ev if k.startswith("recon")])
(O / "tables.json").write_text(json.dumps(t, indent=1))
md = [tables_markdown(t, "fashion-mnist"), ""]
# guidance: 5,000 generations from the prior for FID and entropy, 200 per leaf for leaf fidelity, mean ± std over the three seeds
g = {k: json.loads((O / f"guidance200_{k}.json").read_text()) for k in ev}
md += ["Classifier-free guidance (benchmarks/guidance.py; 5,000 generations for FID and entropy, 200 per leaf for leaf fidelity; "
       "mean ± std over 3 seeds; w = 0 is the method as trained)", "",
       "| w | TreeDiffusion FID gen | TreeDiffusion leaf fidelity | TreeDiffusion entropy | baseline FID gen | baseline leaf fidelity | baseline entropy |",
       "|---|---|---|---|---|---|---|"]
ms = lambda v: f"{np.mean(v):.3f} ± {np.std(v):.3f}" if max(v) < 1 else f"{np.mean(v):.2f} ± {np.std(v):.2f}"
for i, w in enumerate(r["w"] for r in g["seed0"]["rows"]):
    col = lambda pre, key: ms([g[k]["rows"][i][key] for k in g if k.startswith(pre)])
    md.append(f"| {w:g} | {col('seed', 'fid_gen')} | {col('seed', 'leaf_fidelity')} | {col('seed', 'entropy')} "
              f"| {col('recon', 'fid_gen')} | {col('recon', 'leaf_fidelity')} | {col('recon', 'entropy')} |")
r0 = g["seed0"]["rows"][0]
md += ["", f"At 200 per leaf the noise floor (real test images) is {r0['noise_floor']:.3f} and the TreeVAE decoders score {r0['decoders']:.3f}."]
(O / "tables.md").write_text("\n".join(md) + "\n")
subprocess.run([sys.executable, "benchmarks/guidance.py", "--plot", *map(str, sorted(O.glob("guidance200_*.json"))), "--out", str(O / "guidance.png")], check=True)
for f in ("fig3_samples.png", "fig4_all_leaves.png", "fig5_leaf_histograms.png"): shutil.copyfile(R / "seed0" / f, O / f)
print("\n".join(md))
