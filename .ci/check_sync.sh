#!/usr/bin/env bash
# Fails if notebooks are not clean (nbdev-clean would change them) or the package is out of sync with them
# (nbdev-export would change it). Works in a dirty checkout too: it compares the tree before and after.
set -euo pipefail
snap() { { git status --porcelain --untracked-files=all -- nbs treediffusion; git diff -- nbs treediffusion;
           git ls-files --others --exclude-standard -- nbs treediffusion | xargs -r cat; } | sha256sum; }
before=$(snap)
nbdev-clean
nbdev-export
after=$(snap)
if [ "$before" != "$after" ]; then
  echo "ERROR: nbdev-clean/nbdev-export changed files: notebooks are unclean or treediffusion/ is out of sync." >&2
  echo "Fix: run 'nbdev-clean && nbdev-export' and commit notebooks and modules together." >&2
  git status --porcelain -- nbs treediffusion >&2
  exit 1
fi
echo "notebooks clean, package in sync"
