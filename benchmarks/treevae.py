"""TreeVAE speed and memory on the CPU preset: train-step and inference images/s, peak memory, and the share of
forward+backward time per component (encoder + bottom-up, top-down latents, routers, decoders, losses).

Usage (2 cores; the env vars matter, see DEVELOPERS notes):
    OMP_WAIT_POLICY=PASSIVE .venv/bin/python benchmarks/treevae.py --config configs/fashion-mnist-cpu.yml --leaves 10
Peers measured in the same run: the conv `cnn1` variant (the TreeDiffusion paper architecture) and the vector-latent
variant with the compact MLP pair and no contrastive loss (the Fashion-MNIST preset before 2026-11-23).
A preset with `contrastive_weight > 0` trains on two augmented views of half the batch each step (as `grow_tree`
does), so its train step includes making the views; their cost is listed as its own part.
"""
import argparse, dataclasses, resource, time

import torch

from treediffusion.config import load_config, TreeVAEConfig
from treediffusion.core import configure_cpu_runtime
from treediffusion.augment import training_views
from treediffusion.tree import node_depth
from treediffusion.treevae import TreeVAE


def grown(cfg, n_leaves):
    "A TreeVAE split breadth-first until it has `n_leaves` leaves (the shape of a grown tree)."
    m = TreeVAE(cfg)
    while len(m.tree.leaves) < n_leaves:
        m.split_leaf(min(m.tree.leaves, key=node_depth))
    return m


def timed(f, n):
    for _ in range(2): f()
    t = time.perf_counter()
    for _ in range(n): f()
    return (time.perf_counter() - t) / n


def bench(cfg, n_leaves, bs, iters):
    m = grown(cfg, n_leaves); opt = torch.optim.Adam(m.parameters(), 1e-3)
    x = torch.rand(bs, cfg.in_channels, cfg.image_size, cfg.image_size).bernoulli()
    views = training_views(cfg)
    def step():
        loss = m(views(x), kl_weight=1.0).loss; opt.zero_grad(); loss.backward(); opt.step()
    m.train(); t_train = timed(step, iters)
    m.eval()
    with torch.inference_mode(): t_inf = timed(lambda: m.leaf_probs(x), iters); t_rec = timed(lambda: m.reconstruct(x), iters)
    # component shares of a training forward+backward: time each part's forward+backward on its own
    m.train(); K = cfg.max_depth
    def enc(): return m.bottom_up(x)
    def part_enc():
        d = enc(); sum(t.sum() for t in d).backward()
    d = [t.detach().requires_grad_() for t in enc()]
    def part_desc():
        z, probs, kl, kd = m._descend(d, with_kl=True); (sum(v.sum() for v in kl.values()) + sum(v.sum() for v in kd.values())).backward()
    zs = {n: torch.randn(bs, *m.latent_shape, requires_grad=True) for n in m.tree.nodes}
    def part_routers():
        s = sum(m.router_q[str(n)](d[K - node_depth(n)]).sum() + m.router_p[str(n)](zs[n]).sum() for n in m.tree.internal); s.backward()
    def part_dec():
        sum(m.decoder[str(l)](zs[l]).sum() for l in m.tree.leaves).backward()
    def part_loss():
        outs = [m.decoder[str(l)](zs[l]).detach().requires_grad_() for l in m.tree.leaves]
        t = time.perf_counter(); sum(m.nll(x, o).sum() for o in outs).backward(); return time.perf_counter() - t
    parts = {"encoder+bottom-up": timed(part_enc, iters), "top-down latents (incl. routers, KL)": timed(part_desc, iters),
             "routers alone": timed(part_routers, iters), "decoders": timed(part_dec, iters),
             "reconstruction loss": sum(part_loss() for _ in range(iters)) / iters}
    if cfg.contrastive_weight > 0: parts[f"augmented views ({cfg.contrastive_augment})"] = timed(lambda: views(x), iters)
    return dict(train=bs / t_train, infer=bs / t_inf, recon=bs / t_rec, t_train=t_train, parts=parts,
                params=sum(p.numel() for p in m.parameters()))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--config", default="configs/fashion-mnist-cpu.yml")
    ap.add_argument("--leaves", type=int, default=10)
    ap.add_argument("--batch", type=int, default=256)
    ap.add_argument("--iters", type=int, default=5)
    a = ap.parse_args()
    configure_cpu_runtime(); torch.manual_seed(0)
    cfg = load_config(a.config).treevae
    peer = TreeVAEConfig(arch="cnn1", image_size=cfg.image_size, in_channels=cfg.in_channels, max_depth=cfg.max_depth)
    old = dataclasses.replace(cfg, vector_io="compact", contrastive_weight=0.0)
    rss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    res = {}
    desc = f"{cfg.arch}, vector_io {cfg.vector_io}" + (f", contrastive {cfg.contrastive_weight:g} ({cfg.contrastive_augment})" if cfg.contrastive_weight > 0 else "")
    runs = [(f"preset ({desc})", cfg), ("peer: conv cnn1 (paper arch)", peer)]
    if cfg.arch == "mlp" and old != cfg: runs.append(("peer: mlp, compact pair, no contrastive (previous FMNIST preset)", old))
    for name, c in runs:
        res[name] = r = bench(c, a.leaves, a.batch, a.iters)
        print(f"\n== {name}: {r['params'] / 1e6:.2f}M params, {a.leaves} leaves, batch {a.batch}, {torch.get_num_threads()} threads")
        print(f"train step   {r['train']:8.0f} img/s")
        print(f"leaf probs   {r['infer']:8.0f} img/s   (π(x) only: encoder + inference routers)")
        print(f"reconstruct  {r['recon']:8.0f} img/s   (all leaves decoded)")
        tot = sum(v for k, v in r["parts"].items() if k != "routers alone")
        for k, v in r["parts"].items():
            print(f"  {k:<38} {v * 1e3:7.1f} ms  {100 * v / tot:5.1f}% of the summed parts" + ("  (part of top-down)" if k == "routers alone" else ""))
    print(f"\npeak RSS of the process: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB (start {rss0 / 1024:.0f} MiB)")
    (a1, r1), *peers = res.items()
    for a2, r2 in peers:
        print(f"ratio preset / {a2.removeprefix('peer: ')}: train {r1['train'] / r2['train']:.2f}x, "
              f"leaf probs {r1['infer'] / r2['infer']:.2f}x, reconstruct {r1['recon'] / r2['recon']:.2f}x")


if __name__ == "__main__":
    main()
