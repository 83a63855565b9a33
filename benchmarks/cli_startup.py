"""How fast the command line answers: `--help`, a subcommand's `--help`, a mistyped subcommand and a bad option value,
against `python -c pass` as the peer.

Each is timed as a fresh process (best of --repeat) with PYTHONDONTWRITEBYTECODE=1, as on the development machines, so
nothing is compiled ahead. None imports a library module: the arguments are parsed from the subcommand's source
(`cli.light_command`) before its module loads.

    python benchmarks/cli_startup.py [--repeat 5] [--out runs/cli_startup.json]
"""
import argparse, json, os, subprocess, sys, time
from pathlib import Path

from treediffusion.record import record_script, stamp


def best(cmd, repeat: int, env) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter(); subprocess.run(cmd, capture_output=True, env=env); times.append(time.perf_counter() - t)
    return min(times)


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--out", default=None, help="also write the times here (JSON, with run.json beside it)")
    a = ap.parse_args()
    if a.out: record_script(a.out)
    env = os.environ | {"PYTHONDONTWRITEBYTECODE": "1"}
    main = [sys.executable, "-c", "import sys; from treediffusion.cli import main; sys.exit(main(sys.argv[1:]))"]
    res = {"python -c pass": best([sys.executable, "-c", "pass"], a.repeat, env),
           "treediffusion --help": best(main + ["--help"], a.repeat, env),
           "treediffusion fit-tre (usage error)": best(main + ["fit-tre"], a.repeat, env),
           "treediffusion run --help": best(main + ["run", "--help"], a.repeat, env),
           "treediffusion sample --n many (usage error)": best(main + ["sample", "--n", "many"], a.repeat, env)}
    peer = res["python -c pass"]
    for k, v in res.items(): print(f"{k:44} {v:6.3f} s  ({v / peer:4.1f}× the bare interpreter)")
    if a.out: Path(a.out).parent.mkdir(parents=True, exist_ok=True); Path(a.out).write_text(json.dumps(stamp(dict(seconds=res, repeat=a.repeat)), indent=1))
