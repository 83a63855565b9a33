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
    r = subprocess.run(cli("record", "--all"), capture_output=True, text=True, cwd=ROOT)
    assert r.returncode == 0, r.stderr
    assert len(r.stdout.strip().splitlines()) == len(results_record()) + 1 and "folders:" in r.stdout
    short = subprocess.run(cli("record"), capture_output=True, text=True, cwd=ROOT).stdout.strip().splitlines()
    assert len(short) == sum(r["status"] != "superseded" for r in results_record()) + 1 + sum(1 for r in results_record() if r["status"] == "superseded" and r["folder"] in quoted_results())
    assert subprocess.run(cli("record", "--check"), capture_output=True, text=True, cwd=ROOT).returncode == 0


def test_quoted_numbers_are_rendered_from_the_record():
    "The README, the notebooks' prose and the model cards say exactly what tools/render_record.py renders from the record today."
    import sys
    r = subprocess.run([sys.executable, str(ROOT / "tools/render_record.py"), "--check"], capture_output=True, text=True, cwd=ROOT)
    assert r.returncode == 0, r.stderr


def test_readme_renders_every_preset_in_the_record():
    "Each preset folder of the record has its row in the README's table (a study, its sentence), and the README has no typed results section."
    from treediffusion.record import RESULTS
    readme = (ROOT / "README.md").read_text()
    presets = sorted(p.name for p in (ROOT / RESULTS / "presets").iterdir() if p.is_dir()) if (ROOT / RESULTS / "presets").is_dir() else []
    body = readme[readme.index("<!-- record:presets-table -->"):readme.index("<!-- /record:presets-table -->")]
    studies = {"demo-table3": "Table 3 at demo scale ("}   # a study over the demo preset's conditioning variants: a rendered sentence, not a row
    for p in presets: assert (studies[p] in readme) if p in studies else (f"| `{p}` |" in body), p
    assert readme.index("make demo") < len("\n".join(readme.splitlines()[:40])), "the two commands must come within the README's first 40 lines"


def test_results_section_types_no_number():
    "Outside its rendered blocks, the README's results section holds no digit: every number there comes from the record."
    import re
    from treediffusion.record import BLOCK
    readme = (ROOT / "README.md").read_text()
    section = readme[readme.index("## What you get"):]
    section = section[:section.index("\n## ", 1)]
    prose = re.sub(r"`[^`]*`|\]\([^)]*\)", "", BLOCK.sub("", section))           # code spans and link targets name things, not results
    typed = re.findall(r"[^\s]*\d[^\s]*", prose)
    assert not typed, f"numbers typed by hand in the README's results section: {typed}"
    words = len(BLOCK.sub("", section).split())
    assert words <= 250, f"the results section has {words} words of prose (≤ 250)"
