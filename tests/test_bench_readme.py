"""`make bench-readme`: the README's performance section is the last bench reports as printed, between its markers;
a report that is not one, or a README without its markers, changes nothing and says why."""
import pytest

from bench import readme

REPORT = """# make bench — 2026-12-03 — vm (2 cores) — sqlite
generated 20000 enterprises / 86023 lines in 22.3 s

measurement | time | memory / p95 | notes
--------------------------------------------
1. red list build + accounting | 3.78 s | 248 MB | 86018 rows; target ≤ 5 s

VERDICT red list build: 3.78 s (target ≤ 5.00 s) met
VERDICT import / calamine floor (CPU): 5.43× (target ≤ 3.00×) missed
"""
README = f"# Title\n\n## Performance\n\nBefore.\n\n{readme.START}\nold figures\n{readme.END}\n\nAfter.\n"


def test_the_section_is_the_reports_as_printed_and_the_rest_stays():
    second = REPORT.replace("— sqlite", "— postgresql").replace("3.78 s", "4.10 s")
    updated = readme.replace_section(README, readme.section([REPORT, second]))
    assert "old figures" not in updated and "Before.\n\n" in updated and updated.endswith("\nAfter.\n")
    body = updated.split(readme.START)[1].split(readme.END)[0]
    assert "**make bench — 2026-12-03 — vm (2 cores) — sqlite**" in body
    assert "**make bench — 2026-12-03 — vm (2 cores) — postgresql**" in body
    assert "VERDICT import / calamine floor (CPU): 5.43× (target ≤ 3.00×) missed" in body
    assert "1. red list build + accounting | 4.10 s" in body and body.index("— sqlite") < body.index("— postgresql")
    assert readme.replace_section(updated, readme.section([REPORT])).count("VERDICT red list build") == 1


@pytest.mark.parametrize("report, message", [
    ("hello\n", "not a make bench report"),
    ("# make bench — 2026-12-03 — vm (2 cores) — sqlite\ngenerated 1 enterprises\n", "no VERDICT lines"),
])
def test_a_report_that_is_not_one_changes_nothing(tmp_path, monkeypatch, report, message):
    (tmp_path / "README.md").write_text(README, encoding="utf-8")
    (tmp_path / "report.txt").write_text(report, encoding="utf-8")
    monkeypatch.setattr(readme, "ROOT", tmp_path)
    with pytest.raises(SystemExit, match=message):
        readme.main([str(tmp_path / "report.txt")])
    assert (tmp_path / "README.md").read_text(encoding="utf-8") == README


def test_a_readme_without_its_markers_changes_nothing(tmp_path, monkeypatch):
    (tmp_path / "README.md").write_text("# Title\n", encoding="utf-8")
    (tmp_path / "report.txt").write_text(REPORT, encoding="utf-8")
    monkeypatch.setattr(readme, "ROOT", tmp_path)
    with pytest.raises(SystemExit, match="needs exactly one"):
        readme.main([str(tmp_path / "report.txt")])
    assert (tmp_path / "README.md").read_text(encoding="utf-8") == "# Title\n"
    (tmp_path / "README.md").write_text(README, encoding="utf-8")
    readme.main([str(tmp_path / "report.txt")])
    assert "VERDICT red list build: 3.78 s" in (tmp_path / "README.md").read_text(encoding="utf-8")
