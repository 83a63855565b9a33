"The record: what a reader is pointed to is current, and `treediffusion record` says so from a fresh clone."
import subprocess

from conftest import ROOT, cli
from treediffusion.record import results_record, quoted_results, quoted_not_current


def test_quoted_results_are_current():
    "Every results folder the README, a notebook, a model card or a preset quotes was made by today's code and preset."
    rows, quoted = results_record(), quoted_results()
    bad = quoted_not_current(rows, quoted)
    assert not bad, "\n".join(f"{r['folder']}: {r['status']} ({r['why']}); quoted by {quoted[r['folder']]}" for r in bad)


def test_record_command_lists_every_folder():
    "`treediffusion record` prints one line per results folder and a count; `--check` agrees with the test above."
    r = subprocess.run(cli("record"), capture_output=True, text=True, cwd=ROOT)
    assert r.returncode == 0, r.stderr
    assert len(r.stdout.strip().splitlines()) == len(results_record()) + 1 and "folders:" in r.stdout
    assert subprocess.run(cli("record", "--check"), capture_output=True, text=True, cwd=ROOT).returncode == 0
