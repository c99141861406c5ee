"""Catch, while parallel tasks run, the random-state mistakes that no
reading of the code can see.

Wrap each task where you hand it to an executor::

    from rng_guard import guarded

    Parallel(n_jobs=4)(delayed(guarded(fit_one))(x) for x in xs)  # joblib
    pool.map(guarded(simulate), xs)               # multiprocessing
    executor.submit(guarded(simulate), x)         # concurrent.futures
    client.submit(guarded(simulate), x)           # dask.distributed

Inside the worker, a guarded task raises ``RandomStateMisuse``, which
reaches the caller through the executor like any error of the task (or
warns, with ``guarded(task, on_misuse="warn")``), when

* it draws from, or reseeds, a global random state: NumPy's legacy one
  (``np.random.rand()``, ``np.random.seed()``, the ``RandomState``
  that ``random_state=None`` gives scikit-learn and SciPy, and the one
  SciPy's distributions keep from SciPy's import: ``norm.rvs()``, a frozen
  ``norm().rvs()``) or Python's ``random`` module. The message names the
  first call, the library call the task made that led there
  (``norm_gen.rvs``, ``train_test_split``), and the task's line.
  Workers that start as copies of one process draw the same numbers
  from it, and a run from it cannot be repeated. A task
  that reseeds it before drawing, with a seed of its own
  (``np.random.seed(seed)``, a seed that differs from task to task) or
  with fresh entropy (``np.random.seed()``), is right in a worker process
  that runs one task at a time, and passes there; it is reported in the
  process that handed it out (threads, or tasks run in sequence: the
  state is the program's, shared), in a worker whose threads run tasks
  side by side, and when another task of its run reseeded with the same
  seed (the tasks start alike);
* it starts with a NumPy ``Generator``, ``BitGenerator``, ``RandomState``
  or ``SeedSequence``, or a ``random.Random``, in the same state as
  another task of its run: an argument, a module-level or closed-over
  name the task uses, or an attribute of a method's object, or what such
  a name holds (a function bound to one, ``from numpy.random import
  rand``; an attribute, or an attribute's attribute: ``norm``, a frozen
  ``norm()``, sent by value with a task defined in the script). Copies of
  one generator draw the same numbers.

Tasks wrapped at one place form one run; wrapping tasks there again
once they have been sent starts a new run, so a seeded run repeated on
purpose, in a loop, passes. Wrap once, ``task = guarded(f)``, to send the
tasks one by one (``[client.submit(task, x) for x in xs]``).

What it does not watch: a generator made inside the task without a seed
(it is independent, only not reproducible), other libraries' own global
states (PyTorch, TensorFlow), C code that draws without Python, and an
integer seed handed to several tasks (``default_rng([seed, task_id])``
makes that right). With threads, a draw is charged to the thread that
made it. When a process's first guarded task starts, the guard points
what held NumPy's global state or its functions (SciPy's distributions,
``from numpy.random import rand``) at the state it watches, in
dictionaries, objects' attributes and closures; one held in a tuple, a
list, or a running function's local names, and Python's ``from random
import random``, are only seen when one guarded task runs at a time, and
then no call is named. Repeats are found
across the processes of one machine (through notes in /dev/shm, or the
temporary folder), not across machines.

Guard a program nobody edited: with this file on the path (PYTHONPATH,
or beside the program)::

    python -m rng_guard [--warn] [--json FILE] script.py [args...]

runs script.py as ``__main__``, with ``sys.argv`` its own, as python and
``coverage run`` do, and guards every task it hands out: to joblib's
``Parallel`` (every backend), to a ``multiprocessing`` pool (``map``,
``imap``, ``imap_unordered``, ``starmap``, their ``_async`` forms,
``apply_async`` and ``apply``) or a ``Process(target=...)`` that the
program's own code makes (not the processes of pools), to a
``concurrent.futures`` process or thread executor (``submit``, ``map``),
or to dask's ``Client.submit`` and ``Client.map``; scikit-learn's own
``Parallel`` calls too. Tasks guarded already are left alone. Workers
started by fork, spawn or forkserver run the tasks guarded: a guarded task
pickles as the task does, by reference to its function. At exit, it
prints to stderr each misuse once: the state, the first call in the
library and in the task, how many tasks met it and through which
executors; ``--json FILE`` writes it for CI. The program's output and
exit status pass through, but the status is 3 (``EXIT_MISUSE``) when a
task misused a random state, even if the program caught the error. With
``--warn`` the tasks warn and go on, and the status is the program's.
Tasks report their misuses, from whichever process of the machine runs
them, as files in a folder the runner makes (in /dev/shm where there is
one), so tasks on other machines (a dask cluster) are not in the report,
though their errors still reach the program, and a program that ends by
``os._exit`` gets none. ``main(argv)`` is the same command, for an
entry point. Tasks handed to one
``map``-like call, or to one ``Parallel`` call, form a run; tasks
submitted one by one to one executor, pool or client form one run; the
processes made in one call of a function form one run.

Guard a test suite: ``pytest -p rng_guard`` (with this file importable)
guards every task the tests hand out, as the runner does, and fails each
test whose tasks misused a random state, with the report, even if the
test caught the error. The plugin is on only when asked for by name:
importing this module patches nothing, and installing the tools declares
no pytest entry point.

One file, standard library only; NumPy is watched when it is installed.
Python 3.11 or later.
"""

import atexit
import ctypes
import functools
import hashlib
import inspect
import itertools
import json
import os
import pickle
import random
import reprlib
import shutil
import sys
import sysconfig
import tempfile
import threading
import time
import types
import warnings

try:
    import numpy
except ImportError:  # Python's random is still watched
    numpy = None

__all__ = ["guarded", "RandomStateMisuse", "RandomStateWarning", "main",
           "EXIT_MISUSE"]

EXIT_MISUSE = 3  # python -m rng_guard's status when a task misused a state


class RandomStateMisuse(RuntimeError):
    """A guarded task used random state that makes tasks repeat each
    other, or makes their results impossible to repeat."""


class RandomStateWarning(UserWarning):
    """What ``RandomStateMisuse`` says, for ``on_misuse="warn"``."""


def guarded(task, on_misuse="raise"):
    """Return ``task`` wrapped so that, wherever it runs, its use of random
    state is checked. ``on_misuse`` is ``"raise"`` or ``"warn"``."""
    if not callable(task):
        raise TypeError(f"guarded() needs a callable task, not {task!r}")
    if on_misuse not in ("raise", "warn"):
        raise ValueError(
            f'on_misuse must be "raise" or "warn", not {on_misuse!r}')
    return GuardedTask(task, on_misuse, _run(sys._getframe(1)))


class GuardedTask:
    """A task and what its guard needs: it pickles, as the task does."""

    def __init__(self, task, on_misuse, run, executor=None):
        self.task = task
        self.on_misuse = on_misuse
        self.run = run
        self.folder = os.path.join(_notes_folder(), str(run))
        self.executor = executor  # what handed the task out, for the report
        self.reports = _config["reports"]  # where a runner collects misuses
        self.home = os.getpid()  # the process whose global states are the
        # program's own
        # cloudpickle renames the file of code it copies "<dynamic-code>"
        code = getattr(_innermost(task), "__code__", None)
        self.origin = code.co_filename if code else None
        functools.update_wrapper(self, task, updated=())

    def __repr__(self):
        return f"guarded({self.task!r})"

    def __getstate__(self):  # pickled to be sent: its run has begun
        _used(self.run)
        return self.__dict__

    def __call__(self, *args, **kwargs):
        _used(self.run)
        name = _task_name(self.task, args, kwargs)
        problems = _repeated_states(self, name, args, kwargs)
        self._report(problems)
        if problems and self.on_misuse == "raise":
            raise RandomStateMisuse(
                "\n".join(problem["message"] for problem in problems))
        before, outer = _enter(self.origin)
        try:
            result = self.task(*args, **kwargs)  # the task's own line
        finally:
            problem = _leave(self, name, before, outer)
        if problem:
            problems.append(problem)
            self._report([problem])
        if problems and self.on_misuse == "raise":
            raise RandomStateMisuse(
                "\n".join(problem["message"] for problem in problems))
        for problem in problems:
            warnings.warn(problem["message"], RandomStateWarning,
                          stacklevel=2)
        return result

    def _report(self, problems):
        """Leave each problem, as a file, where the runner that guarded
        this task collects them (it may be another process)."""
        if not problems or not self.reports:
            return
        for problem in problems:
            record = {**problem, "executor": self.executor or "guarded()"}
            name = f"{os.getpid()}-{threading.get_ident()}-{next(_records)}"
            try:
                with open(os.path.join(self.reports, name + ".tmp"),
                          "w") as file:
                    json.dump(record, file)
                os.replace(os.path.join(self.reports, name + ".tmp"),
                           os.path.join(self.reports, name + ".json"))
            except OSError:  # the runner has gone: the error still travels
                pass


def _innermost(task):
    """The function inside guards, partials and scikit-learn's wrapper."""
    while True:
        if isinstance(task, functools.partial):
            task = task.func
        elif isinstance(task, GuardedTask):
            task = task.task
        elif _is_sklearn_wrapper(task):
            task = task.function
        else:
            return getattr(task, "__func__", task)


def _is_sklearn_wrapper(task):
    """scikit-learn's Parallel wraps each task to carry its configuration."""
    return type(task).__name__ == "_FuncWrapper" and hasattr(task, "function")


def _definition(task, origin=None):
    """'file:line in function' where the task is defined, or its name;
    code that cloudpickle copied is in the file origin."""
    function = _innermost(task)
    code = getattr(function, "__code__", None)
    if code is None:
        return getattr(function, "__qualname__", type(function).__name__)
    return _where(code.co_filename, code.co_firstlineno, code.co_name, origin)


# -- Runs: which tasks must not start in the same state ---------------------
#
# Tasks wrapped at one place of the caller form a run, until that place
# wraps tasks again after the run has begun (a loop that runs them again):
# a seeded run repeated on purpose is right. A generator expression, as in
# Parallel()(delayed(guarded(f))(x) for x in xs), is one run however its
# wrapping and the sending of tasks interleave. Each run notes its tasks'
# states in a folder of its own; a new run removes the previous one's.

_folder = None, None  # (process id, folder) of this process's notes
# set by the runner and the pytest plugin
_config = {"reports": None, "on_misuse": "raise"}
_records = itertools.count()
_current = {"frame": None, "run": 0, "begun": False}


def _notes_folder():
    """The folder where the tasks guarded by this process note the states
    they start with, removed at exit: in memory (/dev/shm) where there is
    one, as on Linux, because a note on disk costs a task tens of
    microseconds; else in the temporary folder."""
    global _folder
    if _folder[0] != os.getpid():  # none yet, or a forked parent's
        memory = "/dev/shm"
        where = memory if os.path.isdir(memory) and os.access(
            memory, os.W_OK | os.X_OK) else None
        _folder = os.getpid(), tempfile.mkdtemp(prefix="rng-guard-",
                                                dir=where)
        atexit.register(shutil.rmtree, _folder[1], ignore_errors=True)
        _current.update(frame=None, run=0, begun=False)
    return _folder[1]


def _run(frame):
    """The run of a task wrapped in frame; a new run forgets the notes."""
    generator = frame.f_code.co_flags & inspect.CO_GENERATOR
    if frame is not _current["frame"] or (
            _current["begun"] and not generator):
        # The frame is kept until the next run, so that no new frame can
        # take its address.
        finished = os.path.join(_notes_folder(), str(_current["run"]))
        shutil.rmtree(finished, ignore_errors=True)
        _current.update(frame=frame, run=_current["run"] + 1, begun=False)
    return _current["run"]


def _used(run):
    if run == _current["run"]:
        _current["begun"] = True


# -- Random objects that reach several tasks in the same state ---------------

_LEGACY_STATES = (random.Random,) + (
    (numpy.random.RandomState,) if numpy is not None else ())
_RANDOM_TYPES = _LEGACY_STATES + ((
    numpy.random.Generator, numpy.random.BitGenerator,
    numpy.random.SeedSequence) if numpy is not None else ())
_recent = {}  # fingerprint -> object, this process's latest: threads share


def _state_of(value):
    """(kind, state) for a random object, or None for anything else."""
    if numpy is not None:
        if isinstance(value, numpy.random.Generator):
            return "Generator", value.bit_generator.state
        if isinstance(value, numpy.random.BitGenerator):
            return type(value).__name__, value.state
        if isinstance(value, numpy.random.SeedSequence):
            return "SeedSequence", (
                value.entropy, value.spawn_key, value.pool_size,
                value.n_children_spawned)
    if isinstance(value, _LEGACY_STATES):
        state = (value.getstate() if isinstance(value, random.Random)
                 else value.get_state(legacy=False))
        return type(value).__name__, state
    return None


def _candidates(task, args, kwargs):
    """(where, value) for what a task starts with: its arguments, a
    partial's, a method's object's attributes, and the module-level and
    closed-over names its code uses. Lists are not opened: a list of
    spawned seeds that every task indexes is right."""
    found = [(f"argument {index + 1}", value)
             for index, value in enumerate(args)]
    found += [(f"argument {key}=", value) for key, value in kwargs.items()]
    while isinstance(task, (functools.partial, GuardedTask)) or (
            _is_sklearn_wrapper(task)):
        if isinstance(task, functools.partial):
            found += [("a partial's argument", value) for value in task.args]
            found += [(f"a partial's {key}=", value)
                      for key, value in task.keywords.items()]
            task = task.func
        elif isinstance(task, GuardedTask):
            task = task.task
        else:
            task = task.function
    owner = getattr(task, "__self__", None)
    if owner is not None and not isinstance(owner, types.ModuleType):
        found += [(f"self.{key}", value)
                  for key, value in getattr(owner, "__dict__", {}).items()]
    function = getattr(task, "__func__", task)
    code = getattr(function, "__code__", None)
    if code is not None:
        names = getattr(function, "__globals__", {})
        for name in code.co_names:
            if name in names:
                found += _held(f"module-level {name}", names[name])
        for name, cell in zip(code.co_freevars, function.__closure__ or ()):
            try:
                found += _held(f"closed-over {name}", cell.cell_contents)
            except ValueError:  # a cell not yet filled
                pass
    return found


_PLAIN = (type, types.ModuleType, types.FunctionType)


def _held(where, value, depth=2):
    """(where, value), and the random objects value holds: a function
    bound to one (rand, from numpy.random import rand), or an attribute,
    or an attribute's attribute (scipy.stats.norm._random_state, a frozen
    norm().dist._random_state): cloudpickle sends a task's module-level
    names by value, copies of one state, to the workers."""
    found = [(where, value)]
    owner = getattr(value, "__self__", None) if callable(value) else None
    if isinstance(owner, _RANDOM_TYPES):
        found.append((f"{where}'s {type(owner).__name__}", owner))
    elif depth and not isinstance(value, _PLAIN + _RANDOM_TYPES):
        attributes = getattr(value, "__dict__", None)
        if type(attributes) is dict:
            for key, held in list(attributes.items()):
                if isinstance(held, _RANDOM_TYPES):
                    found.append((f"{where}.{key}", held))
                elif depth > 1 and not isinstance(held, _PLAIN):
                    found += _held(f"{where}.{key}", held, depth - 1)[1:]
    return found


def _repeated_states(guard, name, args, kwargs):
    """A message for each random object this task starts with in a state
    that another task of its run started with; a note for the others."""
    problems = []
    for where, value in _candidates(guard.task, args, kwargs):
        if _is_global(value):
            continue  # its draws are watched, not its copies
        state = _state_of(value)
        if state is None:
            continue
        kind = state[0]
        fingerprint = hashlib.blake2b(
            pickle.dumps(state, protocol=4), digest_size=16).hexdigest()
        if _recent.get(fingerprint) is value:
            continue  # one object shared by threads is not a copy
        _recent[fingerprint] = value
        while len(_recent) > 256:
            del _recent[next(iter(_recent))]
        path = os.path.join(guard.folder, fingerprint)
        try:
            _mark_start(path, name)
        except FileExistsError:
            problems.append({
                "misuse": "started in another task's state",
                "state": f"a {kind} ({where})", "call": None,
                "library": None,
                "task_line": _definition(guard.task, guard.origin),
                "task": name, "message":
                f"{name} starts with a {kind} ({where}) in the state that "
                f"{_first_holder(path)} started with: copies of one {kind} "
                "give every "
                "task that gets one the same numbers. Give each task its "
                "own: seeds = np.random.SeedSequence(seed).spawn(n_tasks), "
                "or rng.spawn(n_tasks), then one per task."})
            continue
    return problems


def _is_global(value):
    """Whether value is a global state (NumPy's, before or after the guard
    watched it: they share one bit generator), or its bit generator."""
    if value is random._inst:
        return True
    if numpy is None:
        return False
    bits = numpy.random.mtrand._rand._bit_generator
    return value is bits or isinstance(value, numpy.random.RandomState) and (
        value._bit_generator is bits)


def _mark_start(path, name):
    """Note at path that task name started there, or raise FileExistsError
    if another task did first. The note is a symbolic link whose target is
    the name, made whole in one system call: a file costs three, about 40
    microseconds more a task. Where links cannot be made (Windows without
    the privilege), a file."""
    for attempt in range(2):
        try:
            return os.symlink(name, path)
        except FileExistsError:
            raise
        except FileNotFoundError:  # the run's folder: made below, then again
            os.makedirs(os.path.dirname(path), exist_ok=True)
        except (OSError, NotImplementedError):
            break
    _write_note(_create(path), name)


def _write_note(descriptor, name):
    """Write the task's name in its note and close it: one write, no file
    object (a buffered file's close cost a task about 25 microseconds)."""
    try:
        os.write(descriptor, name.encode())
    finally:
        os.close(descriptor)


def _create(path):
    """Create the note at path, and its run's folder if it is missing (the
    first task of a run, a run begun again, or another machine)."""
    try:
        return os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
    except FileNotFoundError:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        return os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY)


def _first_holder(path):
    """The task that wrote the note at path (it may be writing it now)."""
    for attempt in range(20):
        try:
            name = os.readlink(path)
        except OSError:  # a file (or gone: a new run has begun meanwhile)
            try:
                with open(path) as file:
                    name = file.read()
            except FileNotFoundError:
                break
        if name:
            return name
        time.sleep(0.001)
    return "another task"


# -- Draws from the global states --------------------------------------------

_using = {}  # thread id -> the first global draw of its running task
_origins = {}  # thread id -> the file of its running task
_lock = threading.Lock()
_starts = itertools.count()  # numbers every guarded task's start
_running = 0  # guarded tasks running in this process
_task_threads = set()  # the threads that have run guarded tasks here
_threads_pid = [os.getpid()]  # the process _task_threads is about
_RUNNER = GuardedTask.__call__.__code__
_LIBRARY_ROOTS = sorted(
    {os.path.normpath(sysconfig.get_paths()[kind]) + os.sep
     for kind in ("purelib", "platlib", "stdlib")}, key=len, reverse=True)
_READS = {"get_state", "getstate"}
_RESEEDS = {"seed", "set_state", "setstate"}


def _place(frame, origin):
    """'file:line in function' for a frame, a library's file relative to
    the folder it is installed in. Code that cloudpickle copied is in the
    task's file, origin."""
    return _where(frame.f_code.co_filename, frame.f_lineno,
                  frame.f_code.co_name, origin)


def _where(path, line, function, origin):
    if path == "<dynamic-code>" and origin:
        path = origin
    for root in _LIBRARY_ROOTS:
        if path.startswith(root):
            path = path[len(root):]
            break
    else:
        if os.path.isabs(path):
            try:
                path = os.path.relpath(path)
            except ValueError:  # another drive, on Windows
                pass
    return f"{path}:{line} in {function}"


def _note(state, call, seed=None):
    """Note the first global-state call of this thread's guarded task:
    where it was made, and the task's line that led there."""
    if _using.get(threading.get_ident(), ()) is not None:
        return
    frame = sys._getframe(2)
    origin = _origins.get(threading.get_ident())
    place, task_line, entry, caller = _place(frame, origin), None, None, frame
    chain = []  # the frames from the draw out to the task's
    while caller is not None and caller.f_code is not _RUNNER:
        if _installed(caller) and caller.f_back is not None and (
                not _installed(caller.f_back)):
            entry = len(chain)  # the outermost library call the task made
        chain.append(caller)
        task_line, caller = caller, caller.f_back
    if caller is None:  # not called from the guarded task: another thread's
        return
    while entry and "<locals>" in chain[entry].f_code.co_qualname and (
            _installed(chain[entry - 1])):
        entry -= 1  # a decorator's wrapper: the function it wraps
    entry = chain[entry] if entry is not None else None
    led = _place(task_line, origin) if task_line is not frame else None
    _using[threading.get_ident()] = (state, call, place, led, seed,
                                     _called(entry) if entry else None)


def _installed(frame):
    """Whether a frame runs code of an installed library."""
    path = frame.f_code.co_filename
    return any(path.startswith(root) for root in _LIBRARY_ROOTS)


def _called(frame):
    """The library call that led to the draw: norm_gen.rvs for
    scipy.stats.norm.rvs, rv_continuous_frozen.rvs for a frozen norm()."""
    name = frame.f_code.co_name
    owner = frame.f_locals.get("self") if "self" in frame.f_code.co_varnames \
        else None
    if owner is not None and callable(getattr(type(owner), name, None)):
        return f"{type(owner).__name__}.{name}"
    return frame.f_code.co_qualname


def _seed(name, args, kwargs):
    """What a reseeding call sets: "entropy" for seed() without a seed, a
    fingerprint of its seed or state, or None for a draw, or a seed that
    cannot be told apart from another."""
    if name not in _RESEEDS:
        return None
    given = [value for value in (*args, *kwargs.values())]
    if name == "seed" and (not given or given[0] is None):
        return "entropy"
    try:
        return hashlib.blake2b(pickle.dumps((name, given), protocol=4),
                               digest_size=16).hexdigest()
    except Exception:  # noqa: BLE001 -- a seed that does not pickle
        return None


def _watch_python_random():
    """Make every function of Python's random module note its callers."""
    shared = random._inst
    for name in dir(random):
        function = getattr(random, name)
        if getattr(function, "__self__", None) is not shared:
            continue
        if name in _READS:
            continue

        def watched(*args, __function=function, __name=name, **kwargs):
            if _using:
                _note("Python's random module", f"random.{__name}()",
                      _seed(__name, args, kwargs))
            return __function(*args, **kwargs)

        setattr(random, name, functools.wraps(function)(watched))


def _watch_numpy():
    """Swap NumPy's global RandomState for one that notes its callers and
    draws from the same bit generator, so the numbers do not change."""
    mtrand = numpy.random.mtrand
    legacy = mtrand._rand
    methods = {}
    for name in dir(numpy.random.RandomState):
        if name.startswith("_") or name in _READS:
            continue

        def method(self, *args, __name=name, **kwargs):
            if _using:
                _note("NumPy's global random state",
                      f"np.random.{__name}()", _seed(__name, args, kwargs))
            return getattr(numpy.random.RandomState, __name)(
                self, *args, **kwargs)

        methods[name] = functools.wraps(
            getattr(numpy.random.RandomState, name))(method)
    watched_type = type("RandomState", (numpy.random.RandomState,), methods)
    watched = watched_type(legacy._bit_generator)
    watched.set_state(legacy.get_state())  # a cached normal, if any
    functions = {}  # id -> a function of the global state, as bound before
    bound = {id(legacy): watched}  # id of each -> its watched stand-in
    for module in (numpy.random, mtrand):
        for name in dir(module):
            if getattr(getattr(module, name), "__self__", None) is legacy:
                functions[id(getattr(module, name))] = getattr(module, name)
                bound[id(getattr(module, name))] = getattr(watched, name)
                setattr(module, name, getattr(watched, name))
    mtrand._rand = watched  # what check_random_state(None) returns
    # A function only NumPy's modules held is held now by functions alone
    # (and by the comprehension, and getrefcount): none to point elsewhere.
    held = [function for function in functions.values()
            if sys.getrefcount(function) > 3]
    # legacy is held by this function, getrefcount and its functions: a
    # program that keeps it elsewhere (SciPy does) costs a scan.
    if held or sys.getrefcount(legacy) > 2 + len(functions):
        _rebind([legacy] + held, bound)


def _rebind(held, bound):
    """Point at the watched state whatever held NumPy's global one, or its
    functions, before the guard began: SciPy's distributions (scipy.stats.
    norm keeps the RandomState of SciPy's import), a frozen norm(), and
    names bound by ``from numpy.random import rand``. Dictionaries, objects'
    attributes and closures are rewritten; tuples, lists and the local
    names of running functions are not. One pass over the objects Python
    tracks: milliseconds, once per process."""
    import gc

    modules = {id(getattr(module, "__dict__", None))
               for module in list(sys.modules.values())}
    other = []  # dictionaries of no module: an object's, or a class's
    for referrer in gc.get_referrers(*held):  # held keeps the ids apart
        if isinstance(referrer, types.CellType):
            if id(referrer.cell_contents) in bound:
                referrer.cell_contents = bound[id(referrer.cell_contents)]
        elif type(referrer) is dict and id(referrer) not in modules:
            other.append(referrer)
        elif not isinstance(referrer, (types.FrameType, type)):
            _swap(referrer if type(referrer) is dict else getattr(
                referrer, "__dict__", None), bound)
    if other:
        # A class's attributes are set through the class, which tells the
        # interpreter's caches; what is left is written in place.
        for owner in gc.get_referrers(*other):
            if isinstance(owner, type):
                for key, value in list(vars(owner).items()):
                    if id(value) in bound:
                        setattr(owner, key, bound[id(value)])
        for names in other:
            _swap(names, bound)


def _swap(names, bound):
    if type(names) is dict:
        for key, value in list(names.items()):
            if id(value) in bound:
                names[key] = bound[id(value)]


def _global_states():
    """The global states, to catch draws made through a name bound before
    the task started. NumPy's is read as the bytes of its MT19937 state
    (624 words and a position), without building its dictionary."""
    states = [random.getstate()]
    if numpy is not None:
        bits = numpy.random.mtrand._rand._bit_generator
        if isinstance(bits, numpy.random.MT19937):
            states.append(ctypes.string_at(bits.ctypes.state_address,
                                           624 * 4 + 4))
        else:  # a global state someone replaced: its dictionary, then
            states.append(pickle.dumps(bits.state))
    return states


_watched = False  # the global states are watched from the first task on


def _enter(origin):
    """Start watching the global states for the calling thread's task."""
    global _running, _watched
    with _lock:
        if not _watched:
            _watch_python_random()
            if numpy is not None:
                _watch_numpy()
            _watched = True
        _running += 1
        if _threads_pid[0] != os.getpid():  # a forked parent's threads
            _task_threads.clear()
            _threads_pid[0] = os.getpid()
        _task_threads.add(threading.get_ident())
        start = next(_starts)
        before = _global_states() if _running == 1 else None
    ident = threading.get_ident()
    outer = _using.get(ident, ()), _origins.get(ident)
    _using[ident], _origins[ident] = None, origin
    return (start, before), outer


def _leave(guard, name, before, outer):
    """Stop watching; a message if the task used a global state."""
    global _running
    ident = threading.get_ident()
    use = _using.pop(ident)
    outer, outer_origin = outer
    if outer_origin is None:
        _origins.pop(ident, None)  # an outer guard's may be gone already
    else:
        _origins[ident] = outer_origin
    with _lock:
        _running -= 1
        (start, states) = before
        alone = states is not None and next(_starts) == start + 1
        changed = alone and _global_states() != states
    if outer != ():  # a guarded task inside a guarded task
        _using[ident] = outer if outer is not None else use
    if use is None and not changed:
        return None
    if use is None:
        return {"misuse": "drew from",
                "state": "a global random state, through a name bound "
                "before the task started", "call": None, "library": None,
                "task_line": _definition(guard.task, guard.origin),
                "task": name,
                "message":
                f"{name} drew from a global random state through a name "
                "bound before the task started that the guard could not "
                "point at the state it watches (from random import ..., or "
                "a NumPy function kept in a tuple, a list or a running "
                "function's names), so it did not see where. "
                + _WHAT_HAPPENS["drew from", None] + _FIX}
    state, call, place, led, seed, entry = use
    verb = "reseeded" if call.split(".")[-1][:-2] in _RESEEDS else "drew from"
    where = f"{call} at {place}" + (
        f", called by {entry}()" if entry else "") + (
        f", reached from {led}" if led else "")
    happens = _WHAT_HAPPENS.get((verb, state), _WHAT_HAPPENS[verb, None])
    if verb == "reseeded":
        happens = _reseeding(guard, name, seed)
        if happens is None:
            return None
    return {"misuse": verb, "state": state, "call": call,
            "library": place if led else None, "task_line": led or place,
            "entry": entry, "task": name, "message":
            f"{name} {verb} {state}: {where}. " + happens + _FIX}


def _reseeding(guard, name, seed):
    """What is wrong with a task's reseeding a global state before it drew
    from it, or None. In a worker process that runs one task at a time, a
    seed of the task's own, or fresh entropy, is right: no other task draws
    from that state. It is wrong in the process that handed the task out
    (the program's own state: its threads, or tasks in sequence), in a
    worker whose threads run tasks side by side, with a seed another task
    of the run used, or with a seed that cannot be told apart."""
    if os.getpid() == guard.home or len(_task_threads) > 1:
        return _WHAT_HAPPENS["reseeded", None]
    if seed is None:
        return ("The guard cannot tell its seed from other tasks' seeds. ")
    if seed == "entropy":
        return None
    try:
        _mark_start(os.path.join(guard.folder, "seed-" + seed), name)
    except FileExistsError:
        return (f"{_first_holder(os.path.join(guard.folder, 'seed-' + seed))}"
                " reseeded it with the same seed, so the tasks start alike "
                "and draw the same numbers. ")
    except OSError:
        return None
    return None


_WHAT_HAPPENS = {
    ("drew from", "NumPy's global random state"): (
        "Worker processes that start as copies of one process (fork) get "
        "copies of it and draw the same numbers; elsewhere no run can be "
        "repeated, and threads share it. "),
    ("drew from", "Python's random module"): (
        "Python reseeds it in each worker process, so tasks differ unless "
        "a module seeds it at import, but no run can be repeated, and "
        "threads share it. "),
    ("drew from", None): (
        "Workers that start as copies of one process may draw the same "
        "numbers from it, no run can be repeated, and threads share it. "),
    ("reseeded", None): (
        "It is the state of the process that handed the task out, or of "
        "a worker whose threads run tasks side by side: the tasks and "
        "the program share it and race for it, so what a task draws after "
        "its seed depends on the others. "),
}
_FIX = ("Give each task its own seed and its own generator, "
        "rng = np.random.default_rng(seed), and pass a library "
        "random_state=np.random.RandomState(rng.bit_generator).")


def _task_name(task, args, kwargs):
    """fit_one(3, Generator): the task, with short arguments shown."""
    task = _innermost(task)
    name = getattr(task, "__qualname__", None) or type(task).__name__
    short = _SHORT
    shown = [short.repr(value) if isinstance(value, (int, float, str))
             else type(value).__name__ for value in args]
    shown += [f"{key}=" + (short.repr(value)
                          if isinstance(value, (int, float, str))
                          else type(value).__name__)
              for key, value in kwargs.items()]
    return f"{name}({', '.join(shown)})"


_SHORT = reprlib.Repr()
_SHORT.maxstring = _SHORT.maxother = 20


# -- Guarding a program nobody edited: python -m rng_guard script.py ---------
#
# The places where tasks are handed out are patched, in this process, as
# their modules are imported: each task is wrapped in a GuardedTask, which
# pickles by reference to the task, so that workers started by fork, spawn
# or forkserver, or by loky or dask, run it guarded. Tasks already guarded
# are left as they are. Each misuse a task meets is left as a file in the
# reports folder (a path each GuardedTask carries), from any process of the
# machine; the runner reads them when the program ends.

_runs = itertools.count(1)
_site_runs = {}  # id(frame) -> (frame, run): the Process objects of a call


def _new_run():
    """A run of its own, apart from the runs that guarded() makes."""
    return f"auto-{next(_runs)}"


def _holds_guard(task):
    """Whether a task is guarded already, or carries a guarded task (as
    ProcessPoolExecutor.map hands submit a partial around the function)."""
    if isinstance(task, GuardedTask):
        return True
    if isinstance(task, functools.partial):
        return _holds_guard(task.func) or any(
            isinstance(value, GuardedTask)
            for value in (*task.args, *task.keywords.values()))
    return False


_GUARDED_ABOVE = {"joblib", "distributed", "dask"}  # patched at their level


def _guard(task, run, executor, anyone=False):
    """task guarded; as it was if it is guarded already, or if joblib or
    dask hand it to the pool (its tasks inside are guarded already)."""
    if task is None or _holds_guard(task) or not callable(task):
        return task
    if not anyone and sys._getframe(2).f_globals.get(
            "__name__", "").partition(".")[0] in _GUARDED_ABOVE:
        return task
    return GuardedTask(task, _config["on_misuse"], run, executor)


def _executor_run(executor):
    """One run per executor or pool: the tasks submitted to it one by one."""
    run = getattr(executor, "_rng_guard_run", None)
    if run is None:
        run = _new_run()
        try:
            executor._rng_guard_run = run
        except AttributeError:
            pass
    return run


def _patch(owner, name, make):
    """Replace owner.name by make(original), once."""
    original = owner.__dict__.get(name)
    if original is None or getattr(original, "_rng_guard_patch", False):
        return
    patched = functools.wraps(original)(make(original))
    patched._rng_guard_patch = True
    setattr(owner, name, patched)


class _GuardedCalls:
    """joblib's iterable of (function, args, kwargs), its functions guarded
    as they are taken; its length kept, for joblib's progress."""

    def __init__(self, calls, parallel):
        self.calls, self.parallel, self.run = calls, parallel, _new_run()

    def __iter__(self):
        for call in self.calls:
            try:
                function, args, kwargs = call
            except (TypeError, ValueError):  # not a delayed call: joblib says
                yield call
                continue
            backend = type(getattr(self.parallel, "_backend", None)).__name__
            yield (_guard(function, self.run, f"joblib.Parallel ({backend})",
                          anyone=True), args, kwargs)


class _GuardedSizedCalls(_GuardedCalls):
    def __len__(self):
        return len(self.calls)


def _patch_joblib(module):
    def make(original):
        def __call__(self, iterable):
            calls = (_GuardedSizedCalls if hasattr(iterable, "__len__")
                     else _GuardedCalls)(iterable, self)
            return original(self, calls)
        return __call__
    _patch(module.Parallel, "__call__", make)


def _patch_pool(module):
    pool = module.Pool
    for name in ("map", "map_async", "imap", "imap_unordered", "starmap",
                 "starmap_async"):
        def make(original, name=name):
            def method(self, func, *args, **kwargs):
                task = _guard(func, _new_run(), f"multiprocessing.Pool.{name}")
                return original(self, task, *args, **kwargs)
            return method
        _patch(pool, name, make)

    def make_apply(original):
        def apply_async(self, func, *args, **kwargs):
            task = _guard(func, _executor_run(self),
                          "multiprocessing.Pool.apply_async")
            return original(self, task, *args, **kwargs)
        return apply_async
    _patch(pool, "apply_async", make_apply)


def _from_library(frame):
    path = frame.f_code.co_filename
    return path.startswith("<") or any(
        path.startswith(root) for root in _LIBRARY_ROOTS)


def _patch_process(module):
    """A Process made by the program's own code runs its target guarded;
    the processes that pools, loky and dask make for their workers do not.
    The processes that one call makes are one run."""
    def make(original):
        def __init__(self, *args, **kwargs):
            frame = sys._getframe(1)
            while frame is not None and frame.f_code.co_name == "__init__" \
                    and isinstance(frame.f_locals.get("self"), type(self)):
                frame = frame.f_back  # a subclass's __init__
            if frame is None or _from_library(frame):
                return original(self, *args, **kwargs)
            if len(args) >= 2:
                args = (args[0], _guard(args[1], _site_run(frame),
                                        "multiprocessing.Process"),
                        *args[2:])
            elif "target" in kwargs:
                kwargs["target"] = _guard(kwargs["target"], _site_run(frame),
                                          "multiprocessing.Process")
            return original(self, *args, **kwargs)
        return __init__
    _patch(module.BaseProcess, "__init__", make)


def _site_run(frame):
    if id(frame) not in _site_runs:
        _site_runs[id(frame)] = frame, _new_run()
    return _site_runs[id(frame)][1]


def _patch_futures(module, kind):
    """submit, and map: ThreadPoolExecutor's is Executor's, which calls
    submit; ProcessPoolExecutor's sends Executor's a partial around it."""
    executor = getattr(module, kind)

    def make_submit(original):
        def submit(self, fn, /, *args, **kwargs):
            task = _guard(fn, _executor_run(self),
                          f"{type(self).__name__}.submit")
            return original(self, task, *args, **kwargs)
        return submit
    _patch(executor, "submit", make_submit)

    def make_map(original):
        def map(self, fn, *iterables, **kwargs):
            task = _guard(fn, _new_run(), f"{type(self).__name__}.map")
            return original(self, task, *iterables, **kwargs)
        return map
    for owner in executor.__mro__:
        if "map" in owner.__dict__:
            _patch(owner, "map", make_map)


def _patch_dask(module):
    client = module.Client

    def make_submit(original):
        def submit(self, func, *args, **kwargs):
            task = _guard(func, _executor_run(self), "dask Client.submit")
            return original(self, task, *args, **kwargs)
        return submit
    _patch(client, "submit", make_submit)

    def make_map(original):
        def map(self, func, *iterables, **kwargs):
            task = _guard(func, _new_run(), "dask Client.map")
            return original(self, task, *iterables, **kwargs)
        return map
    _patch(client, "map", make_map)


_PATCHES = {
    "joblib.parallel": _patch_joblib,
    "multiprocessing.pool": _patch_pool,
    "multiprocessing.process": _patch_process,
    "concurrent.futures.process":
        lambda module: _patch_futures(module, "ProcessPoolExecutor"),
    "concurrent.futures.thread":
        lambda module: _patch_futures(module, "ThreadPoolExecutor"),
    "distributed.client": _patch_dask,
}


class _PatchOnImport:
    """Patch the modules that hand out tasks when they are imported (or
    now, if they are): the program imports nothing it would not."""

    def find_spec(self, name, path=None, target=None):
        if name not in _PATCHES:
            return None
        for finder in sys.meta_path:
            if finder is self or not hasattr(finder, "find_spec"):
                continue
            spec = finder.find_spec(name, path, target)
            if spec is not None:
                break
        else:
            return None
        loader = spec.loader
        if loader is None or not hasattr(loader, "exec_module"):
            return spec
        execute = loader.exec_module

        def exec_module(module):
            execute(module)
            _PATCHES[name](module)
        loader.exec_module = exec_module
        return spec


def install(on_misuse="raise", reports=None):
    """Guard every task that joblib, multiprocessing, concurrent.futures
    and dask.distributed hand out from now on, in this process; note each
    misuse in the folder reports, if given."""
    _config.update(on_misuse=on_misuse, reports=reports)
    if not any(isinstance(finder, _PatchOnImport) for finder in sys.meta_path):
        sys.meta_path.insert(0, _PatchOnImport())
    for name, patch in _PATCHES.items():
        if name in sys.modules:
            patch(sys.modules[name])


def _reports_folder():
    memory = "/dev/shm"
    where = memory if os.path.isdir(memory) and os.access(
        memory, os.W_OK | os.X_OK) else None
    folder = tempfile.mkdtemp(prefix="rng-guard-report-", dir=where)
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    return folder


def _misuses(reports, seen=()):
    """The misuses noted in the folder reports (but the files in seen),
    each once: how many tasks met it, and through which executors."""
    found = {}
    for entry in sorted(os.listdir(reports)):
        if not entry.endswith(".json") or entry in seen:
            continue
        try:
            with open(os.path.join(reports, entry)) as file:
                record = json.load(file)
        except (OSError, ValueError):
            continue
        key = (record["misuse"], record["state"], record["call"],
               record["library"], record["task_line"])
        if key not in found:
            found[key] = {**{name: record[name] for name in (
                "misuse", "state", "call", "library", "task_line")},
                "entry": record.get("entry"), "tasks": 0, "executors": [],
                "example": record["message"]}
        misuse = found[key]
        # Which task's files come first depends on process ids: show the
        # same example whatever they are, the least of the messages.
        misuse["example"] = min(misuse["example"], record["message"])
        misuse["tasks"] += 1
        if record["executor"] not in misuse["executors"]:
            misuse["executors"].append(record["executor"])
    return list(found.values())


def _report_text(misuses, warned=False):
    lines = [f"rng_guard: RandomStateMisuse: {len(misuses)} misuse"
             f"{'s' if len(misuses) != 1 else ''} of random state in "
             "parallel tasks" + (" (--warn: the tasks went on)" if warned
                                 else "")]
    for number, misuse in enumerate(misuses, 1):
        tasks = misuse["tasks"]
        lines.append(f"{number}. {misuse['state']}: "
                     f"{_DONE.get(misuse['misuse'], misuse['misuse'])} by "
                     f"{tasks} task{'s' if tasks != 1 else ''}, through "
                     + ", ".join(misuse["executors"]))
        if misuse["library"]:
            lines.append(f"   in the library: {misuse['call']} at "
                         f"{misuse['library']}")
        if misuse.get("entry"):
            lines.append(f"   called by the task: {misuse['entry']}()")
        lines.append("   in the task: " + (
            f"{misuse['call']} at " if misuse["call"] and not
            misuse["library"] else "") + misuse["task_line"])
        lines.append(f"   {misuse['example']}")
    return "\n".join(lines)


_DONE = {"drew from": "drawn from", "reseeded": "reseeded",
         "started in another task's state": "copied from another task"}


def _run_path(path, args):
    """Run the script at path as __main__, as python and coverage run do;
    its exit status."""
    import runpy
    import traceback

    sys.argv = [path, *args]
    here = os.path.dirname(os.path.abspath(__file__))
    sys.path[0] = os.path.dirname(os.path.abspath(path))
    if here not in sys.path:  # where spawned workers find the guard
        sys.path.append(here)
    try:
        runpy.run_path(os.path.abspath(path), run_name="__main__")
    except SystemExit as leaving:
        code = leaving.code
        if code is None or isinstance(code, int):
            return code or 0
        print(code, file=sys.stderr)
        return 1
    except BaseException as error:  # noqa: BLE001 -- as python reports it
        trace = error.__traceback__  # from the program's first line on
        while trace is not None and (
                trace.tb_frame.f_code.co_filename != os.path.abspath(path)):
            trace = trace.tb_next
        traceback.print_exception(type(error), error,
                                  trace or error.__traceback__)
        return 130 if isinstance(error, KeyboardInterrupt) else 1
    return 0


def main(argv=None):
    """python -m rng_guard [--warn] [--json FILE] script.py [args...]"""
    import argparse

    parser = argparse.ArgumentParser(
        prog=("rng-guard" if os.path.basename(sys.argv[0]) == "rng-guard"
              else "python -m rng_guard"),
        description="Run a Python program with every task it hands to "
        "joblib, multiprocessing, concurrent.futures or dask.distributed "
        "guarded: report the tasks that draw from or reseed a global random "
        "state, or start in another task's state. The program's output and "
        f"exit status pass through; the status is {EXIT_MISUSE} when a task "
        "misused a random state (but with --warn).")
    parser.add_argument("--warn", action="store_true",
                        help="warn in the tasks and let them go on, rather "
                        "than raise RandomStateMisuse; report at exit, and "
                        "keep the program's exit status")
    parser.add_argument("--json", metavar="FILE",
                        help="also write the report to FILE, as JSON")
    parser.add_argument("script", help="the program to run, as python would")
    parser.add_argument("args", nargs=argparse.REMAINDER,
                        help="the program's own arguments")
    options = parser.parse_args(argv)
    if not os.path.isfile(options.script):
        print(f"rng_guard: can't open file {options.script!r}",
              file=sys.stderr)
        return 2
    reports = _reports_folder()
    install("warn" if options.warn else "raise", reports)
    status = _run_path(options.script, options.args)
    misuses = _misuses(reports)
    if misuses:
        sys.stderr.flush()
        print(_report_text(misuses, options.warn), file=sys.stderr)
    if options.json:
        with open(options.json, "w") as file:
            json.dump({"misuses": misuses, "program_status": status,
                       "warn": options.warn}, file, indent=2)
    sys.stdout.flush()
    if misuses and not options.warn:
        return EXIT_MISUSE
    return status


# -- The pytest plugin: pytest -p rng_guard -----------------------------------
#
# Loaded only by name (-p rng_guard, or a conftest's pytest_plugins): the
# tools declare no pytest11 entry point, and importing this module installs
# nothing.

def pytest_configure(config):
    import pytest

    reports = _reports_folder()
    install("raise", reports)

    class Plugin:
        @pytest.hookimpl(wrapper=True)
        def pytest_runtest_call(self, item):
            seen = set(os.listdir(reports))
            try:
                return (yield)
            finally:
                misuses = _misuses(reports, seen)
                if misuses:
                    raise RandomStateMisuse(_report_text(misuses))

    config.pluginmanager.register(Plugin(), "rng_guard_tasks")


if __name__ == "__main__":
    # Run as the module rng_guard, not as __main__, so that the tasks it
    # guards pickle as rng_guard.GuardedTask; __main__ is the program's.
    import rng_guard

    sys.exit(rng_guard.main())
