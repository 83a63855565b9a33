"""Issue 15, item 5: one table of a folder of `fit-tree` runs named PRESET_sSEED (benchmarks/gpu_preset_growth.sh makes them):
per run NMI, ARI, ACC, DP, LP, leaves, the smallest leaf's share of the test set, splits, whether growth settled (reached
`n_leaves` effective leaves before `max_splits`), minutes (the fit's wall time, and the sum of its training phases, which
also counts the parts of a run that was killed and resumed), the commits it ran at (RUN/COMMIT, one per line: a run resumed at a later commit lists both; else --commit); per preset
mean ± std. JSON + markdown.

    python benchmarks/growth_seeds_table.py runs/gpu-growth --commit $(git rev-parse HEAD) --out OUT   # → OUT.json, OUT.md
"""
import argparse, json, re, statistics
from pathlib import Path

import torch
from treediffusion.record import record_script

KEYS = ("nmi", "ari", "acc", "dendrogram_purity", "leaf_purity")


def run_row(d: Path) -> dict:
    from treediffusion.config import load_config
    from treediffusion.checkpoint import load_checkpoint
    from treediffusion.data import dataset_from_config
    from treediffusion.treevae import predict_leaf_probs
    from treediffusion.treevae import load_treevae
    preset, seed = re.fullmatch(r"(.+)_s(\d+)", d.name).groups()
    row = dict(preset=preset, seed=int(seed), finished=(d / "metrics.json").exists(),
               commit=" → ".join(c[:7] for c in (d / "COMMIT").read_text().split()) if (d / "COMMIT").exists() else None)
    log = (d.parent / f"{d.name}.log").read_text(errors="replace") if (d.parent / f"{d.name}.log").exists() else ""
    row["settled"], row["resumed"] = "stopping at growth.max_splits" not in log, "resuming growth" in log
    if (d / "growth.pt").exists():
        g = load_checkpoint(d / "growth.pt")["growth"]; row.update(stage=g["stage"], splits=g["n_splits"])
        row["phase_minutes"] = round(sum(h.get("seconds") or 0 for h in g["history"]) / 60, 1)
    if not row["finished"]: return row
    m = json.loads((d / "metrics.json").read_text())
    row.update({k: m[k] for k in KEYS}, leaves=m["n_leaves"], minutes=round(m["fit_seconds"] / 60, 1))
    cfg = load_config(d / "config.yml"); test = dataset_from_config(cfg.data, "test")
    counts = torch.bincount(predict_leaf_probs(load_treevae(d / "treevae.pt"), test.images).argmax(1), minlength=m["n_leaves"])
    row["smallest_leaf_share"] = round(float(counts.min()) / len(test), 4)
    return row


def table(rows, commit) -> str:
    f = lambda v: "–" if v is None else (f"{v:.3f}" if isinstance(v, float) else str(v))
    L = [f"Commit {commit} unless a row names its own.", "",
         "| preset | seed | NMI | ARI | ACC | DP | LP | leaves | smallest leaf (test) | splits | settled | minutes (wall / phases) | commit |",
         "|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        L.append(f"| {r['preset']} | {r['seed']} | " + " | ".join(f(r.get(k)) for k in KEYS) +
                 f" | {f(r.get('leaves'))} | {f(r.get('smallest_leaf_share'))} | {f(r.get('splits'))} | {'yes' if r['settled'] and r['finished'] else 'no'} | "
                 f"{'resumed' if r.get('resumed') else r.get('minutes', '–')} / {r.get('phase_minutes', '–')} | {r.get('commit') or commit} |")
    for p in sorted({r["preset"] for r in rows}):
        done = [r for r in rows if r["preset"] == p and r["finished"]]
        if len(done) > 1:
            ms = lambda k: f"{statistics.mean(r[k] for r in done):.3f} ± {statistics.stdev(r[k] for r in done):.3f}"
            L.append(f"| **{p}, mean ± std of {len(done)}** | | " + " | ".join(ms(k) for k in KEYS) + " | | | | | | |")
    return "\n".join(L)


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("runs"); ap.add_argument("--commit", default="unknown"); ap.add_argument("--out", required=True)
    a = ap.parse_args()
    record_script(a.out + '.json')                      # run.json beside the results: commit, config, machine load
    rows = [run_row(d) for d in sorted(Path(a.runs).iterdir()) if d.is_dir() and re.fullmatch(r".+_s\d+", d.name)]
    md = table(rows, a.commit)
    Path(a.out + ".json").write_text(json.dumps(dict(commit=a.commit, rows=rows), indent=1)); Path(a.out + ".md").write_text(md + "\n")
    print(md)
