"Collect the CPU-scale Table 1/2 runs (regrown tree, min-SNR recipe) into nbs/images/results/fashion-mnist-cpu-seeds/."
import json, shutil
from pathlib import Path
from treediffusion.report import paper_tables, tables_markdown
R, O = Path("runs/t2"), Path("nbs/images/results/fashion-mnist-cpu-seeds")
O.mkdir(parents=True, exist_ok=True)
seeds = [s for s in (0, 1, 2) if (R / f"seed{s}/eval.json").exists()]
ev = {f"seed{s}": json.loads((R / f"seed{s}/eval.json").read_text()) for s in seeds}
base = [json.loads((R / "recon/eval.json").read_text())] if (R / "recon/eval.json").exists() else []
for k, e in list(ev.items()) + ([("recon", base[0])] if base else []):
    e = dict(e); e.pop("figures", None)
    e["train_seconds"] = json.loads((R / k / "diffusion/train.json").read_text())["seconds"]
    e["timing"] = json.loads((R / k / "timing.json").read_text())
    (O / f"{k}_eval.json").write_text(json.dumps(e, indent=1))
t = paper_tables(list(ev.values()), base)
(O / "tables.json").write_text(json.dumps(t, indent=1))
(O / "tables.md").write_text(tables_markdown(t, "fashion-mnist") + "\n")
for f in ("fig2_reconstructions.png", "fig3_samples.png", "fig4_all_leaves.png", "fig5_leaf_histograms.png"):
    shutil.copyfile(R / "seed0" / f, O / f)
if (R / "fig6.png").exists(): shutil.copyfile(R / "fig6.png", O / "fig6.png")
(O / "tree").mkdir(exist_ok=True)                      # the shared stage-1 tree (runs/fm/tree)
for f in ("tree.png", "tree.json", "metrics.json", "config.yml"): shutil.copyfile(Path("runs/fm/tree") / f, O / "tree" / f)
(O / "seed0_report.md").write_text((R / "seed0/report.md").read_text())
print(tables_markdown(t, "fashion-mnist"))
