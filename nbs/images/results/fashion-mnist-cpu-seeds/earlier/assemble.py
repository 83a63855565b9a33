"Collect the CPU-scale Table 1/2 runs into nbs/images/results/fashion-mnist-cpu-seeds/."
import json, shutil
from pathlib import Path
from treediffusion.report import paper_tables, tables_markdown
R, O = Path("runs/t1"), Path("nbs/images/results/fashion-mnist-cpu-seeds")
O.mkdir(parents=True, exist_ok=True)
seeds = [s for s in (0, 1, 2) if (R / f"seed{s}/eval.json").exists()]
ev = {f"seed{s}": json.loads((R / f"seed{s}/eval.json").read_text()) for s in seeds}
base = [json.loads((R / "recon/eval.json").read_text())] if (R / "recon/eval.json").exists() else []
for k, e in list(ev.items()) + ([("recon", base[0])] if base else []):
    e = dict(e); e.pop("figures", None)
    src = R / k
    e["train_seconds"] = json.loads((src / "diffusion/train.json").read_text())["seconds"]
    (O / f"{k}_eval.json").write_text(json.dumps(e, indent=1))
t = paper_tables(list(ev.values()), base)
(O / "tables.json").write_text(json.dumps(t, indent=1))
(O / "tables.md").write_text(tables_markdown(t, "fashion-mnist") + "\n")
for f in ("fig2_reconstructions.png", "fig3_samples.png", "fig4_all_leaves.png", "fig5_leaf_histograms.png"):
    shutil.copyfile(R / "seed0" / f, O / f)
for f in ("fig6.png",):
    if (R / f).exists(): shutil.copyfile(R / f, O / f)
if (R / "seed0/sampler.json").exists(): shutil.copyfile(R / "seed0/sampler.json", O / "sampler.json")
(O / "tree").mkdir(exist_ok=True)                      # the shared stage-1 tree (runs/t1/seed0/tree → runs/fmnist-cpu-v2)
for f in ("tree.png", "tree.json", "metrics.json", "config.yml"): shutil.copyfile(R / "seed0/tree" / f, O / "tree" / f)
(O / "seed0_report.md").write_text((R / "seed0/report.md").read_text())   # links tree/tree.png, as copied above
print(tables_markdown(t, "fashion-mnist"))
for k in ("seed0", "seed1", "seed2", "recon"):
    if (R / k / "entropy_gen.json").exists(): shutil.copyfile(R / k / "entropy_gen.json", O / f"{k}_entropy_gen.json")
for w in ("1.0", "2.0"):
    f = R / "seed0" / f"entropy_gen_w{w}.json"
    if f.exists(): shutil.copyfile(f, O / f"seed0_entropy_gen_w{w}.json")
