"""Issue 16: the prefix condition against leaf mode at internal nodes, every training recipe measured, in one picture.

Reads the committed `node_conditioning.json` files (one per trained model; `benchmarks/node_conditioning.py`) and draws,
per recipe, the mass-weighted total variation over the internal nodes of both ways of sampling a node (one dot per seed,
a bar for the mean), with the noise floor of as many real images. Prints the same numbers as a markdown table.

    python benchmarks/prefix_summary.py --out nbs/images/results/benchmarks/node_conditioning/prefix_summary.png
"""
import argparse, json
from pathlib import Path
from treediffusion.record import record_script

R = Path("nbs/images/results/benchmarks/node_conditioning")
RECIPES = {   # label: the JSONs of its seeds
    "prefix_prob 0.3\n700 steps": [R / "node_conditioning.json", R / "seeds/node_conditioning_prefix_s1.json", R / "seeds/node_conditioning_prefix_s2.json"],
    "prefix_prob 0.5\n700 steps": [R / f"prefix05/node_conditioning_s{s}.json" for s in range(3)],
    "prefix_prob 0.3\n1,400 steps": [R / f"steps1400/node_conditioning_s{s}.json" for s in range(3)],
}


def internal_tv(path) -> dict:
    "Mass-weighted TV over the internal nodes of one model, for each mode and the noise floor."
    d = json.loads(Path(path).read_text()); rows = [r for r in d["models"]["prefix"]["rows"] if not r["is_leaf"]]
    m = sum(r["mass"] for r in rows)
    return {"n": d["n"], **{k: sum(r[k] * r["mass"] for r in rows) / m for k in ("leaf", "prefix", "noise_floor")}}


def main(out):
    import numpy as np, matplotlib; matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    res = {lab: [internal_tv(p) for p in ps if p.exists()] for lab, ps in RECIPES.items()}
    res = {k: v for k, v in res.items() if v}
    print("| recipe | seeds | leaf mode | prefix | noise floor |\n|---|---|---|---|---|")
    for lab, v in res.items():
        f = lambda k: f"{np.mean([x[k] for x in v]):.3f} ± {np.std([x[k] for x in v], ddof=1) if len(v) > 1 else 0:.3f}"
        print(f"| {lab.replace(chr(10), ', ')} | {len(v)} | {f('leaf')} | {f('prefix')} | {np.mean([x['noise_floor'] for x in v]):.3f} |")
    fig, ax = plt.subplots(figsize=(2.0 * len(res) + 1.5, 3.0))
    for i, (lab, v) in enumerate(res.items()):
        for j, (k, c, name) in enumerate((("leaf", "C0", "leaf mode (full paths of leaves drawn under the node)"), ("prefix", "C1", "prefix (the path to the node only)"))):
            y = [x[k] for x in v]; xpos = i + (j - 0.5) * 0.35
            ax.bar(xpos, np.mean(y), 0.33, color=c, alpha=0.6, label=name if i == 0 else None)
            ax.scatter([xpos] * len(y), y, color=c, edgecolor="k", s=18, zorder=3)
        ax.plot([i - 0.4, i + 0.4], [np.mean([x["noise_floor"] for x in v])] * 2, "k--", lw=1, label=f"noise floor ({v[0]['n']} real images)" if i == 0 else None)
    ax.set_xticks(range(len(res)), list(res), fontsize=8); ax.set_ylabel("TV to the node's real class mix\n(internal nodes, mass-weighted)", fontsize=8)
    ax.set_ylim(0, 0.34); ax.legend(fontsize=7, loc="upper left", ncol=1); ax.set_title("Sampling an internal node: lower is better (dots: seeds)", fontsize=9)
    fig.tight_layout(); fig.savefig(out, dpi=110); plt.close(fig)


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default=str(R / "prefix_summary.png"))
    a = ap.parse_args(); record_script(a.out)
    main(a.out)
