#!/bin/bash
# The Fashion-MNIST CPU preset's Table 1/2 runs (issue 12, item 6) and a classifier-free guidance sweep (issue 16), on one GPU:
# 3 TreeDiffusion seeds + 3 TreeVAE + Diffusion baseline seeds on the committed regrown tree, all six side by side, then
# benchmarks/guidance.py on each. Same configs as the CPU runs (configs/fashion-mnist-cpu.yml), only the device differs.
#   bash benchmarks/gpu_fmnist_cpu_seeds.sh OUT_DIR            # SMOKE=1: 20 steps, 40 images (checks the path on a CPU)
# Writes OUT_DIR/runs.tgz (the run folders without weights), OUT_DIR/guidance_*.json and OUT_DIR/log.txt.
set -u
OUTD=${1:?give an output folder}; mkdir -p "$OUTD"
R=runs/gpu-fm; mkdir -p $R
T=nbs/images/results/fashion-mnist-cpu-seeds/tree
PY=${PYTHON:-python3}
: "${STAGE_S:=330}" "${GUIDE_S:=150}"
export OMP_NUM_THREADS=2 OMP_WAIT_POLICY=PASSIVE MALLOC_MMAP_THRESHOLD_=33554432 MALLOC_TRIM_THRESHOLD_=17179869184 PYTHONUNBUFFERED=1
$PY - <<EOF
from treediffusion.config import load_config, save_config
from treediffusion.experiments import variant
import os
for s in (0, 1, 2):
    c = load_config("configs/fashion-mnist-cpu.yml"); c.seed = s
    if os.environ.get("SMOKE"): c.diffusion.max_steps, c.diffusion.checkpoint_every, c.eval.n_samples, c.eval.n_all_leaves = 20, 10, 40, 4
    save_config(c, "$R/seed%d.yml" % s)
    save_config(variant(c, "TreeVAE + Diffusion (recon)"), "$R/recon%d.yml" % s)
EOF
t0=$(date +%s)
for k in seed0 seed1 seed2 recon0 recon1 recon2; do
  ( /usr/bin/time -f "%e s wall, %M KB" timeout $STAGE_S $PY -c "import sys; from treediffusion.cli import main; sys.exit(main(sys.argv[1:]))" \
      run --tree $T --config $R/$k.yml --out $R/$k > $R/$k.log 2>&1; echo "$k rc=$? $(tail -1 $R/$k.log)" >> $OUTD/log.txt ) &
done
wait; echo "runs: $(( $(date +%s) - t0 )) s" >> $OUTD/log.txt
W="0 0.5 1 2 4"; [ -n "${SMOKE:-}" ] && W="0 2"
t0=$(date +%s)
for k in seed0 seed1 seed2 recon0 recon1 recon2; do
  [ -f $R/$k/eval.json ] || continue
  ( timeout $GUIDE_S $PY benchmarks/guidance.py --run $R/$k --weights $W --out $OUTD/guidance_$k.json > $R/$k.guidance.log 2>&1
    echo "guidance $k rc=$?" >> $OUTD/log.txt ) &
done
wait; echo "guidance: $(( $(date +%s) - t0 )) s" >> $OUTD/log.txt
ls $OUTD/guidance_*.json >/dev/null 2>&1 && tar czf $OUTD/guidance.tgz -C $OUTD $(cd $OUTD && ls guidance_*.json) && rm $OUTD/guidance_*.json
tar czf $OUTD/runs.tgz --exclude='*.pt' --exclude='*.safetensors' $R
cat $OUTD/log.txt
