"""Classifier-free guidance on trained runs: leaf fidelity, classifier FID and Table 2 entropy against the guidance weight w.

A model trained with `diffusion.cond_drop > 0` also knows the null condition, so at sampling time its noise estimate can be
pushed away from the unconditional one: ε̃ = (1 + w) ε(x, y_l) − w ε(x, ∅) (`treediffusion.ddim.guidance`). With `--kind parent`
(a model trained with `diffusion.prefix_prob > 0`) the reference is the parent's prefix instead of ∅ (hierarchical guidance). Larger w should
make each leaf's generations more leaf-specific (leaf fidelity down) at some cost in realism (FID up). Per run folder
(`treediffusion run --out`) and per w, on the run's own evaluation settings (sampler, steps, shipped classifier):
  - leaf fidelity: `eval.n_all_leaves` generations of p(x | l) per leaf with ≥ 1 % test mass (`leaf_generations`), the
    TV distance of their class histogram to the leaf's real one, test-mass weighted; beside it the noise floor;
  - classifier FID of `--n` generations from the prior (l ~ p(l | z)) against the test set, and the Table 2 entropy of the same;
  - replica rate: the share of those generations that copy a training image (`treediffusion.copies`, notebook 11e);
  - decoder agreement: the share of those generations the classifier puts in the same class as the TreeVAE decoder image of
    the same prior pass (the baseline sees that image; TreeDiffusion sees only the path's latents and node ids).
w = 0 repeats the run's own evaluation (same seed, same sampler), so it should match its `eval.json` up to device noise.

    python benchmarks/guidance.py --run runs/t2/seed0 --weights 0 0.5 1 2 4 --out runs/t2/seed0/guidance.json
    python benchmarks/guidance.py --run runs/t2/seed0 --weights 1 2 --interval 0 299 --out runs/t2/seed0/guidance-late.json   # late steps only
    python benchmarks/guidance.py --plot DIR/*.json --out DIR/guidance.png      # one picture from several runs' JSONs
"""
import argparse, json, time
from pathlib import Path
from treediffusion.record import record_script, stamp


def sweep(run_dir, weights, n: int, seed: int = 0, per_leaf: int | None = None, kind: str = "unconditional", device=None, log=print,
          interval: tuple | None = None) -> dict:
    import torch
    from treediffusion.data import dataset_from_config
    from treediffusion.evaluation import (load_run, batched, leaf_generations, leaf_fidelity_eval, real_leaves,
                                           table2_entropy, chosen_prob, replica_eval)
    from treediffusion.copies import replica_rate
    from treediffusion.report import variant_of
    from treediffusion.metrics import reference_stats, fid_from_images
    from treediffusion.classifier import ClassifierFeatures, predict_classes
    from treediffusion.sampling import sample
    t0 = time.time()
    if (Path(run_dir) / "diffusion.pt").is_file():                    # a model folder (pretrained/NAME, fit-diffusion --out)
        from treediffusion.diffusion import load_treediffusion
        from treediffusion.evaluation import get_classifier
        model, tv, cfg = load_treediffusion(run_dir, device=device); dev = next(model.parameters()).device
        model, tv = model.float().eval(), tv.float().eval()            # an exported model is stored in float16
        clf = get_classifier(cfg, Path(cfg.data.root).parent / "runs" / "classifier", log).to(dev)
    else: model, tv, cfg, dev, clf = load_run(run_dir, None, device, log)
    if clf is None: raise SystemExit(f"{cfg.data.name} has no class labels: leaf fidelity and classifier FID need them.")
    if kind == "parent" and model.cfg.prefix_prob <= 0 and any(weights):
        raise SystemExit(f"{run_dir}: trained with diffusion.prefix_prob = 0, so it never saw a parent's prefix; --kind parent needs prefix_prob > 0.")
    if kind == "unconditional" and model.cfg.cond_drop <= 0 and any(weights):
        raise SystemExit(f"{run_dir}: trained with diffusion.cond_drop = 0, so its null condition is untrained; guidance needs cond_drop > 0.")
    e = cfg.eval; kw = dict(steps=e.sample_steps, eta=e.eta, sampler=e.sampler, guidance_kind=kind, guidance_interval=interval)
    test = dataset_from_config(cfg.data, "test")
    feats = ClassifierFeatures(clf)
    ref = reference_stats(cfg.data.name, "test", feats, root=cfg.data.root, progress=False)
    real_pred, real_leaf = predict_classes(clf, test.images), real_leaves(tv, test.images)
    _, copies = replica_eval(cfg, test.images, {}, clf, seed)           # the copy detector over the training images (notebook 11e)
    kept = [l for l in tv.tree.leaves if (real_leaf == l).mean() >= e.fidelity_min_mass]
    K, per_leaf = clf.arch["n_classes"], per_leaf or e.n_all_leaves
    res = dict(run=str(run_dir), variant=variant_of(model.cfg), kind=kind, interval=list(interval) if interval else None, seed=seed, n=n, n_per_leaf=per_leaf,
               sampler=dict(name=e.sampler or model.cfg.sampler, steps=e.sample_steps or model.cfg.sample_steps),
               device=str(dev), rows=[])
    for w in weights:
        t1 = time.time()
        g = torch.Generator(device=dev).manual_seed(seed)
        lg = leaf_generations(model, tv, kept, per_leaf, g, guidance=w, **kw)
        lf = leaf_fidelity_eval(clf, lg, real_pred, real_leaf, e.fidelity_min_mass, seed)
        g = torch.Generator(device=dev).manual_seed(seed)
        gen = batched(lambda k, s: sample(model, tv, k, g, guidance=w, **kw), n)
        fid = fid_from_images(gen["images"].cpu(), ref, feats, progress=False, method="eigh")
        pred = predict_classes(clf, gen["images"].cpu())
        agree = float((pred == predict_classes(clf, gen["treevae"].cpu())).mean())   # same class as the decoder image of its own pass?
        t2 = table2_entropy(pred, gen["leaves"].cpu().numpy(), chosen_prob(gen, tv),
                            e.entropy_threshold, K, e.entropy_min_count)
        row = dict(w=float(w), leaf_fidelity=lf["TreeDiffusion"]["mean"], decoders=lf["TreeVAE"]["mean"], noise_floor=lf["noise_floor"],
                   fid_gen=float(fid), entropy=t2["mean"], decoder_agreement=agree, replica_rate=replica_rate(copies, gen["images"].cpu())["rate"],
                   seconds=round(time.time() - t1, 1))
        res["rows"].append(row); log(f"[guidance] {run_dir} w={w}: {json.dumps(row)}")
    res["seconds"] = round(time.time() - t0, 1)
    return res


STYLES = {("TreeDiffusion", "unconditional"): dict(color="tab:blue", ls="-", label="TreeDiffusion, classifier-free"),
          ("TreeDiffusion", "parent"): dict(color="tab:green", ls="-", label="TreeDiffusion, hierarchical (parent)"),
          ("baseline", "unconditional"): dict(color="tab:orange", ls="--", label="TreeVAE + Diffusion (baseline), classifier-free")}


def plot(results: list, out, title: str = "Guidance: one line per model") -> None:
    import matplotlib; matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.lines import Line2D
    fig, ax = plt.subplots(1, 3, figsize=(13, 3.8)); seen = {}
    for r in results:
        key = ("TreeDiffusion" if r["variant"].startswith("TreeDiffusion") else "baseline", r.get("kind", "unconditional"))
        st = STYLES.get(key, dict(color="tab:gray", ls=":", label=f"{key[0]}, {key[1]}")); seen[key] = st
        ws = [x["w"] for x in r["rows"]]
        for a, k in zip(ax, ("leaf_fidelity", "fid_gen", "entropy")):
            a.plot(ws, [x[k] for x in r["rows"]], marker="o", ms=4, alpha=0.8, color=st["color"], ls=st["ls"])
    floor = results[0]["rows"][0]["noise_floor"]; dec = results[0]["rows"][0]["decoders"]
    ax[0].axhline(floor, color="k", lw=0.8, ls=":"); ax[0].text(0, floor, " noise floor", va="bottom", fontsize=8)
    ax[0].axhline(dec, color="tab:gray", lw=0.8, ls="-."); ax[0].text(0, dec, " TreeVAE decoders", va="bottom", fontsize=8)
    for a, t in zip(ax, ("leaf fidelity (TV, lower is better)", "classifier FID of generations", "mean leaf entropy (Table 2)")):
        a.set_xlabel("guidance weight w"); a.set_title(t, fontsize=10)
    ax[0].legend([Line2D([], [], color=st["color"], ls=st["ls"]) for st in seen.values()], [st["label"] for st in seen.values()],
                 fontsize=8, loc="center right")
    fig.suptitle(title, fontsize=11)
    fig.tight_layout(); fig.savefig(out, dpi=110); plt.close(fig)


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--run", help="a run folder (with diffusion/ and its tree) or a model folder (pretrained/NAME)")
    ap.add_argument("--weights", type=float, nargs="+", default=[0.0, 0.5, 1.0, 2.0, 4.0])
    ap.add_argument("--n", type=int, default=None, help="generations for FID and entropy (default: the run's eval.n_samples)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--per-leaf", type=int, default=None, help="generations per leaf for leaf fidelity (default: the run's eval.n_all_leaves)")
    ap.add_argument("--kind", default="unconditional", choices=["unconditional", "parent"],
                    help="guide away from the null condition (classifier-free) or from the parent's prefix (hierarchical; prefix-trained models)")
    ap.add_argument("--interval", type=int, nargs=2, metavar=("LO", "HI"), help="guide only at timesteps LO ≤ t ≤ HI (default: every step)")
    ap.add_argument("--plot", nargs="+", help="JSONs written earlier: draw them into --out (a PNG) and exit")
    ap.add_argument("--title", default="Guidance: one line per model", help="with --plot: the picture's title")
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    record_script(a.out)                      # run.json beside the results: commit, config, machine load
    if a.plot:
        plot([json.loads(Path(p).read_text()) for p in a.plot], a.out, a.title)
    else:
        if not a.run: ap.error("give --run RUN_DIR (or --plot JSON...)")
        from treediffusion.core import configure_cpu_runtime
        configure_cpu_runtime()
        if a.n is None:
            from treediffusion.config import load_config
            a.n = load_config(Path(a.run) / "config.yml").eval.n_samples   # a run's and a model folder's config.yml alike
        r = sweep(a.run, a.weights, a.n, a.seed, a.per_leaf, a.kind, interval=tuple(a.interval) if a.interval else None)
        Path(a.out).parent.mkdir(parents=True, exist_ok=True); Path(a.out).write_text(json.dumps(stamp(r) if isinstance(r, dict) else r, indent=1))
