"""Script-mode launcher: what ``train`` means for the studio's own image and the process runtime.

Runs the entry point named by ``SAGEMAKER_PROGRAM`` from ``SAGEMAKER_SUBMIT_DIRECTORY``
(default: the ``code`` folder next to ``SM_INPUT_DIR``, i.e. ``/opt/ml/code``), with the
hyperparameters as ``--name value`` arguments (``SM_USER_ARGS``, a JSON list) followed by
any arguments given to the launcher itself.

A ``.py`` entry point runs *in this interpreter*, as ``python script.py`` would run it:
``__name__ == "__main__"`` in a fresh ``__main__`` module (so pickling and multiprocessing's
spawn find it), ``sys.argv`` = ``[script, *args]``, the script's folder first on
``sys.path`` and the code folder after it (also in ``PYTHONPATH`` for child interpreters).
Exit codes are the script's: ``sys.exit(n)``/``SystemExit`` as Python handles them, an
uncaught exception prints its traceback (through ``sys.excepthook``, without the
launcher's frame) and exits 1, and signals keep their default actions (SIGTERM ends the
job with 143 unless the script handles it; an uncaught KeyboardInterrupt exits by SIGINT).
Anything else (a shell script, a binary) replaces the launcher (``exec``).

``python launcher.py --mlstudio-warm-spare <channel fd> <ready fd>`` is the process
runtime's *warm spare* (:func:`spare`, driven by :mod:`.warm`): an interpreter started in
advance that waits for one job and then runs its script as ``python script.py`` would.

Every job of the process runtime runs under a *supervisor* (:func:`fork_supervised`): the
process the runner started and records, whose only child is the job. It waits for the
job, writes the job's exit status to a file in the runner's state folder and exits with
it, so the status outlives the studio that started the job (a studio killed by
``kill -9`` cannot learn the exit status of a child it no longer has). The warm spare
forks just after it gets its job; a cold start is ``python -I -S launcher.py
--mlstudio-supervise <exit file> program args...`` (:func:`run_supervised`).

Starting one interpreter instead of two is the point: the launcher imports nothing that
Python has not already loaded at start-up (no ``json``, ``runpy`` or ``re``), so a job's
script starts about as fast as ``python script.py``.

Standard library only: the image build copies this file into the image as
``/usr/local/bin/train``.
"""

import os
import sys


def _code_dir() -> str:
    submit = os.environ.get("SAGEMAKER_SUBMIT_DIRECTORY", "")
    if submit and "://" not in submit:
        return submit
    input_dir = os.environ.get("SM_INPUT_DIR", "/opt/ml/input")
    return os.path.join(os.path.dirname(input_dir.rstrip("/")), "code")


def parse_string_list(text: str) -> list[str]:
    """A JSON array of strings (``SM_USER_ARGS``). Without backslashes the strings need no
    decoding and are read here; anything else goes to :mod:`json` (imported only then).
    ValueError when ``text`` is not such an array."""
    body = text.strip()
    if "\\" not in body and body.startswith("[") and body.endswith("]"):
        items: list[str] = []
        rest = body[1:-1].strip()
        while rest:
            if not rest.startswith('"'):
                break
            end = rest.find('"', 1)
            if end < 0:
                break
            items.append(rest[1:end])
            rest = rest[end + 1 :].lstrip()
            if rest.startswith(","):
                rest = rest[1:].lstrip()
                if not rest:
                    break  # a trailing comma is not JSON
            elif rest:
                break
        else:
            return items
    import json

    try:
        value = json.loads(body)
    except ValueError as exc:
        raise ValueError(f"not a JSON list: {exc}") from None
    if not isinstance(value, list):
        raise ValueError("not a JSON list")
    return [v if isinstance(v, str) else json.dumps(v) for v in value]


def run_script(path: str, argv: list[str]) -> int:
    """Run the Python file ``path`` as ``__main__`` with ``sys.argv = [path, *argv]``;
    return 0 when it ends normally, 1 after an uncaught exception (printed). SystemExit
    and KeyboardInterrupt propagate, so Python ends the process as it would for the
    script itself."""
    with open(path, "rb") as source:
        code = compile(source.read(), path, "exec", dont_inherit=True)
    main = type(sys)("__main__")  # what Python gives a script's __main__, in its order
    bootstrap = sys.modules.get("_frozen_importlib_external")
    if bootstrap is not None:
        main.__loader__ = bootstrap.SourceFileLoader("__main__", path)
    main.__annotations__ = {}
    main.__builtins__ = sys.modules["builtins"]  # type: ignore[attr-defined]
    main.__file__ = path
    main.__cached__ = None  # type: ignore[attr-defined]
    launcher = sys.modules.get("__main__")  # kept alive while the script runs
    sys.modules["__main__"] = main
    sys.argv[:] = [path, *argv]
    try:
        exec(code, main.__dict__)
    except Exception as exc:  # as Python reports an uncaught exception: exit code 1
        if exc.__traceback__ is not None:  # the launcher's own frame is not the script's
            exc.__traceback__ = exc.__traceback__.tb_next
        sys.excepthook(type(exc), exc, exc.__traceback__)
        return 1
    finally:
        del launcher
    return 0


def direct_command(
    env: "dict[str, str] | os._Environ[str]", extra: "list[str]", python: str
) -> "tuple[list[str], str, str] | None":
    """``(argv, cwd, PYTHONPATH)`` that run a ``.py`` entry point as ``python script.py``
    would, for a runtime that can start the script itself (the process runtime: one
    interpreter start, no launcher); None when the launcher must run instead (no or a
    missing entry point, bad arguments — it reports those — or a non-Python program)."""
    program = env.get("SAGEMAKER_PROGRAM") or env.get("SM_USER_ENTRY_POINT")
    if not program or not program.endswith(".py"):
        return None
    submit = env.get("SAGEMAKER_SUBMIT_DIRECTORY", "")
    if submit and "://" not in submit:
        code_dir = submit
    else:
        input_dir = env.get("SM_INPUT_DIR", "/opt/ml/input")
        code_dir = os.path.join(os.path.dirname(input_dir.rstrip("/")), "code")
    path = program if os.path.isabs(program) else os.path.join(code_dir, program)
    if not os.path.isfile(path) or not os.path.isdir(code_dir):
        return None
    try:
        user_args = parse_string_list(env.get("SM_USER_ARGS") or "[]")
    except ValueError:
        return None
    pythonpath = os.pathsep.join(p for p in (code_dir, env.get("PYTHONPATH", "")) if p)
    return [python, os.path.abspath(path), *user_args, *extra], code_dir, pythonpath


def main(argv: list[str] | None = None) -> int:
    extra = list(sys.argv[1:] if argv is None else argv)
    program = os.environ.get("SAGEMAKER_PROGRAM") or os.environ.get("SM_USER_ENTRY_POINT")
    if not program:
        print(
            "train: no entry point: set SAGEMAKER_PROGRAM (a script in the code folder)",
            file=sys.stderr,
        )
        return 2
    code_dir = _code_dir()
    path = program if os.path.isabs(program) else os.path.join(code_dir, program)
    if not os.path.exists(path):
        print(f"train: entry point {path} does not exist", file=sys.stderr)
        return 2
    try:
        user_args = parse_string_list(os.environ.get("SM_USER_ARGS") or "[]")
    except ValueError:
        print("train: SM_USER_ARGS is not a JSON list", file=sys.stderr)
        return 2
    if os.path.isdir(code_dir):
        os.chdir(code_dir)
        os.environ["PYTHONPATH"] = os.pathsep.join(
            p for p in (code_dir, os.environ.get("PYTHONPATH", "")) if p
        )
    if not path.endswith(".py"):
        sys.stdout.flush()
        sys.stderr.flush()
        os.execv(path, [path, *user_args, *extra])
    path = os.path.abspath(path)
    # sys.path as `python <script>` has it: the script's folder first (never the launcher's)
    here = os.path.dirname(os.path.abspath(__file__))
    if sys.path and os.path.abspath(sys.path[0] or ".") == here:
        del sys.path[0]
    front = [os.path.dirname(path)]
    if os.path.isdir(code_dir) and os.path.abspath(code_dir) != front[0]:
        front.append(os.path.abspath(code_dir))
    sys.path[0:0] = front
    return run_script(path, [*user_args, *extra])


#: ``python launcher.py SPARE_FLAG <channel fd> <ready fd>`` starts a warm spare
SPARE_FLAG = "--mlstudio-warm-spare"
#: ``python -I -S launcher.py SUPERVISE_FLAG <exit file> program args...`` runs a program
#: under a supervisor (:func:`run_supervised`)
SUPERVISE_FLAG = "--mlstudio-supervise"


def record_exit(path: str, code: int) -> None:
    """Write ``code`` (decimal, then a newline) to ``path`` atomically: to a temporary file
    beside it, renamed over it, so a reader sees the whole code or no file."""
    temporary = f"{path}.{os.getpid()}.tmp"
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    try:
        os.write(fd, f"{code}\n".encode())
    finally:
        os.close(fd)
    os.replace(temporary, path)


def read_exit(path: str) -> "int | None":
    """The exit code :func:`record_exit` wrote to ``path``; None when there is none."""
    try:
        with open(path, "rb") as file:
            return int(file.read().strip())
    except (OSError, ValueError):
        return None


def fork_supervised(exit_file: str) -> None:
    """Split this process in two. The child returns at once and goes on to be the job. The
    parent, the job's supervisor, never returns: it waits for the child, records its exit
    code in ``exit_file`` (:func:`record_exit`; ``128 + N`` after signal ``N``, as
    containers report it) and exits with that code.

    The supervisor ignores SIGTERM, SIGINT and SIGHUP (blocked across the fork, so none is
    lost or acted on in between): the runner signals the whole process group, so the job
    gets them and decides, and its supervisor outlives it to record how it ended. The
    child keeps this process's signal handlers and mask. Nothing is imported here
    (``_signal`` is loaded at Python's start-up), so a warm spare's job sees the modules
    ``python script.py`` would. OSError when the fork fails.
    """
    import _signal

    held = {_signal.SIGTERM, _signal.SIGINT, _signal.SIGHUP}
    mask = _signal.pthread_sigmask(_signal.SIG_BLOCK, held)
    try:
        pid = os.fork()
    except BaseException:
        _signal.pthread_sigmask(_signal.SIG_SETMASK, mask)
        raise
    if pid == 0:
        _signal.pthread_sigmask(_signal.SIG_SETMASK, mask)
        return
    for signum in held:
        _signal.signal(signum, _signal.SIG_IGN)
    _signal.pthread_sigmask(_signal.SIG_SETMASK, mask)
    _, status = os.waitpid(pid, 0)
    code = os.waitstatus_to_exitcode(status)
    code = 128 - code if code < 0 else code
    try:  # fails only when the runner has cleaned up meanwhile: nobody is left to read it
        record_exit(exit_file, code)
    finally:
        os._exit(code)


def run_supervised(exit_file: str, argv: "list[str]") -> int:
    """Run the program ``argv`` (searched on ``PATH``) under a supervisor
    (:func:`fork_supervised`); in the child, exec it, or print why it cannot start and
    exit 127 (not found) or 126 (not executable), as a shell would."""
    fork_supervised(exit_file)
    try:
        os.execvp(argv[0], argv)
    except OSError as exc:
        print(f"cannot start {argv[0]}: {exc}", file=sys.stderr, flush=True)
        code = 127 if isinstance(exc, FileNotFoundError) else 126
    os._exit(code)


def startup_path(script: str, pythonpath: str, base: "list[str]") -> "list[str]":
    """``sys.path`` as ``python <script>`` started with ``PYTHONPATH=pythonpath`` in the
    current folder has it, given ``base``: the interpreter's own entries (what ``sys.path``
    holds without ``PYTHONPATH`` and without the script's folder). As CPython builds it:
    the ``PYTHONPATH`` entries (made absolute against the current folder; an empty entry
    is the current folder) before ``base``, duplicates dropped as :mod:`site` drops them
    (the first one stays), then the script's folder (symbolic links resolved) in front,
    unless ``sys.flags.safe_path``."""
    entries = [os.path.abspath(p) for p in pythonpath.split(os.pathsep)] if pythonpath else []
    seen: set[str] = set()
    rest = []
    for entry in [*entries, *base]:
        if entry not in seen:
            seen.add(entry)
            rest.append(entry)
    if getattr(sys.flags, "safe_path", False):
        return rest
    return [os.path.dirname(os.path.realpath(script)), *rest]


def _read_all(fd: int) -> bytes:
    chunks: list[bytes] = []
    while True:
        chunk = os.read(fd, 1 << 16)
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)


def spare(channel: int, ready: int) -> int:
    """A warm spare of the process runtime (see :mod:`.warm`): started in advance, with
    stdin, stdout and stderr on ``/dev/null`` and without ``PYTHONPATH``, it writes one
    byte to ``ready``, then waits for one launch message on ``channel``, read to its end:
    NUL-separated (:func:`os.fsencode`) fields ``log file, exit file, folder, N,
    argv[0..N-1], NAME=value...``, where ``argv`` is ``[python, script, *args]`` as
    :func:`direct_command` gives it. Then it forks (:func:`fork_supervised`: the spare
    stays as the job's supervisor and records its exit code in the exit file) and, in the
    child, in this order: the log file (opened to append)
    becomes fd 1 and 2, ``os.environ`` is replaced by the job's environment, the folder
    becomes the current one, ``sys.path`` is :func:`startup_path`'s, ``sys.orig_argv`` is
    ``argv``, the host names of ``MLSTUDIO_HOST_ADDRESSES`` resolve (as the job's
    ``sitecustomize`` would have made them, see :mod:`.process`), and the script runs as
    :func:`run_script` runs it. Resource limits are set from outside (the runner, before
    it writes the message). Nothing else is imported here: the job sees the modules
    ``python script.py`` would have loaded. A channel closed
    without a message (the runner let go) exits 0."""
    safe_path = getattr(sys.flags, "safe_path", False)
    base = sys.path[:] if safe_path else sys.path[1:]  # without the launcher's folder
    compile("", "<warm-up>", "exec", dont_inherit=True)  # the AST types (~1.5 ms), ahead
    os.write(ready, b"1")
    os.close(ready)
    message = _read_all(channel)
    os.close(channel)
    if not message:
        return 0
    fields = [os.fsdecode(f) for f in message.split(b"\0")]
    fork_supervised(fields[1])
    del fields[1]
    count = int(fields[2])
    argv = fields[3 : 3 + count]
    try:
        log = os.open(fields[0], os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o666)
        os.dup2(log, 1)
        os.dup2(log, 2)
        os.close(log)
    except OSError as exc:
        print(f"train: cannot open the log: {exc}", file=sys.stderr)
        return 2
    os.environ.clear()
    for item in fields[3 + count :]:
        name, _, value = item.partition("=")
        if name:
            os.environ[name] = value
    try:
        os.chdir(fields[1])
    except OSError as exc:
        print(f"train: {exc}", file=sys.stderr)
        return 2
    sys.path[:] = startup_path(argv[1], os.environ.get("PYTHONPATH", ""), base)
    for finder in list(sys.path_importer_cache.values()):  # folders listed at start-up:
        if finder is not None and hasattr(finder, "invalidate_caches"):  # list them again
            finder.invalidate_caches()
    sys.orig_argv[:] = argv
    if os.environ.get("MLSTUDIO_HOST_ADDRESSES"):  # what the job's sitecustomize would do
        try:
            import mlstudio_hostnames
        except ImportError:
            pass
        else:
            mlstudio_hostnames.install_from_environment()
    return run_script(argv[1], argv[2:])


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == SPARE_FLAG:
        sys.exit(spare(int(sys.argv[2]), int(sys.argv[3])))
    if len(sys.argv) >= 4 and sys.argv[1] == SUPERVISE_FLAG:
        sys.exit(run_supervised(sys.argv[2], sys.argv[3:]))
    sys.exit(main())
