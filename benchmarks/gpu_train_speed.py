"""`train_diffusion` itself on a GPU (issue 14, item 6, third call): images/s of the real training loop (accelerate,
EMA, clipping, checkpoint code) per paper preset, for `tree_pass_batches` 1 vs the preset's 8 and for
`mixed_precision` bf16 vs no (fp32; cudnn uses TF32 for convolutions by default) — one per process, since
accelerate keeps the first precision a process asks for.

    PYTHONPATH=. python benchmarks/gpu_train_speed.py --out train_speed.json

Each variant runs `train_diffusion` twice on synthetic uint8 images of the preset's shape with a TreeVAE split
breadth-first to 10 leaves: for `--short` and `--long` steps, and reports (long − short)·batch / (t_long − t_short),
which leaves out model construction, the first steps' warm-up and the final checkpoint.
"""
import argparse, json, tempfile, time
from dataclasses import replace
from pathlib import Path

import torch
from treediffusion.record import record_script, stamp


def sync():
    if torch.cuda.is_available(): torch.cuda.synchronize()


def run(cfg, tv, images, steps, out):
    from treediffusion.diffusion import train_diffusion
    c = replace(cfg, diffusion=replace(cfg.diffusion, max_steps=steps, checkpoint_every=10 ** 9, warmup_steps=10))
    sync(); t0 = time.perf_counter()
    train_diffusion(c, tv, images, out, resume=False, log=lambda s: None)
    sync(); return time.perf_counter() - t0


def main(a):
    from treediffusion.config import load_config, preset_path
    from treediffusion.tree import node_depth
    from treediffusion.treevae import TreeVAE
    dev = 'cuda' if torch.cuda.is_available() else 'cpu'
    res = dict(device=torch.cuda.get_device_name() if dev == 'cuda' else 'cpu', torch=torch.__version__, short=a.short, long=a.long, presets={})
    path = Path(a.out); path.parent.mkdir(parents=True, exist_ok=True)
    for name in a.presets:
        cfg = load_config(preset_path(name)); c = cfg.treevae
        torch.manual_seed(0)
        tv = TreeVAE(c).to(dev)
        while len(tv.tree.leaves) < cfg.growth.n_leaves: tv.split_leaf(min(tv.tree.leaves, key=node_depth))
        images = torch.randint(0, 256, (a.n_images, c.in_channels, c.image_size, c.image_size), dtype=torch.uint8)
        r = res["presets"][name] = dict(batch=cfg.diffusion.batch_size)
        with tempfile.TemporaryDirectory() as d:       # warm-up: CUDA context, cuDNN plans — else the first variant's rate is inflated
            run(replace(cfg, diffusion=replace(cfg.diffusion, mixed_precision=a.mixed_precision)), tv, images, a.short, Path(d) / "w")
        for k in a.k:
            mp = a.mixed_precision; label = f"k{k}_{mp}"
            cv = replace(cfg, diffusion=replace(cfg.diffusion, tree_pass_batches=k, mixed_precision=mp))
            try:
                with tempfile.TemporaryDirectory() as d:
                    ts, tl = run(cv, tv, images, a.short, Path(d) / "s"), run(cv, tv, images, a.long, Path(d) / "l")
                r[label] = round((a.long - a.short) * cfg.diffusion.batch_size / (tl - ts), 1)
            except Exception as e: r[label] = repr(e)[-300:]
            print(name, label, r[label], flush=True); path.write_text(json.dumps(stamp(res), indent=1))
    print(json.dumps(res["presets"], indent=1))


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--presets", nargs="+", default=["fashion-mnist", "cifar10", "celeba"])
    ap.add_argument("--short", type=int, default=10); ap.add_argument("--long", type=int, default=50)
    ap.add_argument("--k", type=int, nargs="+", default=[1, 8], help="tree_pass_batches values")
    ap.add_argument("--mixed-precision", default="bf16", help="one per process: accelerate keeps the first")
    ap.add_argument("--out", default="train_speed.json"); ap.add_argument("--n-images", type=int, default=4096)
    a = ap.parse_args(); record_script(a.out)
    main(a)
