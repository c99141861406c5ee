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
  (``np.random.rand()``, ``np.random.seed()``, and the ``RandomState``
  that ``random_state=None`` gives scikit-learn and SciPy) or Python's
  ``random`` module. The message names the first call, and the task's
  line that led there. Workers that start as copies of one process draw
  the same numbers from it, and a run from it cannot be repeated;
* it starts with a NumPy ``Generator``, ``BitGenerator``, ``RandomState``
  or ``SeedSequence``, or a ``random.Random``, in the same state as
  another task of its run: an argument, a module-level or closed-over
  name the task uses, or an attribute of a method's object. Copies of one
  generator draw the same numbers.

Tasks wrapped at one place form one run; wrapping tasks there again
once they have been sent starts a new run, so a seeded run repeated on
purpose, in a loop, passes. Wrap once, ``task = guarded(f)``, to send the
tasks one by one (``[client.submit(task, x) for x in xs]``).

What it does not watch: a generator made inside the task without a seed
(it is independent, only not reproducible), other libraries' own global
states (PyTorch, TensorFlow), C code that draws without Python, and an
integer seed handed to several tasks (``default_rng([seed, task_id])``
makes that right). With threads, a draw is charged to the thread that
made it, but a name bound before the task started
(``from numpy.random import rand``) is only seen when one guarded task
runs at a time. Repeats are found across the processes of one machine
(through files in /dev/shm, or the temporary folder), not across
machines.

One file, standard library only; NumPy is watched when it is installed.
Python 3.11 or later.
"""

import atexit
import ctypes
import functools
import hashlib
import inspect
import itertools
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

__all__ = ["guarded", "RandomStateMisuse", "RandomStateWarning"]


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

    def __init__(self, task, on_misuse, run):
        self.task = task
        self.on_misuse = on_misuse
        self.run = run
        self.folder = os.path.join(_notes_folder(), str(run))
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
        if problems and self.on_misuse == "raise":
            raise RandomStateMisuse("\n".join(problems))
        before, outer = _enter(self.origin)
        try:
            result = self.task(*args, **kwargs)  # the task's own line
        finally:
            problem = _leave(name, before, outer)
        if problem:
            problems.append(problem)
        if problems and self.on_misuse == "raise":
            raise RandomStateMisuse("\n".join(problems))
        for problem in problems:
            warnings.warn(problem, RandomStateWarning, stacklevel=2)
        return result


def _innermost(task):
    """The function inside guards and partials."""
    while isinstance(task, (functools.partial, GuardedTask)):
        task = task.func if isinstance(task, functools.partial) else task.task
    return getattr(task, "__func__", task)


# -- Runs: which tasks must not start in the same state ---------------------
#
# Tasks wrapped at one place of the caller form a run, until that place
# wraps tasks again after the run has begun (a loop that runs them again):
# a seeded run repeated on purpose is right. A generator expression, as in
# Parallel()(delayed(guarded(f))(x) for x in xs), is one run however its
# wrapping and the sending of tasks interleave. Each run notes its tasks'
# states in a folder of its own; a new run removes the previous one's.

_folder = None, None  # (process id, folder) of this process's notes
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
    while isinstance(task, (functools.partial, GuardedTask)):
        if isinstance(task, functools.partial):
            found += [("a partial's argument", value) for value in task.args]
            found += [(f"a partial's {key}=", value)
                      for key, value in task.keywords.items()]
            task = task.func
        else:
            task = task.task
    owner = getattr(task, "__self__", None)
    if owner is not None and not isinstance(owner, types.ModuleType):
        found += [(f"self.{key}", value)
                  for key, value in getattr(owner, "__dict__", {}).items()]
    function = getattr(task, "__func__", task)
    code = getattr(function, "__code__", None)
    if code is not None:
        names = getattr(function, "__globals__", {})
        found += [(f"module-level {name}", names[name])
                  for name in code.co_names if name in names]
        for name, cell in zip(code.co_freevars, function.__closure__ or ()):
            try:
                found.append((f"closed-over {name}", cell.cell_contents))
            except ValueError:  # a cell not yet filled
                pass
    return found


def _repeated_states(guard, name, args, kwargs):
    """A message for each random object this task starts with in a state
    that another task of its run started with; a note for the others."""
    problems = []
    for where, value in _candidates(guard.task, args, kwargs):
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
            note = _create(path)
        except FileExistsError:
            problems.append(
                f"{name} starts with a {kind} ({where}) in the state that "
                f"{_first_holder(path)} started with: copies of one {kind} "
                "give every "
                "task that gets one the same numbers. Give each task its "
                "own: seeds = np.random.SeedSequence(seed).spawn(n_tasks), "
                "or rng.spawn(n_tasks), then one per task.")
            continue
        with os.fdopen(note, "w") as file:
            file.write(name)
    return problems


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
            with open(path) as file:
                name = file.read()
        except FileNotFoundError:  # a new run has begun meanwhile
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
    path = frame.f_code.co_filename
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
    return f"{path}:{frame.f_lineno} in {frame.f_code.co_name}"


def _note(state, call):
    """Note the first global-state call of this thread's guarded task:
    where it was made, and the task's line that led there."""
    if _using.get(threading.get_ident(), ()) is not None:
        return
    frame = sys._getframe(2)
    origin = _origins.get(threading.get_ident())
    place, task_line, caller = _place(frame, origin), None, frame
    while caller is not None and caller.f_code is not _RUNNER:
        task_line, caller = caller, caller.f_back
    if caller is None:  # not called from the guarded task: another thread's
        return
    led = _place(task_line, origin) if task_line is not frame else None
    _using[threading.get_ident()] = (state, call, place, led)


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
                _note("Python's random module", f"random.{__name}()")
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
                      f"np.random.{__name}()")
            return getattr(numpy.random.RandomState, __name)(
                self, *args, **kwargs)

        methods[name] = functools.wraps(
            getattr(numpy.random.RandomState, name))(method)
    watched_type = type("RandomState", (numpy.random.RandomState,), methods)
    watched = watched_type(legacy._bit_generator)
    watched.set_state(legacy.get_state())  # a cached normal, if any
    for module in (numpy.random, mtrand):
        for name in dir(module):
            if getattr(getattr(module, name), "__self__", None) is legacy:
                setattr(module, name, getattr(watched, name))
    mtrand._rand = watched  # what check_random_state(None) returns


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
        start = next(_starts)
        before = _global_states() if _running == 1 else None
    ident = threading.get_ident()
    outer = _using.get(ident, ()), _origins.get(ident)
    _using[ident], _origins[ident] = None, origin
    return (start, before), outer


def _leave(name, before, outer):
    """Stop watching; a message if the task used a global state."""
    global _running
    ident = threading.get_ident()
    use = _using.pop(ident)
    outer, outer_origin = outer
    if outer_origin is None:
        del _origins[ident]
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
        return (f"{name} drew from a global random state through a name "
                "bound before the task started (from numpy.random import "
                "..., or from random import ...), so the guard did not see "
                "where. " + _WHAT_HAPPENS["drew from", None] + _FIX)
    state, call, place, led = use
    verb = "reseeded" if call.split(".")[-1][:-2] in _RESEEDS else "drew from"
    where = f"{call} at {place}" + (f", reached from {led}" if led else "")
    return (f"{name} {verb} {state}: {where}. "
            + _WHAT_HAPPENS.get((verb, state), _WHAT_HAPPENS[verb, None])
            + _FIX)


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
        "The seed then holds for every later task in the same worker, "
        "and threads race for the one state. "),
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
