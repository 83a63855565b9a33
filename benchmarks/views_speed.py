"""Issue 14: the contrastive presets' two views, batched (`augment.two_views`) against the per-image torchvision
pipeline it replaced (the peer, defined below with the same recipes), in the same run, images/s and their ratio.

    OMP_NUM_THREADS=1 python benchmarks/views_speed.py --out nbs/images/results/benchmarks/views/views_speed.json

Each timing is the median of 5 rounds of one call on a batch of 256 images (both views of the first 128), after one
warm-up call. On CUDA (when present) the batch lives on the GPU for ours; torchvision's pipeline runs image by image
wherever the batch is.
"""
import argparse, json, statistics, time
from pathlib import Path

import torch
from treediffusion.record import record_script, stamp


def torchvision_views(kind: str):
    "The peer: the per-image torchvision Compose that `two_views` ran before it was batched."
    import torchvision.transforms.v2 as T
    def f(x, s=None):
        s = x.shape[-1]
        if kind == "celeba":
            aug = T.Compose([T.RandomResizedCrop(s, scale=(0.75, 1.0), ratio=(0.8, 1.25), antialias=True), T.RandomHorizontalFlip(),
                             T.RandomApply([T.ColorJitter(0.2, 0.2, 0.2)], p=0.8)])
        else:
            aug = T.Compose([T.RandomResizedCrop(s, scale=(0.2, 1.0), antialias=True), T.RandomHorizontalFlip(),
                             T.RandomApply([T.ColorJitter(0.4, 0.4, 0.4, 0.1)], p=0.8), T.RandomGrayscale(0.2)])
        x = x[: len(x) // 2]
        return torch.cat([torch.stack([aug(im) for im in x]) for _ in range(2)]).clamp(0, 1)
    return f


def sync(dev):
    if dev.type == "cuda": torch.cuda.synchronize()


def img_s(f, x, rounds=5):
    f(x); sync(x.device); ts = []
    for _ in range(rounds):
        t0 = time.perf_counter(); f(x); sync(x.device); ts.append(time.perf_counter() - t0)
    return len(x) / statistics.median(ts)


def main(a):
    from functools import partial
    from treediffusion.augment import two_views
    torch.manual_seed(0)
    devs = [torch.device("cpu")] + ([torch.device("cuda")] if torch.cuda.is_available() else [])
    rows = []
    for dev in devs:
        for kind, size in (("color", 32), ("color", 64), ("celeba", 64)):
            x = torch.rand(a.batch, 3, size, size, device=dev)
            ours, peer = img_s(partial(two_views, kind=kind), x), img_s(torchvision_views(kind), x)
            rows.append(dict(device=str(dev), kind=kind, size=size, batch=a.batch, batched_img_s=round(ours, 1),
                             torchvision_img_s=round(peer, 1), speedup=round(ours / peer, 2)))
            print(rows[-1], flush=True)
    res = dict(threads=torch.get_num_threads(), torch=torch.__version__, rows=rows)
    if a.out: Path(a.out).parent.mkdir(parents=True, exist_ok=True); Path(a.out).write_text(json.dumps(stamp(res), indent=1))


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--batch", type=int, default=256)
    ap.add_argument("--out", default=None)
    a = ap.parse_args()
    if a.out: record_script(a.out)                # run.json beside the results (none when it only prints)
    main(a)
