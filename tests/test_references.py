"""The reference parser against real-world strings: what links, and what must not."""

from __future__ import annotations

import pytest

from checker.references import Syntax, branch_references, parse

# (text, expected references as "kind target" with "+" for a closing link)
CASES: list[tuple[str, set[str]]] = [
    # --- trailers naming ids
    ("Add login screen\n\nObjective: retention", {"goal retention"}),
    ("Add login screen\n\nInitiative: mobile-ux", {"goal mobile-ux"}),
    ("Add login screen\n\nGoal: growth", {"goal growth"}),
    ("Add login\n\nobjective: retention", {"goal retention"}),
    ("Add login\n\nOBJECTIVE: retention", {"goal retention"}),
    ("Add login\n\nObjective:retention", {"goal retention"}),
    ("Add login\n\nObjective:   retention  ", {"goal retention"}),
    ("Add login\n\nObjective: retention, growth", {"goal retention", "goal growth"}),
    ("Add login\n\nObjective: retention,growth", {"goal retention", "goal growth"}),
    ("Add login\n\nObjective: retention.churn", {"goal retention.churn"}),
    ("Add login\n\nObjective: q3_2027-okr.1", {"goal q3_2027-okr.1"}),
    ("Add login\n\nObjective: make the app faster", set()),
    ("Add login\n\nGoal: be the best", set()),
    ("Add login\n\nObjective:", set()),
    ("Objective: retention", {"goal retention"}),
    ("Add login\nObjective: retention\nSigned-off-by: A <a@b.c>", {"goal retention"}),
    ("Add login\n\nSigned-off-by: A <a@b.c>\nObjective: retention\nCo-authored-by: B <b@c.d>", {"goal retention"}),
    ("Add login\n\n  Objective: retention", {"goal retention"}),
    ("Add login\n\n> Objective: retention", set()),
    ("Add login\n\n`Objective: retention`", set()),
    ("Add login\n\n```\nObjective: retention\n```", set()),
    ("Add login\n\n<!-- Objective: retention -->", set()),
    ("Add login\n\nObjectives: retention", set()),
    ("Add login\n\nMy objective: retention", set()),
    ("Add login\n\nInitiative: mobile-ux\nObjective: retention", {"goal mobile-ux", "goal retention"}),
    ("Add login\n\nObjective: retention\nObjective: retention", {"goal retention"}),
    ("Add login\n\nObjective: -bad", set()),
    ("Add login\n\nObjective: @jane", set()),
    # --- escape hatch
    ("Bump CI image\n\nUnaligned: the build broke on the new runner", {"escape the build broke on the new runner"}),
    ("Bump CI image\n\nunaligned: hotfix for outage", {"escape hotfix for outage"}),
    ("Bump CI image\n\nUnaligned: n/a", {"escape n/a"}),
    ("Bump CI image\n\nUnaligned: TODO", {"escape TODO"}),
    ("Bump CI image\n\n> Unaligned: quoted reason", set()),
    # --- closing keywords, GitHub
    ("Fixes #3", {"issue #3+"}),
    ("fixes #3", {"issue #3+"}),
    ("FIXES #3", {"issue #3+"}),
    ("Fix #3", {"issue #3+"}),
    ("Fixed #3", {"issue #3+"}),
    ("Close #3", {"issue #3+"}),
    ("Closes #3", {"issue #3+"}),
    ("Closed #3", {"issue #3+"}),
    ("Resolve #3", {"issue #3+"}),
    ("Resolves #3", {"issue #3+"}),
    ("Resolved #3", {"issue #3+"}),
    ("Closes: #3", {"issue #3+"}),
    ("Fixes:#3", set()),
    ("Closes #1, #2 and #3", {"issue #1+", "issue #2+", "issue #3+"}),
    ("Closes #1, #2, and #3", {"issue #1+", "issue #2+", "issue #3+"}),
    ("Closes #1 #2", {"issue #1+", "issue #2+"}),
    ("Closes #1,#2", {"issue #1+", "issue #2+"}),
    ("Closes #1 and #2", {"issue #1+", "issue #2+"}),
    ("Fixes #1, fixes #2", {"issue #1+", "issue #2+"}),
    ("This PR fixes #12 by retrying.", {"issue #12+"}),
    ("Fixes #12.", {"issue #12+"}),
    ("Fixes #12)", {"issue #12+"}),
    ("(fixes #12)", {"issue #12+"}),
    ("- [x] Closes #12", {"issue #12+"}),
    ("* Fixes #12", {"issue #12+"}),
    ("Closes owner/repo#12", {"issue owner/repo#12+"}),
    ("Fixes octo-org/octo-repo#100", {"issue octo-org/octo-repo#100+"}),
    ("Fixes my.org/my.repo#7", {"issue my.org/my.repo#7+"}),
    ("Fixes GH-12", {"issue #12+"}),
    ("Closes the issue #12", {"issue #12+"}),
    ("Fixes issue #12", {"issue #12+"}),
    ("Fixes issues #12 and #13", {"issue #12+", "issue #13+"}),
    ("Closes https://github.com/octo/repo/issues/12", {"issue octo/repo#12+"}),
    ("Closes https://github.com/octo/repo/issues/12.", {"issue octo/repo#12+"}),
    ("Fixes https://github.com/octo/repo/issues/12#issuecomment-99", {"issue octo/repo#12+"}),
    ("Closes https://github.com/octo/repo/pull/12", {"pr octo/repo#12+"}),
    ("Closes https://github.example.com/octo/repo/issues/5", {"issue octo/repo#5+"}),
    ("Closes #12 and https://github.com/o/r/issues/13", {"issue #12+", "issue o/r#13+"}),
    ("fixes #12 in the login", {"issue #12+"}),
    ("Prefixes #12 with a zero", set()),
    ("bugfix #12", set()),
    ("Closesthe #12", set()),
    ("closes-#12", set()),
    ("Fixes #", set()),
    ("Fixes #abc", set()),
    ("Fixes # 12", set()),
    # --- closing keywords, GitLab
    ("Closes !12", {"mr !12+"}),
    ("Closes group/subgroup/project#12", {"issue group/subgroup/project#12+"}),
    ("Closes group/project!7", {"mr group/project!7+"}),
    ("Closing #12", {"issue #12+"}),
    ("Fixing #12", {"issue #12+"}),
    ("Resolving #12", {"issue #12+"}),
    ("Implements #12", {"issue #12+"}),
    ("Implemented #12", {"issue #12+"}),
    ("Implementing #12", {"issue #12+"}),
    ("Implement #12", {"issue #12+"}),
    ("Closes https://gitlab.com/group/project/-/issues/12", {"issue group/project#12+"}),
    ("Closes https://gitlab.com/group/sub/project/-/issues/12", {"issue group/sub/project#12+"}),
    ("Closes https://gitlab.com/group/project/-/work_items/12", {"issue group/project#12+"}),
    ("Closes https://gitlab.com/group/project/-/merge_requests/12", {"mr group/project!12+"}),
    ("Closes https://gitlab.example.org/a/b/c/d/-/issues/99", {"issue a/b/c/d#99+"}),
    ("Fixes JIRA-123", {"issue JIRA-123+"}),
    ("Fixes ABC_DEF-9", {"issue ABC_DEF-9+"}),
    ("Fixes jira-123", set()),
    # --- negations
    ("does not fix #3", set()),
    ("This does not fix #3 yet", set()),
    ("doesn't fix #3", set()),
    ("doesn't yet fix #3", set()),
    ("not closing #3", set()),
    ("Not closing #3, see #4", {"issue #4"}),
    ("won't fix #3", set()),
    ("didn't resolve #3", set()),
    ("This never closes #3", set()),
    ("without fixing #3", set()),
    ("cannot close #3 until #4 lands", set()),
    ("This is not related to #3", set()),
    ("Fixes #4 but does not fix #3", {"issue #4+"}),
    # --- quotes, code, comments
    ("> fixes #3", set()),
    (">fixes #3", set()),
    ("   > Closes #3", set()),
    ("> > Closes #3", set()),
    ("use `fixes #3` syntax", set()),
    ("use ``fixes #3`` syntax", set()),
    ("```\nfixes #3\n```", set()),
    ("~~~\ncloses #3\n~~~", set()),
    ("```python\n# closes #3\n```\nFixes #4", {"issue #4+"}),
    ("````\n```\nfixes #3\n```\n````", set()),
    ("<!-- Closes #123 -->", set()),
    ("<!--\nPlease write: Closes #123\n-->\nCloses #7", {"issue #7+"}),
    ("<!-- unterminated comment closes #3", set()),
    # --- mentions (followed, but not closing)
    ("Part of #12", {"issue #12"}),
    ("part of #12", {"issue #12"}),
    ("Related to #12", {"issue #12"}),
    ("Relates to #12", {"issue #12"}),
    ("Refs #12", {"issue #12"}),
    ("Ref #12", {"issue #12"}),
    ("References #12", {"issue #12"}),
    ("See #12", {"issue #12"}),
    ("See also #12", {"issue #12"}),
    ("Refs: #12, #13", {"issue #12", "issue #13"}),
    ("Fixes #12, see #13", {"issue #12+", "issue #13"}),
    ("See #12; fixes #12", {"issue #12+"}),
    # --- bare text that is not a link
    ("Improve #12 handling", set()),
    ("Step #1 of the migration", set()),
    ("Use color #fff for links", set()),
    ("Issue 12 is annoying", set()),
    ("We fixed 12 bugs", set()),
    ("C# support", set()),
    ("visit https://example.com/page#123", set()),
    ("docs at https://example.com/docs#fixes-12", set()),
    ("see https://example.com/a#b", set()),
    ("Fixes https://example.com/page#3", set()),
    ("email a#1@example.com", set()),
    # --- URLs without keywords are deliberate links
    ("Context: https://github.com/octo/repo/issues/12", {"issue octo/repo#12"}),
    ("https://github.com/octo/repo/pull/9/files", {"pr octo/repo#9"}),
    ("https://gitlab.com/g/p/-/issues/3", {"issue g/p#3"}),
    ("https://gitlab.com/g/p/-/merge_requests/3/diffs", {"mr g/p!3"}),
    ("See https://github.com/octo/repo/issues/12", {"issue octo/repo#12"}),
    ("https://github.com/octo/repo/issues", set()),
    ("https://github.com/octo/repo/blob/main/README.md#L10", set()),
    ("<https://github.com/octo/repo/issues/12>", {"issue octo/repo#12"}),
    ("[tracking issue](https://github.com/octo/repo/issues/12)", {"issue octo/repo#12"}),
    ("does not fix https://github.com/octo/repo/issues/12", set()),
    # --- Part-of trailer
    ("Add login\n\nPart-of: https://gitlab.com/g/p/-/merge_requests/9", {"mr g/p!9"}),
    ("Add login\n\nPart-of: https://github.com/o/r/pull/9", {"pr o/r#9"}),
    ("Add login\n\nPart-of: g/p!9", {"mr g/p!9"}),
    ("Add login\n\npart-of: #9", {"issue #9"}),
    # --- squash and merge subjects
    ("Add login screen (#123)", {"pr #123"}),
    ("Add login screen (#123)\n\n* wip\n* more", {"pr #123"}),
    ("feat(mobile): login (#45) ", {"pr #45"}),
    ('Revert "Add login (#12)" (#13)', {"pr #13"}),
    ("Add (#123) in the middle of a subject", set()),
    ("Merge pull request #123 from octo/feature-x", {"pr #123"}),
    ("Merge pull request #123 from octo/feature-x\n\nAdd login\n\nObjective: retention", {"pr #123", "goal retention"}),
    ("Merge branch 'main' into feature", set()),
    (
        "Merge branch 'feature' into 'main'\n\nAdd login\n\nCloses #12\n\nSee merge request group/project!123",
        {"issue #12+", "mr group/project!123"},
    ),
    ("Merge branch 'x' into 'main'\n\nSee merge request group/sub/project!7", {"mr group/sub/project!7"}),
    ("Body\n\nsee merge request group/project!7 for details", {"mr group/project!7"}),
    ("Subject\n\nLater line (#123)", set()),
    # --- mixed, real-world shaped
    (
        "fix(auth): refresh tokens before expiry\n\nThe mobile app kept logging users out.\n\nFixes #88\nObjective: retention",
        {"issue #88+", "goal retention"},
    ),
    ("## Summary\nAdds dark mode.\n\n## Related\n- Closes #5\n- Part of #2\n", {"issue #5+", "issue #2"}),
    ("Closes #5\r\nObjective: growth\r\n", {"issue #5+", "goal growth"}),
    ("Bump lodash from 4.17.20 to 4.17.21", set()),
    ("Release v1.2.3", set()),
    ("Update CHANGELOG for 2023-04-11", set()),
    ("chore(deps): bump actions/checkout from 3 to 4 (#77)", {"pr #77"}),
    ("Fixes #12 🎉", {"issue #12+"}),
    ("Réparé : fixes #12", {"issue #12+"}),
    ("@octocat fixes #12", {"issue #12+"}),
    ("", set()),
    ("\n\n\n", set()),
]


def _render(text: str) -> set[str]:
    return {f"{r.kind} {r.target}{'+' if r.closing else ''}" for r in parse(text)}


def test_there_are_at_least_150_cases() -> None:
    assert len(CASES) >= 150
    assert len({text for text, _ in CASES}) == len(CASES), "duplicate cases"


@pytest.mark.parametrize(("text", "expected"), CASES, ids=[repr(t[:40]) for t, _ in CASES])
def test_reference(text: str, expected: set[str]) -> None:
    assert _render(text) == expected


def test_configurable_trailer_keys_are_case_insensitive() -> None:
    syntax = Syntax(trailers=("OKR",), escape="No-Goal")
    refs = parse("Add login\n\nokr: retention\nObjective: growth\nNo-Goal: an experiment", syntax)
    assert {(r.kind, r.target) for r in refs} == {("goal", "retention"), ("escape", "an experiment")}


def test_evidence_and_via_are_kept() -> None:
    (ref,) = parse("This PR fixes https://github.com/o/r/issues/5 today")
    assert ref.evidence == "fixes https://github.com/o/r/issues/5"
    assert ref.via == "closing keyword"
    (trailer,) = parse("x\n\nObjective: retention")
    assert trailer.via == "Objective trailer"


BRANCHES = [
    ("17-login-screen", {"#17"}),
    ("feature/17-login", {"#17"}),
    ("fix/issue-17", {"#17"}),
    ("issue-17", {"#17"}),
    ("issues/17-x", {"#17"}),
    ("gh-17", {"#17"}),
    ("GH-17-thing", {"#17"}),
    ("bug/17", {"#17"}),
    ("feature/#17-x", {"#17"}),
    ("ticket-17", {"#17"}),
    ("2023-04-11-fix", set()),
    ("2023-04-fix", set()),
    ("release/2023-04-11", set()),
    ("v1.2.3", set()),
    ("release/v1.2.3", set()),
    ("release/1.2.3", set()),
    ("1.2-hotfix", set()),
    ("mobile/login", set()),
    ("main", set()),
    ("feature/login-v2", set()),
    ("renovate/lodash-4.x", set()),
    ("dependabot/npm_and_yarn/lodash-4.17.21", set()),
    ("refs/heads/17-login", {"#17"}),
    ("users/ann/42-cleanup", {"#42"}),
]


@pytest.mark.parametrize(("branch", "expected"), BRANCHES)
def test_branch_references(branch: str, expected: set[str]) -> None:
    assert {r.target for r in branch_references(branch)} == expected


# Numbers past GitHub's GraphQL Int (and GitLab's int32 iids) are not references: sent as one,
# a number 2^31 or above made GitHub reject the whole query, which once read as an outage.
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Fixes #2147483647", {"issue #2147483647+"}),
        ("Fixes #2147483648", set()),
        ("Fixes #0", set()),
        ("Closes #1, #99999999999", {"issue #1+"}),
        ("Fixes https://github.com/o/r/issues/2147483648", set()),
        ("Part of group/project!4294967296", set()),
        ("Big change (#2147483648)", set()),
        ("Merge pull request #2147483648 from fork/branch", set()),
        ("Work\n\nSee merge request group/project!2147483648", set()),
        ("GH-2147483648 fixed", set()),
        ("Fixes #" + "9" * 5000, set()),
    ],
)
def test_numbers_out_of_the_forges_range_are_not_references(text: str, expected: set[str]) -> None:
    found = {f"{r.kind} {r.target}{'+' if r.closing else ''}" for r in parse(text)}
    assert found == expected


def test_branch_numbers_out_of_range_are_not_references() -> None:
    assert branch_references("fix/issue-2147483648") == []
    assert [r.target for r in branch_references("fix/issue-2147483647")] == ["#2147483647"]


# A URL inside a sentence is a mention, not a link (gnome-shell: "in my previous MR …/merge_requests/4185");
# a URL on a line of its own, after a keyword or as a trailer value still links.
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Rework the panel\n\nin my previous https://gitlab.gnome.org/GNOME/gnome-shell/-/merge_requests/4185 I tried", set()),
        ("Like https://github.com/o/r/issues/3 did, do it twice", set()),
        ("Work\n\nhttps://github.com/o/r/issues/3", {"issue o/r#3"}),
        ("Work\n\n- https://github.com/o/r/issues/3", {"issue o/r#3"}),
        ("Work\n\nBug: https://github.com/o/r/issues/3", {"issue o/r#3"}),
        ("Work\n\nCloses: https://gitlab.gnome.org/GNOME/gnome-shell/-/issues/7001", {"issue GNOME/gnome-shell#7001+"}),
        (
            "Work\n\nPart-of: <https://gitlab.gnome.org/GNOME/gnome-shell/-/merge_requests/4346>",
            {"mr GNOME/gnome-shell!4346"},
        ),
    ],
)
def test_urls_in_prose_are_mentions(text: str, expected: set[str]) -> None:
    assert {f"{r.kind} {r.target}{'+' if r.closing else ''}" for r in parse(text)} == expected


def test_a_part_of_url_is_not_a_quote_and_a_quote_still_is() -> None:
    from checker.references import readable_lines

    gnome = "panel: Keep the menu open\n\nCloses: https://gitlab.gnome.org/GNOME/gnome-shell/-/issues/7001\n\nPart-of: <https://gitlab.gnome.org/GNOME/gnome-shell/-/merge_requests/2001>\n"
    assert list(readable_lines(gnome)) == gnome.splitlines()
    found = {(r.kind, r.target, r.via) for r in parse(gnome)}
    assert ("mr", "GNOME/gnome-shell!2001", "Part-of trailer") in found
    assert ("issue", "GNOME/gnome-shell#7001", "closing keyword") in found
    quoted = "Revert\n\n> Closes #12\n  > Fixes #13\nPart-of: <https://gitlab.com/a/b/-/merge_requests/4>\n"
    assert [r.target for r in parse(quoted)] == ["a/b!4"]  # the quoted lines are someone else's words


def test_a_message_is_parsed_once_and_each_caller_gets_its_own_list() -> None:
    from checker import references

    text = "Faster wizard (#42)\n\nCloses #17\nObjective: growth\n"
    first = references.parse(text)
    first.append(first[0])  # a caller that changes its list changes nothing for the next
    second = references.parse(text)
    assert second == first[:-1]
    assert second is not first
    assert (text, references.DEFAULT_SYNTAX) in references._TEXTS


def test_a_cve_or_advisory_id_is_no_issue_key() -> None:
    """golang/net closes its security fixes with `Fixes CVE-2026-25681` beside `Fixes golang/go#79795`:
    `CVE-2026` is no Jira key, and no link to follow."""
    found = parse("html: escape greater-than symbol\n\nFixes golang/go#79795\nFixes CVE-2026-46600\nCloses GHSA-2026-1")
    assert [r.target for r in found] == ["golang/go#79795"]
    assert [r.target for r in parse("x\n\nFixes PAY-12")] == ["PAY-12"]
