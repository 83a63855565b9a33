#!/usr/bin/env bash
# Issue 16, item 3: does prefix training cost full-path generation quality, and does it condition internal nodes well?
# Three seeds of the demo recipe on the demo tree with diffusion.prefix_prob $PROB and three without (the twins), each
# scored with benchmarks/guidance.py at w = 0 (classifier FID of 1,000 generations from the prior, leaf fidelity with
# eval.n_all_leaves per leaf, Table 2 entropy); with NODES=1 each prefix model also goes through
# benchmarks/node_conditioning.py (200 per node and mode). One thread; ≈ 15 min per training on a quiet core.
#   bash benchmarks/prefix_seeds.sh runs/prefix3                                     # prefix_prob 0.3 (seed 0: runs/prefix)
#   PROB=0.5 TWINS=runs/prefix3 NODES=1 SEEDS="0 2" bash benchmarks/prefix_seeds.sh runs/prefix5 &   # two calls share
#   PROB=0.5 TWINS=runs/prefix3 NODES=1 SEEDS="1" bash benchmarks/prefix_seeds.sh runs/prefix5        # two cores
# TWINS=DIR reuses DIR's twins (trained and scored) instead of training new ones; STEPS=N trains N steps instead of the
# demo's 700 (the twins of TWINS keep theirs).
set -euo pipefail
OUT=${1:-runs/prefix3}; PROB=${PROB:-0.3}; SEEDS=${SEEDS:-0 1 2}; TWINS=${TWINS:-}; NODES=${NODES:-0}; STEPS=${STEPS:-}; mkdir -p "$OUT"
export OMP_NUM_THREADS=1 OMP_WAIT_POLICY=PASSIVE MALLOC_MMAP_THRESHOLD_=33554432 MALLOC_TRIM_THRESHOLD_=17179869184
PY=${PY:-.venv/bin/python}; TD=${TD:-.venv/bin/treediffusion}
sed "s/^  signal: path\$/  signal: path\n  prefix_prob: $PROB/" configs/demo.yml > "$OUT/prefix.yml"
cp configs/demo.yml "$OUT/twin.yml"
[ -z "$STEPS" ] || sed -i "s/^  max_steps: [0-9]*/  max_steps: $STEPS/" "$OUT/prefix.yml" "$OUT/twin.yml"
KINDS="prefix twin"
if [ -n "$TWINS" ]; then
  KINDS=prefix
  for seed in 0 1 2; do
    [ -e "$OUT/twin_s$seed" ] || ln -s "$(realpath "$TWINS/twin_s$seed")" "$OUT/twin_s$seed"
    [ -e "$OUT/twin_s$seed.json" ] || cp "$TWINS/twin_s$seed.json" "$OUT/twin_s$seed.json"
  done
fi
if [ "$PROB" = 0.3 ] && [ -z "$STEPS" ]; then   # the seed-0 pair of the first study, trained with this recipe before this script existed
  for kind in $KINDS; do
    [ -e "$OUT/${kind}_s0/diffusion" ] || { mkdir -p "$OUT/${kind}_s0"; ln -s "$PWD/runs/prefix/$([ $kind = prefix ] && echo model || echo twin)" "$OUT/${kind}_s0/diffusion"; }
  done
fi
for seed in $SEEDS; do
  for kind in $KINDS; do
    d="$OUT/${kind}_s$seed"
    if ! { [ -f "$d/diffusion/diffusion.pt" ] && [ -f "$d/diffusion/train.json" ]; }; then
      sed "s/^seed: 0/seed: $seed/; s/^seeds: \[0\]/seeds: [$seed]/" "$OUT/$kind.yml" > "$OUT/${kind}_s$seed.yml"
      /usr/bin/time -f "%e s" $TD fit-diffusion --tree runs/demo-tree --config "$OUT/${kind}_s$seed.yml" --out "$d/diffusion" > "$d.log" 2>&1
    fi
    [ -f "$OUT/${kind}_s$seed.json" ] || $PY benchmarks/guidance.py --run "$d" --weights 0 --n 1000 --out "$OUT/${kind}_s$seed.json" > "$d.eval.log" 2>&1
    if [ "$NODES" = 1 ] && [ $kind = prefix ] && [ ! -f "$OUT/nodes_s$seed/node_conditioning.json" ]; then
      /usr/bin/time -f "%e s" $PY benchmarks/node_conditioning.py --model "$d/diffusion" --n 200 --out "$OUT/nodes_s$seed" > "$OUT/nodes_s$seed.log" 2>&1
    fi
  done
done
