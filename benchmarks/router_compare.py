"""Issue 14, item 2: our router (an MLP on all C·R·R values, 128 hidden) against the reference's (a 3×3 conv to one
channel, then an MLP with 32 hidden) on the paper Fashion-MNIST preset at a short schedule, test-set clustering.

    OMP_WAIT_POLICY=PASSIVE python benchmarks/router_compare.py --router full --seed 0 --schedule 1 1 0 1 --out OUT
    OMP_WAIT_POLICY=PASSIVE python benchmarks/router_compare.py --router reference --seed 0 --schedule 1 1 0 1 --out OUT
    python benchmarks/router_compare.py --table OUT          # markdown table of every JSON in OUT

One run per call (one thread), so two calls share two cores. Each writes OUT/{router}_s{seed}_e{schedule}.json with
NMI / ARI / ACC / dendrogram purity / leaf purity of the grown tree on the test set and the minutes it took.
"""
import argparse, json, time
from dataclasses import replace
from pathlib import Path
from treediffusion.record import record_script, stamp


def run(a):
    import torch
    from treediffusion.config import load_config, preset_path
    from treediffusion.fit import fit_tree
    torch.set_num_threads(1)
    cfg = load_config(preset_path("fashion-mnist"))
    e0, e1, e2, e3 = a.schedule
    g = replace(cfg.growth, epochs=e0, epochs_smalltree=e1, epochs_intermediate=e2, epochs_finetune=e3)
    tv = replace(cfg.treevae, router=a.router, router_hidden=32 if a.router == "reference" else 128)   # the two routers compared
    cfg = replace(cfg, seed=a.seed, growth=g, treevae=tv, data=replace(cfg.data, root=a.data_root))
    tag = f"{a.router}_s{a.seed}_e{'-'.join(map(str, a.schedule))}"
    t0 = time.time()
    _, m = fit_tree(cfg, Path(a.out) / tag, baselines=False, log=print)
    res = dict(router=a.router, router_hidden=tv.router_hidden, seed=a.seed, schedule=a.schedule, minutes=round((time.time() - t0) / 60, 1),
               **{k: m[k] for k in ("nmi", "ari", "acc", "dendrogram_purity", "leaf_purity", "n_leaves")})
    (Path(a.out) / f"{tag}.json").write_text(json.dumps(stamp(res), indent=1)); print(res)


def table(out):
    rows = [json.loads(p.read_text()) for p in sorted(Path(out).glob("*.json"))]
    L = ["| router | seed | schedule | NMI | ARI | ACC | DP | LP | leaves | minutes |", "|---|---|---|---|---|---|---|---|---|---|"]
    L += [f"| {r['router']} ({r['router_hidden']}) | {r['seed']} | {'/'.join(map(str, r['schedule']))} | {r['nmi']:.3f} | {r['ari']:.3f} | "
          f"{r['acc']:.3f} | {r['dendrogram_purity']:.3f} | {r['leaf_purity']:.3f} | {r['n_leaves']} | {r['minutes']} |" for r in rows]
    print("\n".join(L))


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--router", choices=["full", "reference"], default="full")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--schedule", type=int, nargs=4, default=[1, 1, 0, 1], help="epochs: initial, small tree, intermediate, finetune")
    ap.add_argument("--data-root", default="data")
    ap.add_argument("--out", default="runs/router_compare")
    ap.add_argument("--table", help="print the table of a results folder and exit")
    a = ap.parse_args()
    record_script(a.out)                      # run.json beside the results: commit, config, machine load
    table(a.table) if a.table else run(a)
