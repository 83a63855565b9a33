"""Issue 15, item 5: the final prune on a grown tree. Takes a finished growth folder (its `treevae.pt` and
`config.yml`), runs what `grow_tree` runs after the finetune when `growth.final_prune_threshold > 0` — `final_prune`,
then `epochs_refinetune` full-tree epochs at the finetune's last KL weight (`refinetune_schedule`) — and reports the
test-set clustering and leaf sizes before and after.

    OMP_NUM_THREADS=1 python benchmarks/final_prune.py --tree runs/fm/tree --threshold 0.005 --epochs 2 --out OUT.json
"""
import argparse, json, time
from dataclasses import replace
from pathlib import Path

import torch
from treediffusion.record import record_script, stamp


def main(a):
    from treediffusion.config import load_config
    from treediffusion.data import dataset_from_config
    from treediffusion.fit import evaluate_tree
    from treediffusion.growth import final_prune, refinetune_schedule, step_batch, train_phase
    from treediffusion.treevae import predict_leaf_probs
    from treediffusion.treevae import load_treevae
    torch.set_num_threads(1)
    cfg = load_config(Path(a.tree) / "config.yml")
    cfg = replace(cfg, growth=replace(cfg.growth, final_prune_threshold=a.threshold, epochs_refinetune=a.epochs))
    train, test = dataset_from_config(cfg.data, "train"), dataset_from_config(cfg.data, "test")
    model = load_treevae(Path(a.tree) / "treevae.pt")
    sizes = lambda: dict(zip(map(str, model.tree.leaves), torch.bincount(predict_leaf_probs(model, test.images).argmax(1), minlength=len(model.tree.leaves)).tolist()))
    before = dict(evaluate_tree(model, test.images, test.labels), test_leaf_sizes=sizes())
    print("before", before, flush=True)
    state, t0 = dict(history=[]), time.time()
    pruned = final_prune(model, train.images, cfg.growth, state)
    bs, views = step_batch(cfg)
    gen = torch.Generator().manual_seed(cfg.seed); torch.manual_seed(cfg.seed)
    hist = train_phase(model, train.images, lambda x, al: model(views(x), kl_weight=al).loss, list(model.parameters()), a.epochs,
                       refinetune_schedule(cfg.growth), bs, "refinetune", gen) if pruned else []
    after = dict(evaluate_tree(model, test.images, test.labels), test_leaf_sizes=sizes())
    print("after", after, flush=True)
    res = dict(tree=a.tree, threshold=a.threshold, epochs_refinetune=a.epochs, pruned=state["history"][0]["pruned"], refinetune_loss=hist,
               minutes=round((time.time() - t0) / 60, 1), before=before, after=after)
    if a.out: Path(a.out).parent.mkdir(parents=True, exist_ok=True); Path(a.out).write_text(json.dumps(stamp(res), indent=1))


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--tree", required=True, help="a finished growth folder (treevae.pt, config.yml)")
    ap.add_argument("--threshold", type=float, default=0.005)
    ap.add_argument("--epochs", type=int, default=2)
    ap.add_argument("--out", default=None)
    a = ap.parse_args()
    if a.out: record_script(a.out)                # run.json beside the results (none when it only prints)
    main(a)
