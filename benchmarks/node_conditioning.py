"""Conditioning on internal nodes: per node of the tree, the class mix of its generations against the real test images under it.

For a model trained with `diffusion.prefix_prob > 0` (and, for comparison, a twin trained on full paths only), per node a
whose subtree holds ≥ 1 % of the test set:
  - real: the class histogram (shipped classifier) of the test images whose argmax leaf lies under a,
  - `prefix`: `--n` generations conditioned on the path root → a only (`sample(node=a, condition="prefix")`),
  - `leaf`: `--n` generations from leaves under a drawn from the prior, each conditioned on its full path (today's subtree mode),
  - the total-variation distance of each to the real histogram, and the noise floor of `--n` real images from under a;
  - beside it (`prefix_soft`, `leaf_soft`) the distance to a soft target: every test image weighted by q(a | x), its
    probability of passing through a (training conditions come from sampled, not argmax, paths); all histograms are stored.
Also draws every node's prefix generations into the tree (`nodes.png`).

    OMP_WAIT_POLICY=PASSIVE python benchmarks/node_conditioning.py --model runs/prefix/model --twin runs/prefix/twin --out DIR
    OMP_WAIT_POLICY=PASSIVE python benchmarks/node_conditioning.py --model runs/prefix/model --guidance 1 --guidance-kind parent --out DIR2
"""
import argparse, json, time
from pathlib import Path
from treediffusion.record import record_script, stamp


def node_rows(model, tv, clf, real_pred, real_leaf, n, seed, modes, n_classes=10, min_mass=0.01, leaf_probs=None, **kw):
    import numpy as np, torch
    from treediffusion.sampling import sample
    from treediffusion.classifier import predict_classes
    from treediffusion.specificity import total_variation, _class_hist
    rows, rng = [], np.random.default_rng(seed)
    for a in tv.tree.nodes:
        under = np.isin(real_leaf, tv.tree.subtree(a))
        if under.mean() < min_mass: continue
        real_h = _class_hist(real_pred[under], n_classes)
        floor = total_variation(_class_hist(real_pred[under][rng.choice(under.sum(), n, replace=False)], n_classes), real_h)
        row = dict(node=a, is_leaf=tv.tree.is_leaf(a), depth=int(np.log2(a + 1)), mass=float(under.mean()), noise_floor=float(floor),
                   real_hist=real_h.round(4).tolist())
        if leaf_probs is not None:        # soft target: every test image weighted by q(a | x), its probability of passing through a
            w = leaf_probs[:, np.isin(tv.tree.leaves, tv.tree.subtree(a))].sum(1)
            soft_h = np.bincount(np.asarray(real_pred, dtype=np.int64), weights=w, minlength=n_classes) / w.sum()
            row["real_hist_soft"] = soft_h.round(4).tolist()
        for m in modes:
            g = torch.Generator().manual_seed(seed)
            ims = sample(model, tv, n, g, node=a, condition=m, **kw)["images"]
            h = _class_hist(predict_classes(clf, ims.cpu()), n_classes)
            row[m] = float(total_variation(h, real_h)); row[f"{m}_hist"] = h.round(4).tolist()
            if leaf_probs is not None: row[f"{m}_soft"] = float(total_variation(h, soft_h))
        rows.append(row); print(row, flush=True)
    return rows


def run(a) -> dict:
    import numpy as np, torch
    from treediffusion.core import configure_cpu_runtime
    from treediffusion.data import dataset_from_config
    from treediffusion.diffusion import load_treediffusion
    from treediffusion.sampling import node_generations, node_figure
    from treediffusion.evaluation import get_classifier
    from treediffusion.treevae import predict_leaf_probs
    from treediffusion.classifier import predict_classes
    configure_cpu_runtime(); torch.set_num_threads(a.threads)
    out = Path(a.out); out.mkdir(parents=True, exist_ok=True)
    res = dict(n=a.n, steps=a.steps, seed=a.seed, guidance=a.guidance, guidance_kind=a.guidance_kind, models={})
    guide = dict(guidance=a.guidance, guidance_kind=a.guidance_kind) if a.guidance else {}
    for name, folder, modes in (("prefix", a.model, ("prefix", "leaf")), ("twin", a.twin, ("leaf",))):
        if folder is None: continue
        model, tv, cfg = load_treediffusion(folder)
        test = dataset_from_config(cfg.data, "test")
        clf = get_classifier(cfg, Path(cfg.data.root).parent / "runs" / "classifier")
        lp = predict_leaf_probs(tv, test.images).numpy()
        real_pred, real_leaf = predict_classes(clf, test.images), np.asarray(tv.tree.leaves)[lp.argmax(1)]   # = evaluation.real_leaves
        t0 = time.time()
        rows = node_rows(model, tv, clf, real_pred, real_leaf, a.n, a.seed, modes, leaf_probs=lp, steps=a.steps, **guide)
        res["models"][name] = dict(folder=str(folder), prefix_prob=cfg.diffusion.prefix_prob, rows=rows, seconds=round(time.time() - t0, 1))
        if name == "prefix":
            ims = node_generations(model, tv, 9, torch.Generator().manual_seed(a.seed), steps=a.steps)
            node_figure(ims, tv.tree, out / "nodes.png", title="generations conditioned on the path prefix to each node (9 per node)")
    (out / "node_conditioning.json").write_text(json.dumps(stamp(res), indent=1))
    if "prefix" in res["models"]: plot(res, out / "node_conditioning.png")
    return res


def plot(res: dict, path) -> None:
    "Bars per internal node: TV of prefix-conditioned vs leaf-mode generations, with the noise floor."
    import matplotlib; matplotlib.use("Agg")
    import matplotlib.pyplot as plt, numpy as np
    rows = [r for r in res["models"]["prefix"]["rows"] if not r["is_leaf"]]
    x = np.arange(len(rows)); fig, ax = plt.subplots(figsize=(1.2 * len(rows) + 1.5, 2.8))
    ax.bar(x - 0.2, [r["leaf"] for r in rows], 0.4, label="leaf mode (full paths of leaves under the node)")
    ax.bar(x + 0.2, [r["prefix"] for r in rows], 0.4, label="prefix (the path to the node only)")
    ax.scatter(x, [r["noise_floor"] for r in rows], color="k", marker="_", s=300, label=f"noise floor ({res['n']} real images)", zorder=3)
    ax.set_xticks(x, [f"node {r['node']}\n{r['mass']:.0%} of test" for r in rows], fontsize=7); ax.set_ylabel("TV to the node's real class mix", fontsize=8)
    ax.set_ylim(0, 1.5 * max(max(r["leaf"], r["prefix"]) for r in rows)); ax.legend(fontsize=7, loc="upper left"); fig.tight_layout(); fig.savefig(path, dpi=110); plt.close(fig)


if __name__ == "__main__":
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--model", default=None, help="model folder trained with diffusion.prefix_prob > 0")
    p.add_argument("--twin", default=None, help="the same recipe trained on full paths only (optional)")
    p.add_argument("--out", required=True)
    p.add_argument("--n", type=int, default=40, help="generations (and real images for the floor) per node and mode")
    p.add_argument("--steps", type=int, default=None, help="sampling steps (default: the model's)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--guidance", type=float, default=0.0, help="guidance weight w for every mode (0: none)")
    p.add_argument("--guidance-kind", default="unconditional", choices=["unconditional", "parent"],
                   help="guide away from the null condition or from the parent's prefix (hierarchical guidance)")
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--plot-only", action="store_true", help="redraw OUT/node_conditioning.png from OUT/node_conditioning.json")
    a = p.parse_args()
    record_script(a.out)                      # run.json beside the results: commit, config, machine load
    if a.plot_only: plot(json.loads((Path(a.out) / "node_conditioning.json").read_text()), Path(a.out) / "node_conditioning.png")
    else: run(a)

