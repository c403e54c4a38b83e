"""Click glue only: flags → options → a command function → exit code.

Heavy modules (pydantic, ruamel.yaml, the forges) are imported inside the
commands, so `clew pre-push` with nothing to push starts in milliseconds.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import click

from checker import __version__
from checker.errors import EXIT_OK, ClewError
from checker.outputs import FORMATS


def _color(ctx: click.Context, stream: Any = None) -> bool:
    from checker.term import use_color

    return use_color(stream or sys.stdout, ctx.find_root().params.get("color") or "auto")


def _today() -> dt.date:
    from checker.clock import today

    return today()


def _emit(text: str, color: bool, err: bool = False) -> None:
    click.echo(text, nl=False, color=color, err=err)


goals_option = click.option(
    "--goals", "goals", metavar="PATH", help="Goals file (default: CLEW_GOALS, goals.yml, .github/goals.yml, .gitlab/goals.yml)."
)
format_option = click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True, help="Output format.")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="clew", message="%(prog)s %(version)s")
@click.option(
    "--color",
    type=click.Choice(["auto", "always", "never"]),
    default="auto",
    show_default=True,
    help="Colour (auto: terminal only, never with NO_COLOR).",
)
def clew(color: str) -> None:
    """Follow every change back to the objective it serves.

    Exit codes: 0 nothing fails the policy; 1 findings fail the policy;
    2 usage, configuration or goals-file error; 3 internal error.
    """


@clew.command()
@goals_option
@format_option
@click.pass_context
def validate(ctx: click.Context, goals: str | None, fmt: str) -> None:
    """Validate the goals file and its policy; summarise the pyramid."""
    from checker.commands import validate as command

    try:
        code, out = command.run(Path.cwd(), goals, fmt, _color(ctx), _today())
    except command.ValidationFailed as failed:
        click.echo(failed.payload, nl=False)
        raise
    _emit(out, _color(ctx))
    ctx.exit(code)


@clew.command()
@click.option("--alignment", is_flag=True, help="The schema of alignment.json instead of the goals file's.")
@click.option("--org", "org", is_flag=True, help="The schema of org-alignment.json (clew report --org) instead of the goals file's.")
def schema(alignment: bool, org: bool) -> None:
    """Print the goals file's JSON Schema (or alignment.json's, or org-alignment.json's)."""
    if alignment and org:
        raise click.UsageError("--alignment and --org each print one schema: choose one")
    if org:
        from checker.report.org import schema as org_schema

        click.echo(org_schema(), nl=False)
        return
    if alignment:
        from checker.report.schema import render as report_schema

        click.echo(report_schema(), nl=False)
        return
    from checker.goals.schema import render

    click.echo(render(), nl=False)


@clew.command()
@click.option("--path", "path", default="goals.yml", show_default=True, help="Where to write the starter goals file.")
def init(path: str) -> None:
    """Write a commented starter goals.yml (never overwrites)."""
    from checker.commands import init as command

    click.echo(command.run(Path(path), _today()), nl=False)


@clew.command()
@goals_option
@format_option
@click.option(
    "--range", "spec", metavar="A..B", help="Commits to judge (default: the current branch against its upstream or the default branch)."
)
@click.option("--per-commit", is_flag=True, help="Judge each commit instead of the branch as a whole.")
@click.pass_context
def check(ctx: click.Context, goals: str | None, fmt: str, spec: str | None, per_commit: bool) -> None:
    """Check that the current change traces to an objective.

    In GitHub Actions (GITHUB_ACTIONS=true), the event's pull request, issue or
    push is checked, with annotations, step summary, sticky comment and label.
    In GitLab CI (GITLAB_CI=true), the merge request, with a Code Quality
    report, sticky note and label.
    """
    from checker.forges.surfaces import adapter, checks_its_event

    where = checks_its_event(os.environ) if spec is None and not per_commit else None
    if where is not None:  # the CI's own event, through its surface (checker.forges.surfaces.SURFACES)
        given = ctx.get_parameter_source("fmt") == click.core.ParameterSource.COMMANDLINE
        ctx.exit(adapter(where).run(os.environ, Path.cwd(), _today(), goals, fmt if given else None))
    from checker.forges.local import check as command

    outcome = command.run(Path.cwd(), goals, spec, per_commit, _today(), fmt=fmt, color=_color(ctx))
    _emit(outcome.output, _color(ctx))
    ctx.exit(outcome.exit_code)


@clew.command(name="pre-push", context_settings={"ignore_unknown_options": True})
@goals_option
@click.option("--per-commit", is_flag=True, help="Judge each commit instead of each pushed branch.")
@click.argument("remote", required=False)
@click.argument("url", required=False)
@click.pass_context
def pre_push(ctx: click.Context, goals: str | None, per_commit: bool, remote: str | None, url: str | None) -> None:
    """git's pre-push hook protocol (refs on stdin); what `clew hook install` runs."""
    from checker.forges.local.prepush import main as lean

    args = [*(["--goals", goals] if goals else []), *(["--per-commit"] if per_commit else [])]
    ctx.exit(lean([*args, "--color", ctx.find_root().params.get("color") or "auto"]))


@clew.group()
def hook() -> None:
    """Install or remove the local pre-push hook."""


@hook.command(name="install")
@click.option("--force", is_flag=True, help="Replace a hook clew did not write (it is kept as pre-push.clew-backup).")
def hook_install(force: bool) -> None:
    """Install the pre-push hook (honours core.hooksPath)."""
    from checker.commands import hook as command

    click.echo(command.install(_root(require_git=True), force), nl=False)


@hook.command(name="uninstall")
def hook_uninstall() -> None:
    """Remove clew's pre-push hook (restores a hook it replaced)."""
    from checker.commands import hook as command

    click.echo(command.uninstall(_root(require_git=True)), nl=False)


@clew.command()
@goals_option
@format_option
@click.argument("ref")
@click.pass_context
def explain(ctx: click.Context, goals: str | None, fmt: str, ref: str) -> None:
    """Print the thread for a commit or branch: each hop, or where it breaks."""
    from checker.commands import explain as command

    outcome = command.run(Path.cwd(), goals, ref, _today(), os.environ, fmt)
    _emit(_render(outcome.result, fmt, _color(ctx)), _color(ctx))
    ctx.exit(EXIT_OK)


@clew.command()
@goals_option
@click.option("--window", type=click.IntRange(1), help="Days of merged work (default: the goals file's report.window_days).")
@click.option("--since", type=click.DateTime(["%Y-%m-%d"]), help="The window's first day (YYYY-MM-DD), instead of --window.")
@click.option("--until", type=click.DateTime(["%Y-%m-%d"]), help="The window's last day (default: today): a report as of a past date.")
@click.option("--commit", "do_commit", is_flag=True, help="Commit ALIGNMENT.md and alignment.json back (one commit, [skip ci]).")
@click.option("--dry-run", is_flag=True, help="Show the diff the report would make; write nothing.")
@click.option(
    "--source",
    default="auto",
    show_default=True,
    metavar="auto|git|github|gitlab",
    help="Where merged work comes from (auto: GitHub with GITHUB_TOKEN and GITHUB_REPOSITORY, "
    "GitLab in GitLab CI with CLEW_GITLAB_TOKEN, else local git).",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["files", "json", "markdown", "html"]),
    default="files",
    show_default=True,
    help="files: write (or commit) ALIGNMENT.md and alignment.json; json, markdown or html: print that document, write nothing.",
)
@click.option("--html", "html", is_flag=True, help="Also write (or commit) the self-contained page, report.html (default alignment.html).")
@click.option(
    "--org",
    "owner",
    metavar="OWNER",
    help="The organisation report across a GitHub organisation (acme, github:acme) or a GitLab group "
    "(gitlab:acme/platform), from every repository's alignment.json (docs/org.md).",
)
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=Path(), help="With --org: where the report goes.")
@click.option("--full", is_flag=True, help="With --org: read every repository, not only those pushed since the previous run.")
@click.option("--export", metavar="duckdb:FILE|parquet:DIR", help="With --org: append the run's records to a DuckDB file or Parquet files.")
@click.option("--report-path", default="alignment.json", show_default=True, help="With --org: where each repository keeps its report.")
@click.pass_context
def report(  # noqa: PLR0913 -- one parameter per click option
    ctx: click.Context,
    *,
    goals: str | None,
    window: int | None,
    since: dt.datetime | None,
    until: dt.datetime | None,
    do_commit: bool,
    dry_run: bool,
    source: str,
    fmt: str,
    html: bool,
    owner: str | None,
    out: Path,
    full: bool,
    export: str | None,
    report_path: str,
) -> None:
    """Build the alignment report (ALIGNMENT.md and alignment.json) over a window; with --org, the
    organisation report (ORG-ALIGNMENT.md and org-alignment.json) across its repositories."""
    if owner is not None:
        from checker.commands import org_report

        if do_commit or dry_run or html or window or since or until or goals or fmt == "html":
            raise click.UsageError("--org takes --out, --full, --export, --report-path and --format files|json|markdown only")
        printed, summary = org_report.run(
            org_report.Options(owner, out, report_path, full, fmt, export), os.environ, dt.datetime.now(dt.UTC)
        )
        click.echo(printed, nl=False)
        click.echo(summary, nl=False, err=True)
        return
    if full or export or report_path != "alignment.json":
        raise click.UsageError("--full, --export and --report-path go with --org")
    from checker.commands import report as command

    days = (since.date() if since else None), (until.date() if until else None)
    options = command.Options(do_commit, dry_run, window, source, fmt, html, *days)
    outcome = command.run(Path.cwd(), goals, _today(), options, os.environ)
    click.echo("".join(outcome.warnings), nl=False, err=True)
    click.echo(outcome.output, nl=False)


@clew.command()
@goals_option
@format_option
@click.option("--window", type=click.IntRange(1), help="Days of merged work (default: the goals file's report.window_days).")
@click.pass_context
def status(ctx: click.Context, goals: str | None, fmt: str, window: int | None) -> None:
    """Each objective's status with its reasons, in the terminal."""
    from checker.commands import report as command

    outcome = command.run(Path.cwd(), goals, _today(), command.Options(window=window, source="git", format="json"), os.environ)
    click.echo("".join(outcome.warnings), nl=False, err=True)
    if fmt == "text":
        _emit(command.status_lines(outcome.report, _color(ctx)), _color(ctx))
    else:
        import json

        from checker.report.model import plain

        report = outcome.report
        _emit(json.dumps({"objectives": plain(report.objectives), "headline": plain(report.headline)}, indent=2) + "\n", False)


@clew.command(name="rules")
def rules_command() -> None:
    """List the rules: id, default severity, what each checks."""
    from checker.rules import REGISTRY

    for rule in REGISTRY.values():
        click.echo(f"{rule.id:32} {rule.severity:8} {rule.summary}")


def _render(result: Any, fmt: str, color: bool) -> str:
    from checker.outputs import render

    return render(result, fmt, color)


def _root(require_git: bool = False) -> Path:
    from checker.forges.local import git

    cwd = Path.cwd()
    root = git.toplevel(cwd)
    if root is None and require_git:
        raise ClewError(f"{cwd} is not inside a git repository")
    return root or cwd


def main(argv: Sequence[str] | None = None) -> int:
    from checker.errors import report

    try:
        code = clew.main(args=list(argv) if argv is not None else None, prog_name="clew", standalone_mode=False)
    except click.exceptions.Exit as exc:
        return int(exc.exit_code)
    except click.ClickException as exc:
        exc.show()
        return exc.exit_code
    except click.exceptions.Abort:
        click.echo("clew: aborted", err=True)
        return 130
    except Exception as exc:
        return report(exc)
    return code if isinstance(code, int) else EXIT_OK
