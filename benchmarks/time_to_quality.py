"""Time to quality of the diffusion stage: classifier FID and leaf fidelity against training seconds, per recipe.

Every recipe trains the same U-Net (same config, same seed, same frozen TreeVAE, same data order) and is
evaluated at the same step milestones with the same sampler and the same evaluation classifier:
  - classifier FID of `--n-fid` generations (z ~ prior, leaf ~ p(l|z)) against the test set,
  - leaf fidelity (notebook 11): `--n-per-leaf` forced-leaf generations per leaf vs the leaf's real test images,
and, once, the TreeVAE decoders' FID and leaf fidelity on the same passes and the noise floor, for reference.
Recipes run as parallel one-thread processes (one per core), so both see the same machine at the same time.

    OMP_WAIT_POLICY=PASSIVE python benchmarks/time_to_quality.py --config configs/demo.yml --tree runs/demo/tree \
        --out runs/ttq --milestones 250 500 1000 1500 2000 3000

Writes OUT/{recipe}.json while it runs (a rerun resumes each recipe from its checkpoint), then OUT/time_to_quality.json
and OUT/time_to_quality.png (two panels: FID and leaf fidelity vs training seconds).
"""
import argparse, json, os, subprocess, sys, time
from pathlib import Path

RECIPES = {   # name -> diffusion-config overrides on top of --config
    "paper": {},                                            # the paper's simple ε-loss, the config's learning rate
    "min-snr": {"loss_weight": "min_snr", "snr_gamma": 5.0},  # Hang et al. 2023
    "min-snr-lr2x": {"loss_weight": "min_snr", "snr_gamma": 5.0, "lr_scale": 2.0},
    "lr2x": {"lr_scale": 2.0},
}


def recipe_cfg(config: str, recipe: str):
    from treediffusion.config import load_config
    cfg = load_config(config)
    for k, v in RECIPES[recipe].items():
        if k == "lr_scale": cfg.diffusion.lr *= v
        else: setattr(cfg.diffusion, k, v)
    return cfg


def run_recipe(a) -> None:
    "Train one recipe milestone by milestone (resuming), evaluating after each; append rows to OUT/{recipe}.json."
    import torch
    from treediffusion.core import configure_cpu_runtime
    from treediffusion.data import dataset_from_config
    from treediffusion.diffusion import train_diffusion, sample, sample_all_leaves
    from treediffusion.experiments import get_classifier, real_leaves, leaf_fidelity_eval, _batched
    from treediffusion.metrics import ClassifierFeatures, reference_stats, fid_from_images, predict_classes
    from treediffusion.treevae import load_treevae
    configure_cpu_runtime(); torch.set_num_threads(a.threads)
    cfg = recipe_cfg(a.config, a.recipe); out = Path(a.out); path = out / f"{a.recipe}.json"
    rows = json.loads(path.read_text())["rows"] if path.exists() else []
    tv = load_treevae(Path(a.tree) / "treevae.pt").eval()
    train, test = dataset_from_config(cfg.data, "train").images, dataset_from_config(cfg.data, "test")
    clf = get_classifier(cfg, Path(cfg.data.root).parent / "runs" / "classifier")
    feats = ClassifierFeatures(clf); ref = reference_stats(cfg.data.name, "test", feats, root=cfg.data.root, progress=False)
    fid = lambda ims: fid_from_images(ims.cpu(), ref, feats, progress=False, method="eigh")
    real_pred, real_leaf = predict_classes(clf, test.images), real_leaves(tv, test.images)
    train_s = rows[-1]["train_s"] if rows else 0.0
    for m in a.milestones:
        if any(r["step"] == m for r in rows): continue
        cfg.diffusion.max_steps = m
        t0 = time.time(); _, ema = train_diffusion(cfg, tv, train, out / a.recipe, log=lambda s: None); train_s += time.time() - t0
        model = ema.module.eval(); t1 = time.time()
        g = torch.Generator().manual_seed(0)
        gen = _batched(lambda k, s: sample(model, tv, k, g), a.n_fid)
        al = _batched(lambda k, s: sample_all_leaves(model, tv, k, g), a.n_per_leaf, bs=max(1, 500 // len(tv.tree.leaves)))
        lf = leaf_fidelity_eval(clf, al, real_pred, real_leaf, cfg.eval.fidelity_min_mass)
        row = dict(step=m, train_s=round(train_s, 1), fid_gen=fid(gen["images"]), leaf_fidelity=lf["TreeDiffusion"]["mean"],
                   treevae_fid_gen=fid(gen["treevae"]), treevae_leaf_fidelity=lf["TreeVAE"]["mean"], noise_floor=lf["noise_floor"],
                   eval_s=round(time.time() - t1, 1))
        rows.append(row); print(a.recipe, row, flush=True)
        path.write_text(json.dumps(dict(recipe=a.recipe, overrides=RECIPES[a.recipe], threads=a.threads, rows=rows), indent=1))


def plot(out: Path, recipes: list) -> None:
    import matplotlib; matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    res = {r: json.loads((out / f"{r}.json").read_text()) for r in recipes if (out / f"{r}.json").exists()}
    fig, axs = plt.subplots(1, 2, figsize=(8, 3))
    for r, d in res.items():
        x = [row["train_s"] for row in d["rows"]]
        axs[0].plot(x, [row["fid_gen"] for row in d["rows"]], "o-", label=r)
        axs[1].plot(x, [row["leaf_fidelity"] for row in d["rows"]], "o-", label=r)
    any_rows = next(iter(res.values()))["rows"]
    axs[0].axhline(any_rows[-1]["treevae_fid_gen"], color="tab:orange", ls="--", lw=1, label="TreeVAE decoders")
    axs[1].axhline(any_rows[-1]["treevae_leaf_fidelity"], color="tab:orange", ls="--", lw=1, label="TreeVAE decoders")
    axs[1].axhline(any_rows[-1]["noise_floor"], color="gray", ls=":", lw=1, label="noise floor (real images)")
    axs[0].set(xlabel="training seconds (one thread)", ylabel="classifier FID (gen)", yscale="log")
    axs[1].set(xlabel="training seconds (one thread)", ylabel="leaf fidelity (TV, lower is better)")
    for ax in axs: ax.legend(fontsize=6); ax.grid(alpha=0.3)
    fig.tight_layout(); fig.savefig(out / "time_to_quality.png", dpi=110); plt.close(fig)
    (out / "time_to_quality.json").write_text(json.dumps(res, indent=1))
    for r, d in res.items():
        print(f"\n{r} {d['overrides']}\n| step | train s | FID gen | leaf fidelity |\n|---|---|---|---|")
        for row in d["rows"]: print(f"| {row['step']} | {row['train_s']:.0f} | {row['fid_gen']:.2f} | {row['leaf_fidelity']:.3f} |")


if __name__ == "__main__":
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--config", default="configs/demo.yml")
    p.add_argument("--tree", required=True, help="a grown TreeVAE folder (treediffusion fit-tree)")
    p.add_argument("--out", default="runs/ttq")
    p.add_argument("--recipes", nargs="+", default=["paper", "min-snr"], choices=list(RECIPES))
    p.add_argument("--recipe", help=argparse.SUPPRESS)   # internal: run one recipe in this process
    p.add_argument("--milestones", nargs="+", type=int, default=[250, 500, 1000, 1500, 2000, 3000])
    p.add_argument("--n-fid", type=int, default=300)
    p.add_argument("--n-per-leaf", type=int, default=30)
    p.add_argument("--threads", type=int, default=1)
    a = p.parse_args()
    Path(a.out).mkdir(parents=True, exist_ok=True)
    if a.recipe: run_recipe(a); sys.exit()
    t0 = time.time()
    procs = [subprocess.Popen([sys.executable, __file__, *sys.argv[1:], "--recipe", r], env=os.environ | {"OMP_NUM_THREADS": str(a.threads)})
             for r in a.recipes]
    if any(pr.wait() for pr in procs): sys.exit("a recipe failed; rerun the same command to resume it")
    plot(Path(a.out), a.recipes)
    print(f"(timed in {time.time() - t0:.0f} s, {len(a.recipes)} recipes in parallel, {a.threads} thread(s) each)")
