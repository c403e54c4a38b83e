"""Key results that measure themselves: the number behind a key result's `source:`,
read from a JSON or CSV file that CI wrote, or printed by a command.

A source that fails gives a reason, never an exception and never an old value:
the report shows the key result as unmeasured, with the reason, and the
objective's status says so.

Pointers are a small, closed subset of JSONPath: `$`, then `.name`, `[index]`
(negative counts from the end) or `['any name']`. No filters, no wildcards: a
pointer names one value."""

from __future__ import annotations

import contextlib
import csv
import io
import json
import math
import os
import re
import subprocess
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from checker.goals.pointer import parse_pointer
from checker.work import LARGEST, Measured

MAX_BYTES = 10 * 1024 * 1024  # a metrics file larger than this is not read
MAX_OUTPUT = 1024 * 1024  # what a command may print; past it, the command is stopped
# The only variables a key-result command sees: where programs are, the locale, the time zone, a
# place for temporary files. No token, no CI variable (CI_REPOSITORY_URL carries the job token).
COMMAND_ENV = ("PATH", "HOME", "LANG", "LANGUAGE", "TZ", "TMPDIR", "TEMP", "TMP", "SYSTEMROOT", "PYTHONIOENCODING")


def _number(value: Any, where: str) -> float:
    if isinstance(value, bool) or value is None:
        raise ValueError(f"{where} is {json.dumps(value)}, not a number")
    if isinstance(value, int | float):
        number = float(value)
    elif isinstance(value, str):
        text = value.strip().removesuffix("%").strip().replace(",", "") if value.strip() else ""
        try:
            number = float(text)
        except ValueError:
            raise ValueError(f"{where} is the text {value[:40]!r}, not a number") from None
    else:
        kind = "an object" if isinstance(value, Mapping) else "a list"
        raise ValueError(f"{where} is {kind}, not a number: point further into it")
    if not math.isfinite(number):
        raise ValueError(f"{where} is {str(value)[:40]!r}, not a finite number")
    if abs(number) > LARGEST:
        raise ValueError(f"{where} is {number:.3g}, beyond what a key result measures (±{LARGEST:.0e})")
    return number


def follow(data: Any, pointer: str) -> float:
    """The number at `pointer` in `data`; ValueError naming the step where it breaks."""
    here: Any = data
    path = "$"
    for step in parse_pointer(pointer):
        if isinstance(step, int):
            if not isinstance(here, list):
                raise ValueError(f"{path} is not a list, so it has no [{step}]")
            if not -len(here) <= step < len(here):
                raise ValueError(f"{path} has {len(here)} entries, so it has no [{step}]")
            here, path = here[step], f"{path}[{step}]"
        else:
            if not isinstance(here, Mapping):
                raise ValueError(f"{path} is not an object, so it has no key {step!r}")
            if step not in here:
                keys = ", ".join(sorted(map(str, here))[:8])
                raise ValueError(f"{path} has no key {step!r} (it has: {keys or 'nothing'})")
            here, path = here[step], f"{path}.{step}" if re.fullmatch(r"[A-Za-z_][\w-]*", step) else f"{path}[{step!r}]"
    return _number(here, path)


def _inside(root: Path, relative: str) -> Path:
    """The file, refused if it (or a link on the way) leads out of the repository."""
    real_root = root.resolve()
    target = (root / relative).resolve()
    if target != real_root and real_root not in target.parents:
        raise ValueError(f"{relative!r} leads outside the repository (through a symbolic link); it is not read")
    return target


def _read_file(root: Path, relative: str, fmt: str | None) -> Any:
    import stat

    path = _inside(root, relative)
    try:
        # Opened without waiting (a FIFO would block a plain open until someone writes to it),
        # then read only if it is a regular file.
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
    except FileNotFoundError:
        raise ValueError(f"{relative!r} does not exist (the step that writes it must run before `clew report`)") from None
    except IsADirectoryError:
        raise ValueError(f"{relative!r} is a directory, not a file") from None
    except OSError as exc:
        raise ValueError(f"{relative!r} cannot be read: {exc.strerror}") from None
    with os.fdopen(fd, "rb") as handle:
        mode = os.fstat(fd).st_mode
        if stat.S_ISDIR(mode):
            raise ValueError(f"{relative!r} is a directory, not a file")
        if not stat.S_ISREG(mode):
            raise ValueError(f"{relative!r} is not a regular file (a FIFO, a device or a socket); clew reads only files")
        data = handle.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise ValueError(f"{relative!r} is larger than {MAX_BYTES} bytes; clew reads metrics files up to {MAX_BYTES} bytes")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValueError(f"{relative!r} cannot be read as UTF-8 text: {exc}") from None
    kind = fmt or ("csv" if relative.lower().endswith((".csv", ".tsv")) else "json")
    return _parse(text, kind, relative)


def _parse(text: str, kind: str, where: str) -> Any:
    if kind == "csv":
        dialect = "excel-tab" if where.lower().endswith(".tsv") else "excel"
        rows = list(csv.DictReader(io.StringIO(text), dialect=dialect))
        if not rows:
            raise ValueError(f"{where} has a header but no rows" if text.strip() else f"{where} is empty")
        return rows
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(f"{where} is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})") from None


def command_env(env: Mapping[str, str]) -> dict[str, str]:
    """The environment a key-result command runs with: COMMAND_ENV and the locale's LC_*, nothing else."""
    return {k: v for k, v in env.items() if k in COMMAND_ENV or (k.startswith("LC_") and k.isupper())}


def unreadable_to_children() -> None:
    """clew's own memory and environment (/proc/<pid>/environ still holds every token clew was
    started with) made unreadable to the processes it starts: on Linux, a process that is not
    dumpable can be read only by root. Elsewhere nothing changes, and SECURITY.md says so."""
    import sys

    if not sys.platform.startswith("linux"):
        return
    import ctypes

    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(4, 0, 0, 0, 0)  # PR_SET_DUMPABLE, 0
    except (OSError, AttributeError):
        pass


def _run(root: Path, argv: list[str], timeout: int) -> str:
    """The command's output: at most MAX_OUTPUT bytes read, then it is stopped; its process group
    (whatever it started) ends with it, whichever way it ends."""
    import signal
    import tempfile
    import time

    shown = argv[0]
    unreadable_to_children()
    with tempfile.TemporaryFile() as errors:
        try:
            proc = subprocess.Popen(
                argv,
                cwd=root,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=errors,
                env=command_env(os.environ),
                start_new_session=True,  # its own process group, ended with it
            )
        except FileNotFoundError:
            raise ValueError(f"the command {shown!r} was not found") from None
        except PermissionError:
            raise ValueError(f"the command {shown!r} is not executable") from None
        assert proc.stdout is not None
        deadline = time.monotonic() + timeout
        out, too_much, late = _read_bounded(proc.stdout, deadline)

        def end_group() -> None:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(proc.pid, signal.SIGKILL)

        try:
            if too_much or late:
                end_group()
            code = proc.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            end_group()
            proc.wait()
            late = True
            code = proc.returncode
        finally:
            end_group()  # what it forked does not outlive it
            proc.stdout.close()
        if late and not too_much:
            raise ValueError(f"the command {shown!r} did not finish within {timeout} s (source.timeout)")
        if too_much:
            raise ValueError(f"the command {shown!r} printed more than {MAX_OUTPUT} bytes; it was stopped")
        if code != 0:
            errors.seek(0)
            tail = errors.read()[-4096:].decode("utf-8", "replace").strip().splitlines()
            last = (tail or [""])[-1][:200]
            raise ValueError(f"the command {shown!r} exited with {code}{': ' + last if last else ''}")
    return out.decode("utf-8", "replace")


def _read_bounded(stream: Any, deadline: float) -> tuple[bytes, bool, bool]:
    """What a pipe gives until it closes, MAX_OUTPUT bytes at most, until the deadline:
    (the bytes, whether there was more, whether time ran out)."""
    import selectors
    import time

    chunks: list[bytes] = []
    size = 0
    with selectors.DefaultSelector() as selector:
        selector.register(stream, selectors.EVENT_READ)
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return b"".join(chunks), False, True
            if not selector.select(timeout=min(left, 1.0)):
                continue
            chunk = os.read(stream.fileno(), 65536)
            if not chunk:
                return b"".join(chunks), False, False
            chunks.append(chunk)
            size += len(chunk)
            if size > MAX_OUTPUT:
                return b"".join(chunks)[:MAX_OUTPUT], True, False


def measure(root: Path, source: Mapping[str, Any]) -> Measured:
    """The value a `source:` gives now. Never raises for what the file or command holds."""
    pointer = source.get("pointer")
    if source.get("file"):
        origin = f"{source['file']} {pointer}"
    else:
        import shlex

        origin = shlex.join(source.get("command") or []) + (f" {pointer}" if pointer else "")
    try:
        if source.get("file"):
            return Measured(follow(_read_file(root, source["file"], source.get("format")), pointer or "$"), None, origin)
        out = _run(root, list(source["command"]), int(source.get("timeout") or 60))
        if pointer:
            return Measured(follow(_parse(out, source.get("format") or "json", "its output"), pointer), None, origin)
        lines = [line for line in out.strip().splitlines() if line.strip()]
        if len(lines) != 1:
            raise ValueError(f"the command printed {len(lines)} lines; print one number, or JSON and set `pointer:`")
        return Measured(_number(lines[0], "its output"), None, origin)
    except ValueError as exc:
        return Measured(None, str(exc), origin)


def measure_all(root: Path, sources: Mapping[str, Mapping[str, Any]]) -> dict[str, Measured]:
    """Every `objective.kr` that has a source, measured once."""
    return {key: measure(root, source) for key, source in sources.items()}
