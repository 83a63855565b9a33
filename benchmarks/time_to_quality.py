"""Time to quality of the diffusion stage: classifier FID and leaf fidelity against training seconds, per recipe.

Every recipe trains the same U-Net (same config, same seed, same frozen TreeVAE, same data order) and is
evaluated at the same step milestones with the same sampler and the same evaluation classifier:
  - classifier FID of `--n-fid` generations (z ~ prior, leaf ~ p(l|z)) against the test set,
  - leaf fidelity (notebook 11): `--n-per-leaf` generations per leaf vs the leaf's real test images, both from
    p(x | leaf) (prior passes routed to the leaf) and with the leaf forced (the all-leaves grid),
and, once, the TreeVAE decoders' FID and leaf fidelity on the same passes and the noise floor, for reference.
Recipes run as parallel one-thread processes (one per core), so both see the same machine at the same time.

    OMP_WAIT_POLICY=PASSIVE python benchmarks/time_to_quality.py --config configs/demo.yml --tree runs/demo/tree \
        --out runs/ttq --milestones 250 500 1000 1500

Writes OUT/{recipe}.json while it runs (a rerun resumes each recipe from its checkpoint), then OUT/time_to_quality.json
and OUT/time_to_quality.png (three panels: FID and both leaf fidelities vs training seconds).
"""
import argparse, json, os, subprocess, sys, time
from pathlib import Path
from treediffusion.record import record_script, stamp

RECIPES = {   # name -> diffusion-config overrides on top of --config (the rest of the config is shared)
    "paper": {"loss_weight": "uniform", "lr": 5e-4},                       # the paper's simple ε-loss, the CPU preset's rate
    "min-snr": {"loss_weight": "min_snr", "snr_gamma": 5.0, "lr": 5e-4},   # + min-SNR-5 weighting (Hang et al. 2023)
    "fast": {"loss_weight": "min_snr", "snr_gamma": 5.0, "lr": 1e-3},      # + twice the learning rate: the demo's recipe
    "fast-lr4x": {"loss_weight": "min_snr", "snr_gamma": 5.0, "lr": 2e-3},
    "fast-c24": {"loss_weight": "min_snr", "snr_gamma": 5.0, "lr": 1e-3, "unet.base_channels": 24},   # narrower U-Net, more steps per second
}


def recipe_cfg(config: str, recipe: str):
    from treediffusion.config import load_config
    cfg = load_config(config)
    for k, v in RECIPES[recipe].items():
        obj, name = (cfg.diffusion.unet, k[5:]) if k.startswith("unet.") else (cfg.diffusion, k)
        setattr(obj, name, v)
    return cfg


def run_recipe(a) -> None:
    "Train one recipe milestone by milestone (resuming), evaluating after each; append rows to OUT/{recipe}.json."
    import torch
    from treediffusion.core import configure_cpu_runtime
    from treediffusion.data import dataset_from_config
    from treediffusion.diffusion import train_diffusion
    from treediffusion.sampling import sample, sample_all_leaves
    from treediffusion.evaluation import get_classifier, real_leaves, leaf_fidelity_eval, leaf_generations, grid_generations, batched
    from treediffusion.metrics import reference_stats, fid_from_images
    from treediffusion.classifier import ClassifierFeatures, predict_classes
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
    kept = [l for l in tv.tree.leaves if (real_leaf == l).mean() >= cfg.eval.fidelity_min_mass]
    train_s = rows[-1]["train_s"] if rows else 0.0
    for m in a.milestones:
        if any(r["step"] == m for r in rows): continue
        cfg.diffusion.max_steps = m
        t0 = time.time(); _, ema = train_diffusion(cfg, tv, train, out / a.recipe, log=lambda s: None); train_s += time.time() - t0
        model = ema.module.eval(); t1 = time.time()
        g = torch.Generator().manual_seed(0)
        gen = batched(lambda k, s: sample(model, tv, k, g), a.n_fid)
        al = batched(lambda k, s: sample_all_leaves(model, tv, k, g), a.n_per_leaf, bs=max(1, 500 // len(tv.tree.leaves)))
        lf = leaf_fidelity_eval(clf, leaf_generations(model, tv, kept, a.n_per_leaf, g), real_pred, real_leaf, cfg.eval.fidelity_min_mass)
        ff = leaf_fidelity_eval(clf, grid_generations(al), real_pred, real_leaf, cfg.eval.fidelity_min_mass)
        row = dict(step=m, train_s=round(train_s, 1), fid_gen=fid(gen["images"]), leaf_fidelity=lf["TreeDiffusion"]["mean"],
                   leaf_fidelity_forced=ff["TreeDiffusion"]["mean"], treevae_fid_gen=fid(gen["treevae"]),
                   treevae_leaf_fidelity=lf["TreeVAE"]["mean"], treevae_leaf_fidelity_forced=ff["TreeVAE"]["mean"],
                   noise_floor=lf["noise_floor"], eval_s=round(time.time() - t1, 1))
        rows.append(row); print(a.recipe, row, flush=True)
        path.write_text(json.dumps(stamp(dict(recipe=a.recipe, overrides=RECIPES[a.recipe], threads=a.threads, rows=rows)), indent=1))


def plot(out: Path, recipes: list) -> None:
    import matplotlib; matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    res = {r: json.loads((out / f"{r}.json").read_text()) for r in recipes if (out / f"{r}.json").exists()}
    fig, axs = plt.subplots(1, 3, figsize=(11, 3))
    for i, (r, d) in enumerate(res.items()):
        x, col = [row["train_s"] for row in d["rows"]], f"C{i}"
        for ax, k in zip(axs, ("fid_gen", "leaf_fidelity", "leaf_fidelity_forced")):
            pts = [(xi, row[k]) for xi, row in zip(x, d["rows"]) if row.get(k) is not None]
            if pts: ax.plot(*zip(*pts), "o-", color=col, label=r)
    last = next(d["rows"][-1] for d in res.values() if d["rows"][-1].get("treevae_leaf_fidelity") is not None)
    for ax, k in zip(axs, ("treevae_fid_gen", "treevae_leaf_fidelity", "treevae_leaf_fidelity_forced")):
        ax.axhline(last[k], color="tab:orange", ls="--", lw=1, label="TreeVAE decoders")
    for ax in axs[1:]: ax.axhline(last["noise_floor"], color="gray", ls=":", lw=1, label="noise floor (real images)")
    axs[0].set(xlabel="training seconds (one thread)", ylabel="classifier FID (gen)", yscale="log")
    axs[1].set(xlabel="training seconds (one thread)", ylabel="leaf fidelity, p(x | leaf) (TV)")
    axs[2].set(xlabel="training seconds (one thread)", ylabel="leaf fidelity, leaf forced (TV)")
    for ax in axs: ax.legend(fontsize=6); ax.grid(alpha=0.3)
    fig.tight_layout(); fig.savefig(out / "time_to_quality.png", dpi=110); plt.close(fig)
    (out / "time_to_quality.json").write_text(json.dumps(stamp(res), indent=1))
    for r, d in res.items():
        print(f"\n{r} {d['overrides']}\n| step | train s | FID gen | leaf fidelity p(x|l) | leaf forced |\n|---|---|---|---|---|")
        f = lambda v: "–" if v is None else f"{v:.3f}"
        for row in d["rows"]: print(f"| {row['step']} | {row['train_s']:.0f} | {row['fid_gen']:.2f} | {f(row.get('leaf_fidelity'))} | {f(row.get('leaf_fidelity_forced'))} |")


if __name__ == "__main__":
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--config", default="configs/demo.yml")
    p.add_argument("--tree", required=True, help="a grown TreeVAE folder (treediffusion fit-tree)")
    p.add_argument("--out", default="runs/ttq")
    p.add_argument("--recipes", nargs="+", default=["paper", "fast"], choices=list(RECIPES))
    p.add_argument("--recipe", help=argparse.SUPPRESS)   # internal: run one recipe in this process
    p.add_argument("--milestones", nargs="+", type=int, default=[250, 500, 1000, 1500, 2000, 3000])
    p.add_argument("--n-fid", type=int, default=300)
    p.add_argument("--n-per-leaf", type=int, default=30)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--plot-only", action="store_true", help="only assemble OUT/*.json into the PNG and the summary")
    a = p.parse_args()
    record_script(a.out)                      # run.json beside the results: commit, config, machine load
    Path(a.out).mkdir(parents=True, exist_ok=True)
    if a.recipe: run_recipe(a); sys.exit()
    if a.plot_only: plot(Path(a.out), a.recipes); sys.exit()
    t0 = time.time()
    procs = [subprocess.Popen([sys.executable, __file__, *sys.argv[1:], "--recipe", r], env=os.environ | {"OMP_NUM_THREADS": str(a.threads)})
             for r in a.recipes]
    if any(pr.wait() for pr in procs): sys.exit("a recipe failed; rerun the same command to resume it")
    plot(Path(a.out), a.recipes)
    print(f"(timed in {time.time() - t0:.0f} s, {len(a.recipes)} recipes in parallel, {a.threads} thread(s) each)")
