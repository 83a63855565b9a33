"""Sampler study: classifier FID, leaf fidelity and images/s against the number of network evaluations, per sampler.

One trained model folder, one frozen TreeVAE, the same prior passes and starting noise for every setting:
  - classifier FID of `--n` generations (z ~ prior, leaf ~ p(l|z)) against the test set (shipped classifier),
  - leaf fidelity (notebook 11) of `--n-per-leaf` generations per leaf from p(x | leaf),
  - images per second of the generation (network evaluations dominate),
for DDIM (ours; η from the model's config), DPM-Solver++ 2M, its SDE variant and UniPC (diffusers, through
`DiffusersSampler`) at each `--nfe`, plus the reference implementation's sampler (DDIM, quad grid, 100 steps).

    OMP_WAIT_POLICY=PASSIVE python benchmarks/samplers.py --model runs/demo/diffusion --out runs/samplers

Writes OUT/samplers.json after every setting (a rerun skips the settings already there), then OUT/samplers.png.
The images/s of a row come from its 1,000 generations, at whatever else the machine ran then; `--timing K` adds a clean
ratio: the model's own sampler and the reference's generate K images in turn, `--timing-reps` times, the fastest of each
kept (`timing` in the JSON: seconds per image of both and their ratio, measured side by side in one process).
"""
import argparse, json, time
from pathlib import Path
from treediffusion.record import record_script, stamp

SAMPLER_NAMES = ["ddim", "dpmsolver++", "sde-dpmsolver++", "unipc"]


def settings(a) -> list:
    s = [dict(sampler=n, steps=k, spacing="uniform") for n in a.samplers for k in a.nfe]
    return s + ([dict(sampler="ddim", steps=100, spacing="quad", eta=0.0)] if a.reference else [])   # the reference samples DDIM η = 0


def run(a) -> dict:
    import torch
    from treediffusion.core import configure_cpu_runtime
    from treediffusion.data import dataset_from_config
    from treediffusion.diffusion import load_treediffusion
    from treediffusion.sampling import sample
    from treediffusion.evaluation import get_classifier, real_leaves, leaf_fidelity_eval, leaf_generations, batched
    from treediffusion.metrics import reference_stats, fid_from_images
    from treediffusion.classifier import ClassifierFeatures, predict_classes
    configure_cpu_runtime(); torch.set_num_threads(a.threads)
    model, tv, cfg = load_treediffusion(a.model)
    model, tv = model.float().eval(), tv.float().eval()
    d = cfg.diffusion; own = dict(sampler=d.sampler, steps=d.sample_steps, eta=d.eta, spacing=d.spacing)   # before the loop sets model.cfg's spacing
    out = Path(a.out); out.mkdir(parents=True, exist_ok=True); path = out / "samplers.json"
    res = json.loads(path.read_text()) if path.exists() else dict(model=str(a.model), n=a.n, n_per_leaf=a.n_per_leaf, threads=a.threads, rows=[])
    test = dataset_from_config(cfg.data, "test")
    clf = get_classifier(cfg, Path(cfg.data.root).parent / "runs" / "classifier")
    feats = ClassifierFeatures(clf); ref = reference_stats(cfg.data.name, "test", feats, root=cfg.data.root, progress=False)
    fid = lambda ims: fid_from_images(ims.cpu(), ref, feats, progress=False, method="eigh")
    real_pred, real_leaf = predict_classes(clf, test.images), real_leaves(tv, test.images)
    kept = [l for l in tv.tree.leaves if (real_leaf == l).mean() >= cfg.eval.fidelity_min_mass]
    done = {(r["sampler"], r["steps"], r["spacing"]) for r in res["rows"]}
    for st in settings(a):
        if (st["sampler"], st["steps"], st["spacing"]) in done: continue
        model.cfg.spacing = st["spacing"]
        eta = st.get("eta", cfg.diffusion.eta)                        # the preset's η, except for the reference's own sampler
        kw = dict(sampler=st["sampler"], steps=st["steps"], eta=eta)
        g = torch.Generator().manual_seed(a.seed)                      # same passes and noise for every setting
        t0 = time.time(); gen = batched(lambda k, s: sample(model, tv, k, g, **kw), a.n); gen_s = time.time() - t0
        lf = leaf_fidelity_eval(clf, leaf_generations(model, tv, kept, a.n_per_leaf, g, **kw), real_pred, real_leaf, cfg.eval.fidelity_min_mass, a.seed)
        row = dict(st, eta=eta if st["sampler"] == "ddim" else None, fid_gen=fid(gen["images"]),
                   leaf_fidelity=lf["TreeDiffusion"]["mean"], images_per_s=round(a.n / gen_s, 1), gen_s=round(gen_s, 1),
                   treevae_fid_gen=fid(gen["treevae"]), treevae_leaf_fidelity=lf["TreeVAE"]["mean"], noise_floor=lf["noise_floor"])
        res["rows"].append(row); print(row, flush=True)
        path.write_text(json.dumps(stamp(res), indent=1))
    if a.timing and a.reference and "timing" not in res:
        res["timing"] = timing(model, tv, own, a.timing, a.timing_reps, a.seed)
        print("timing:", res["timing"], flush=True); path.write_text(json.dumps(stamp(res), indent=1))
    return res


def timing(model, tv, ours: dict, k: int, reps: int, seed: int) -> dict:
    "Seconds per image of the model's own sampler `ours` (sampler, steps, eta, spacing) and of the reference's (DDIM η = 0, quad, 100 steps): K images each, in turn, REPS times; the fastest rep of each."
    import torch
    from treediffusion.sampling import sample
    ref = dict(sampler="ddim", steps=100, eta=0.0, spacing="quad")
    best = {"ours": float("inf"), "reference": float("inf")}
    for st in (ours, ref):                                              # warm-up: the first call builds schedules and caches
        model.cfg.spacing = st["spacing"]; sample(model, tv, 2, torch.Generator().manual_seed(seed), sampler=st["sampler"], steps=st["steps"], eta=st["eta"])
    for _ in range(reps):
        for name, st in (("ours", ours), ("reference", ref)):          # in turn, so a change in the machine's load hits both
            model.cfg.spacing = st["spacing"]; g = torch.Generator().manual_seed(seed); t0 = time.perf_counter()
            sample(model, tv, k, g, sampler=st["sampler"], steps=st["steps"], eta=st["eta"])
            best[name] = min(best[name], (time.perf_counter() - t0) / k)
    return dict(ours=ours, reference=ref, images=k, reps=reps, threads=torch.get_num_threads(),
                s_per_image=dict(ours=round(best["ours"], 4), reference=round(best["reference"], 4)),
                ratio=round(best["reference"] / best["ours"], 2))       # how many times longer the reference takes per image


def plot(out: Path) -> None:
    import matplotlib; matplotlib.use("Agg")
    import matplotlib.pyplot as plt, matplotlib.ticker
    res = json.loads((out / "samplers.json").read_text()); rows = res["rows"]
    fig, axs = plt.subplots(1, 3, figsize=(11, 3))
    for i, name in enumerate(SAMPLER_NAMES):
        rs = sorted((r for r in rows if r["sampler"] == name and r["spacing"] == "uniform"), key=lambda r: r["steps"])
        if not rs: continue
        lab = name + (f" (η = {rs[0]['eta']:g})" if name == "ddim" else "")
        for ax, k in zip(axs, ("fid_gen", "leaf_fidelity", "images_per_s")):
            ax.plot([r["steps"] for r in rs], [r[k] for r in rs], "o-", color=f"C{i}", label=lab)
    for r in rows:
        if r["spacing"] == "quad":
            for ax, k in zip(axs, ("fid_gen", "leaf_fidelity", "images_per_s")):
                ax.plot([r["steps"]], [r[k]], "k*", ms=9, label=f"reference: DDIM η = {r['eta']:g}, quad-100")
    axs[0].axhline(rows[0]["treevae_fid_gen"], color="tab:orange", ls="--", lw=1, label="TreeVAE decoders")
    axs[1].axhline(rows[0]["treevae_leaf_fidelity"], color="tab:orange", ls="--", lw=1, label="TreeVAE decoders")
    axs[1].axhline(rows[0]["noise_floor"], color="gray", ls=":", lw=1, label="noise floor (real images)")
    axs[0].set(xlabel="network evaluations", ylabel=f"classifier FID ({res['n']} generations)", xscale="log", yscale="log")
    axs[1].set(xlabel="network evaluations", ylabel=f"leaf fidelity, p(x | leaf), {res['n_per_leaf']}/leaf (TV)", xscale="log")
    axs[2].set(xlabel="network evaluations", ylabel=f"images / s ({res['threads']} threads)", xscale="log", yscale="log")
    nfes = sorted({r["steps"] for r in rows})
    for ax in axs:                      # plain NFE ticks: log-axis minor labels overlap
        ax.set_xticks(nfes); ax.set_xticklabels([str(k) for k in nfes]); ax.xaxis.set_minor_formatter(matplotlib.ticker.NullFormatter())
        ax.legend(fontsize=6); ax.grid(alpha=0.3)
    fig.tight_layout(); fig.savefig(out / "samplers.png", dpi=110); plt.close(fig)
    print("| sampler | steps | FID gen | leaf fidelity | images/s |\n|---|---|---|---|---|")
    for r in rows: print(f"| {r['sampler']}{' (quad)' if r['spacing'] == 'quad' else ''} | {r['steps']} | {r['fid_gen']:.2f} | {r['leaf_fidelity']:.3f} | {r['images_per_s']:.1f} |")
    print(f"TreeVAE decoders: FID {rows[0]['treevae_fid_gen']:.2f}, leaf fidelity {rows[0]['treevae_leaf_fidelity']:.3f}; noise floor {rows[0]['noise_floor']:.3f}")
    ref = next((r for r in rows if r["spacing"] == "quad"), None)
    if ref:                             # seconds per image of the cheapest setting at least as good as the reference's own sampler
        ok = sorted((r for r in rows if r["spacing"] == "uniform" and r["fid_gen"] <= ref["fid_gen"]), key=lambda r: -r["images_per_s"])
        if ok: print(f"fastest setting with FID ≤ the reference's ({ref['fid_gen']:.2f}): {ok[0]['sampler']} {ok[0]['steps']} steps, "
                      f"{ref['images_per_s'] / ok[0]['images_per_s']:.3f}× the reference's seconds per image")
        else: print(f"no setting reaches the reference sampler's FID {ref['fid_gen']:.2f}")
    if "timing" in res:
        t = res["timing"]
        print(f"side by side ({t['images']} images, fastest of {t['reps']}, {t['threads']} thread(s)): {t['ours']['sampler']} {t['ours']['steps']} steps "
              f"{t['s_per_image']['ours']:.3f} s/image, the reference's DDIM quad-100 {t['s_per_image']['reference']:.3f} s/image: {t['ratio']:g}× as long")


if __name__ == "__main__":
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--model", required=True, help="a model folder (treediffusion fit-diffusion / run's diffusion/ / pretrained/...)")
    p.add_argument("--out", default="runs/samplers")
    p.add_argument("--samplers", nargs="+", default=SAMPLER_NAMES, choices=SAMPLER_NAMES)
    p.add_argument("--nfe", nargs="+", type=int, default=[5, 10, 20, 50])
    p.add_argument("--no-reference", dest="reference", action="store_false", help="skip DDIM quad-100 (the reference implementation's sampler)")
    p.add_argument("--n", type=int, default=1000)
    p.add_argument("--n-per-leaf", type=int, default=30)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--timing", type=int, default=0, metavar="K", help="time the model's own sampler against the reference's on K images each, side by side")
    p.add_argument("--timing-reps", type=int, default=3)
    p.add_argument("--plot-only", action="store_true")
    a = p.parse_args()
    record_script(a.out)                      # run.json beside the results: commit, config, machine load
    if not a.plot_only: run(a)
    plot(Path(a.out))
