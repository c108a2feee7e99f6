"""Running behave in this process: which scenarios a tag expression selects, and the run itself.

behave's own output (plain formatter, captured prints, hook errors) goes to a log file; the console
gets only the runner's progress lines. Results are read from behave's model by the hooks, never from
that log.
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from pathlib import Path

from bench.runner.context import USERDATA_KEY, RunContext


def _tag_expression(tags: str | None) -> object | None:
    if not tags:
        return None
    from behave.tag_expression import make_tag_expression

    return make_tag_expression(tags)


def count_selected(paths: Sequence[Path], tags: str | None) -> int:
    """Scenarios (outline examples counted one by one) that the tag expression selects."""
    from behave.parser import parse_file

    expression = _tag_expression(tags)
    total = 0
    for root in paths:
        files = sorted(root.rglob("*.feature")) if root.is_dir() else [root]
        for path in files:
            feature = parse_file(str(path))
            if feature is None:
                continue
            for scenario in feature.walk_scenarios():
                if expression is None or scenario.should_run_with_tags(expression):
                    total += 1
    return total


def run_behave(paths: Sequence[Path], tags: str | None, run: RunContext, log: Path) -> None:
    """Runs the selected scenarios; their results land in `run.scenarios` through the hooks."""
    from behave import step_registry
    from behave.configuration import Configuration
    from behave.runner import Runner

    # behave keeps step definitions in a module-level registry: start each run from an empty one, so
    # that a second run in the same process (tests, a future rerun) does not see the first one's steps.
    step_registry.registry.clear()

    log.parent.mkdir(parents=True, exist_ok=True)
    args = [str(p) for p in paths]
    args += ["--format", "plain", "--no-summary", "--no-snippets", "--no-color"]
    if tags:
        args += ["--tags", tags]
    with (
        log.open("w", encoding="utf-8") as sink,
        contextlib.redirect_stdout(sink),
        contextlib.redirect_stderr(sink),
    ):
        config = Configuration(command_args=args, load_config=False)
        config.userdata[USERDATA_KEY] = run
        Runner(config).run()
