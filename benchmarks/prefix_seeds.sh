#!/usr/bin/env bash
# Issue 16, item 3: does prefix training cost full-path generation quality? Three seeds of the demo recipe on the demo
# tree with diffusion.prefix_prob 0.3 and three without (the seed-0 pair is runs/prefix/{model,twin}, trained earlier with
# the same recipe), each scored with benchmarks/guidance.py at w = 0: classifier FID of 1,000 generations from the prior,
# leaf fidelity (eval.n_all_leaves per leaf) and Table 2 entropy. One thread; ≈ 15 min per training on a quiet core.
#   bash benchmarks/prefix_seeds.sh runs/prefix3
set -euo pipefail
OUT=${1:-runs/prefix3}; mkdir -p "$OUT"
export OMP_NUM_THREADS=1 OMP_WAIT_POLICY=PASSIVE MALLOC_MMAP_THRESHOLD_=33554432 MALLOC_TRIM_THRESHOLD_=17179869184
PY=${PY:-.venv/bin/python}; TD=${TD:-.venv/bin/treediffusion}
sed 's/^  signal: path$/  signal: path\n  prefix_prob: 0.3/' configs/demo.yml > "$OUT/prefix.yml"
cp configs/demo.yml "$OUT/twin.yml"
for kind in prefix twin; do
  [ -e "$OUT/${kind}_s0/diffusion" ] || { mkdir -p "$OUT/${kind}_s0"; ln -s "$PWD/runs/prefix/$([ $kind = prefix ] && echo model || echo twin)" "$OUT/${kind}_s0/diffusion"; }
done
for seed in 1 2; do
  for kind in prefix twin; do
    d="$OUT/${kind}_s$seed"; [ -f "$d/diffusion/diffusion.pt" ] && [ -f "$d/diffusion/train.json" ] && continue
    sed "s/^seed: 0/seed: $seed/; s/^seeds: \[0\]/seeds: [$seed]/" "$OUT/$kind.yml" > "$OUT/${kind}_s$seed.yml"
    /usr/bin/time -f "%e s" $TD fit-diffusion --tree runs/demo-tree --config "$OUT/${kind}_s$seed.yml" --out "$d/diffusion" > "$d.log" 2>&1
  done
done
for seed in 0 1 2; do
  for kind in prefix twin; do
    [ -f "$OUT/${kind}_s$seed.json" ] || $PY benchmarks/guidance.py --run "$OUT/${kind}_s$seed" --weights 0 --n 1000 --out "$OUT/${kind}_s$seed.json" > "$OUT/${kind}_s$seed.eval.log" 2>&1
  done
done
