#!/usr/bin/env python3
"""Find the random-state mistakes that make parallel Python code repeat itself.

Usage::

    python rng_check.py [--select CODES] [--ignore CODES] PATH...

PATH is a Python file, a Jupyter notebook, or a folder, searched for
``*.py`` and ``*.ipynb`` files (folders such as ``.venv``, ``.git`` and
``node_modules`` are skipped). Each finding is printed as
``path:line:column: CODE message``, the format editors and CI systems read;
in a notebook, ``path:cell N:line:column: CODE message``, as ruff does.
Columns count characters. The exit status is 0 when every file was checked
and nothing was found, 1 when something was found or a file could not be
checked, and 2 on a usage error. ``# noqa: RSP001`` at the end of a line
silences that code on that line (a bare ``# noqa`` silences every code).

Codes:

RSP001  a parallel task draws from, or reseeds, a global random state
RSP002  one generator reaches every task: passed to each, or made at
        module level; or a pool initializer seeds every worker alike
RSP003  a seed made by arithmetic on another seed, the loop counter, or
        a DataLoader's worker id
RSP004  a global state seeded or drawn at import, in a module whose tasks
        draw from it in processes that start from it
RSP005  a task seeds with the time, a process id, a uuid or hash()
RSP006  a task spawns children from a parent that every task shares

The checker reads code; it does not run it. It follows names within one
file: a function or method handed to ``joblib.delayed``, a
``multiprocessing`` pool, a ``concurrent.futures`` executor, a thread, a
dask client or a dask collection's ``map``; the ``run`` of a ``Process``
subclass; the functions and methods of the same file that a task calls; a
task function passed once through a parameter; and names bound by a plain
assignment or a ``with`` statement. It does not follow imports from other
modules, attributes, containers or dynamic dispatch, and it cannot see a
library call that draws from a global state. It only needs the Python
standard library, version 3.11 or later. Each code is explained, with
runnable examples, on the site this file comes from (SITE_URL).
"""

import argparse
import ast
import io
import json
import os
import re
import stat
import sys
import tokenize
from dataclasses import dataclass
from pathlib import Path

if sys.version_info < (3, 11):  # before anything that older ones lack
    sys.exit("rng_check.py needs Python 3.11 or later; this is "
             f"Python {sys.version.split()[0]}")

# The site that explains each code. The published site writes its own
# address here when it builds the file you download; a copy with none
# prints no links.
SITE_URL = ""

# Each code is explained on the site's page about this checker.
CODES = {code: f"auto_examples/plot_check_your_code.html#{code.lower()}"
         for code in ["RSP001", "RSP002", "RSP003", "RSP004", "RSP005",
                      "RSP006"]}

# Folders that hold other people's code or build output, never searched.
SKIPPED_FOLDERS = {".git", ".hg", ".svn", ".venv", "venv", ".tox", ".nox",
                   "__pycache__", "node_modules", "site-packages",
                   ".mypy_cache", ".pytest_cache", ".ruff_cache"}

# -- What the names mean --------------------------------------------------

# np.random.<name>: functions that use NumPy's one global RandomState.
NUMPY_GLOBAL = {
    "beta", "binomial", "bytes", "chisquare", "choice", "dirichlet",
    "exponential", "f", "gamma", "geometric", "gumbel", "hypergeometric",
    "laplace", "logistic", "lognormal", "logseries", "multinomial",
    "multivariate_normal", "negative_binomial", "noncentral_chisquare",
    "noncentral_f", "normal", "pareto", "permutation", "poisson", "power",
    "rand", "randint", "randn", "random", "random_integers",
    "random_sample", "ranf", "rayleigh", "sample", "seed", "set_state",
    "shuffle", "standard_cauchy", "standard_exponential", "standard_gamma",
    "standard_normal", "standard_t", "triangular", "uniform", "vonmises",
    "wald", "weibull", "zipf"}
# random.<name>: functions that use the random module's hidden instance.
PYTHON_GLOBAL = {
    "betavariate", "binomialvariate", "choice", "choices", "expovariate",
    "gammavariate", "gauss", "getrandbits", "lognormvariate",
    "normalvariate", "paretovariate", "randbytes", "randint", "random",
    "randrange", "sample", "seed", "setstate", "shuffle", "triangular",
    "uniform", "vonmisesvariate", "weibullvariate"}
GLOBAL_DRAWS = ({f"numpy.random.{name}" for name in NUMPY_GLOBAL}
                | {f"random.{name}" for name in PYTHON_GLOBAL})

BIT_GENERATORS = {"PCG64", "PCG64DXSM", "MT19937", "Philox", "SFC64"}
# Calls that make a random state, and the name of their seed argument.
SEEDED_BY = {
    "numpy.random.seed": "seed",
    "numpy.random.default_rng": "seed",
    "numpy.random.RandomState": "seed",
    "numpy.random.SeedSequence": "entropy",
    "random.seed": "a",
    "random.Random": "x",
    **{f"numpy.random.{name}": "seed" for name in BIT_GENERATORS},
}
GENERATORS = {"numpy.random.default_rng", "numpy.random.RandomState",
              "numpy.random.Generator", "random.Random",
              *(f"numpy.random.{name}" for name in BIT_GENERATORS)}
CLOCKS_AND_IDS = {
    "time.time", "time.time_ns", "time.perf_counter", "time.monotonic",
    "time.perf_counter_ns", "time.monotonic_ns", "time.process_time",
    "os.getpid", "os.getppid", "datetime.datetime.now",
    "datetime.datetime.utcnow", "threading.get_ident",
    "threading.get_native_id", "uuid.uuid1", "uuid.uuid4"}

DELAYED = {"joblib.delayed", "dask.delayed"}
# Methods that run their first argument as a task, on these receivers.
TASK_METHODS = {"map", "imap", "imap_unordered", "map_async", "starmap",
                "starmap_async", "apply", "apply_async", "submit"}
EXECUTORS = {"multiprocessing.Pool", "multiprocessing.pool.Pool",
             "multiprocessing.pool.ThreadPool",
             "concurrent.futures.ProcessPoolExecutor",
             "concurrent.futures.ThreadPoolExecutor",
             "distributed.Client", "loky.get_reusable_executor",
             "joblib.externals.loky.get_reusable_executor"}
PROCESS_CLASSES = {"multiprocessing.Process"}
# Wrappers that run the task they are given: guarded(task) is the guard
# this checker comes with (rng_guard.py).
TASK_WRAPPERS = {"rng_guard.guarded"}
# dask collections, and their methods that run a function on every piece.
DASK_COLLECTIONS = ("dask.bag.", "dask.array.", "dask.dataframe.")
DASK_METHODS = {"map", "map_blocks", "map_partitions", "map_overlap",
                "starmap"}

# Older or longer spellings of the same objects.
SYNONYMS = {"numpy.random.mtrand.": "numpy.random.",
            "dask.distributed.": "distributed.",
            "concurrent.futures.process.": "concurrent.futures.",
            "concurrent.futures.thread.": "concurrent.futures.",
            "joblib.parallel.": "joblib.",
            "distributed.client.": "distributed."}


@dataclass(frozen=True, order=True)
class Finding:
    path: str
    line: int  # in the file, or in the notebook's cell
    column: int  # in characters, from 1
    code: str
    message: str
    cell: int = 0  # a notebook's cell, counting every cell from 1

    def __str__(self):
        where = f"cell {self.cell}:" if self.cell else ""
        link = f" ({SITE_URL.rstrip('/')}/{CODES[self.code]})" \
            if SITE_URL else ""
        return (f"{self.path}:{where}{self.line}:{self.column}: {self.code} "
                f"{self.message}{link}")


ALL = object()  # what a bare "# noqa" silences


class CheckError(Exception):
    """A file that cannot be checked; the message names it and says why."""


# -- Reading a module -----------------------------------------------------


# Syntax that Python 3.11 cannot read: type parameters (PEP 695, 3.12).
NEWER_SYNTAX = re.compile(
    r"^\s*(type\s+\w+\s*(\[.*\])?\s*=|(async\s+)?def\s+\w+\s*\[|"
    r"class\s+\w+\s*\[)", re.MULTILINE)
MAGIC = re.compile(r"^\s*[%!]|^\s*\w[\w.]*\?\s*$")  # %time, !pip, name?


def read_regular_file(path):
    """The bytes of path; a FIFO or a device is refused, never opened."""
    try:
        if not stat.S_ISREG(os.stat(path).st_mode):
            raise CheckError(f"{path}: not a regular file")
        return Path(path).read_bytes()
    except OSError as error:
        raise CheckError(f"{path}: cannot read: {error.strerror}") from None


def notebook_source(path, data):
    """A notebook's code cells as one module, blank lines for the rest (and
    for IPython's magics), and the (cell, first line) of each code cell."""
    try:
        notebook = json.loads(data)
        cells = notebook["cells"]
    except (ValueError, KeyError, TypeError):
        raise CheckError(f"{path}: not a Jupyter notebook (nbformat 4 JSON)"
                         ) from None
    lines, starts = [], []
    for number, cell in enumerate(cells, start=1):
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        text = cell.get("source", "")
        text = "".join(text) if isinstance(text, list) else str(text)
        cell_lines = text.split("\n")
        if cell_lines[0].lstrip().startswith("%%"):  # a cell magic: not Python
            cell_lines = [""] * len(cell_lines)
        starts.append((len(lines) + 1, number))
        lines += ["" if MAGIC.match(line) else line for line in cell_lines]
    return "\n".join(lines) + "\n", starts


def parse(path):
    """The module's syntax tree, its source text, and for a notebook the
    (first line, cell number) of each code cell."""
    data = read_regular_file(path)
    if str(path).endswith(".ipynb"):
        source, cells = notebook_source(path, data)
    elif b"\0" in data:
        raise CheckError(f"{path}: not a Python file (binary data)")
    else:
        cells = []
        try:
            encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
            source = data.decode(encoding)
        except (SyntaxError, LookupError, UnicodeDecodeError) as error:
            raise CheckError(f"{path}: not a Python file ({error})") from None
    try:
        tree = ast.parse(source, filename=str(path))
    except SyntaxError as error:
        running = ".".join(map(str, sys.version_info[:3]))
        newer = (" (type parameters, PEP 695, need Python 3.12 or later: "
                 "run the checker with that Python)"
                 if sys.version_info < (3, 12) and NEWER_SYNTAX.search(source)
                 else "")
        cell, line = locate(cells, error.lineno or 1)
        where = f"cell {cell}:{line}" if cell else line
        raise CheckError(f"{path}:{where}:{error.offset or 0}: "
                         f"cannot parse with Python "
                         f"{running}: {error.msg}{newer}") from None
    except RecursionError:
        raise CheckError(f"{path}: too deeply nested to parse") from None
    return tree, source, cells


def locate(cells, line):
    """(cell, line in that cell) for a line of a notebook's code; (0, line)
    for a file, which has no cells."""
    for start, number in reversed(cells):
        if line >= start:
            return number, line - start + 1
    return 0, line


NOQA = re.compile(r"#\s*noqa\b(?::\s*(?P<codes>[\w\s,]+))?", re.IGNORECASE)


def noqa_comments(source):
    """{line: the codes its # noqa comment names}; ALL for a bare # noqa.

    ``# noqa: E501`` names another tool's code and silences none of these.
    """
    silenced = {}
    tokens = tokenize.generate_tokens(io.StringIO(source).readline)
    for token in tokens:
        match = NOQA.search(token.string) \
            if token.type == tokenize.COMMENT else None
        if match is None:
            continue
        codes = (match["codes"] or "").replace(",", " ").upper().split()
        silenced[token.start[0]] = set(codes) if codes else ALL
    return silenced


def is_main_guard(node):
    """True for ``if __name__ == "__main__":``."""
    test = node.test
    return (isinstance(test, ast.Compare) and len(test.ops) == 1
            and isinstance(test.ops[0], ast.Eq)
            and {ast.unparse(test.left), ast.unparse(test.comparators[0])}
            in ({"__name__", "'__main__'"}, {"__name__", '"__main__"'}))


FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)
IMPORTS = (ast.Import, ast.ImportFrom)


class Module:
    """One file: its imports, its functions, and where each node sits."""

    def __init__(self, tree):
        self.tree = tree
        self.aliases = {}  # (scope, name) -> dotted name of what it imports
        self.functions = {}  # name -> every def of that name
        self.scope_of = {}  # node -> the function (or module) it runs in
        self.parent = {}
        self.nodes = []  # every node, read once: ast.walk is slow
        self.calls = []
        stack = [(tree, tree)]
        while stack:
            node, scope = stack.pop()
            self.nodes.append(node)
            kind = type(node)
            if kind is ast.Call:
                self.calls.append(node)
            elif kind in IMPORTS:
                self.add_import(node, scope)
            elif kind is ast.FunctionDef or kind is ast.AsyncFunctionDef:
                self.functions.setdefault(node.name, []).append(node)
            inner = node if kind in FUNCTIONS else scope
            for field in node._fields:
                value = getattr(node, field, None)
                children = value if type(value) is list else (value,)
                for child in children:
                    # Contexts and operators (Load, Add...) are shared
                    # singletons, of no use here.
                    if isinstance(child, ast.AST) and child._fields:
                        self.parent[child] = node
                        self.scope_of[child] = inner
                        stack.append((child, inner))
        self.call_names = {}
        self.handoffs = None  # task_handoffs, once asked
        self.classes = [node for node in self.nodes
                        if type(node) is ast.ClassDef]
        self.bindings = {}  # (scope, name) -> values assigned to it
        for node in self.nodes:
            if isinstance(node, (ast.Assign, ast.AnnAssign)) and node.value:
                targets = node.targets if isinstance(node, ast.Assign) \
                    else [node.target]
                for target in targets:
                    if isinstance(target, ast.Name):
                        key = (self.scope_of.get(node, tree), target.id)
                        self.bindings.setdefault(key, []).append(node.value)
            elif isinstance(node, ast.withitem) and isinstance(
                    node.optional_vars, ast.Name):
                key = (self.scope_of.get(node.context_expr, tree),
                       node.optional_vars.id)
                self.bindings.setdefault(key, []).append(node.context_expr)

    def add_import(self, node, scope):
        """An import binds its names in the function (or module) it is in."""
        if type(node) is ast.Import:
            for alias in node.names:
                if alias.asname:
                    self.aliases[scope, alias.asname] = alias.name
                else:
                    root = alias.name.split(".")[0]
                    self.aliases[scope, root] = root
        elif node.module and not node.level:
            for alias in node.names:
                name = alias.asname or alias.name
                self.aliases[scope, name] = f"{node.module}.{alias.name}"

    def name_of(self, node):
        """The dotted name an expression stands for, or None.

        ``np.random.rand`` gives "numpy.random.rand" after
        ``import numpy as np``; a call gives its function's name plus "()".
        """
        if isinstance(node, ast.Name):
            name, scope = None, self.scope_of.get(node, self.tree)
            while name is None:  # this function's imports, then outer ones
                name = self.aliases.get((scope, node.id))
                if scope is self.tree:
                    break
                scope = self.scope_of.get(scope, self.tree)
        elif isinstance(node, ast.Attribute):
            base = self.name_of(node.value)
            name = base and f"{base}.{node.attr}"
        elif isinstance(node, ast.Call):
            base = self.name_of(node.func)
            name = base and f"{base}()"
        else:
            return None
        for old, new in SYNONYMS.items():
            if name and name.startswith(old):
                name = new + name[len(old):]
        return name

    def value_of(self, node):
        """What a local name was bound to, when it was bound exactly once."""
        if not isinstance(node, ast.Name):
            return node
        scope = self.scope_of.get(node, self.tree)
        for where in (scope, self.tree):
            values = self.bindings.get((where, node.id))
            if values:
                return values[0] if len(values) == 1 else None
        return None

    def call_name(self, node):
        """The dotted name of a call's function, through one binding."""
        if not isinstance(node, ast.Call):
            return None
        if node not in self.call_names:  # every rule asks: remember
            self.call_names[node] = self._call_name(node)
        return self.call_names[node]

    def _call_name(self, node):
        name = self.name_of(node.func)
        if name is None and isinstance(node.func, ast.Name):
            # randn = np.random.randn, then randn(): the function it names
            value = self.value_of(node.func)
            if isinstance(value, (ast.Attribute, ast.Name)) and \
                    value is not node.func:
                name = self.name_of(value)
        if name is None and isinstance(node.func, ast.Attribute):
            # ctx.Pool() where ctx = multiprocessing.get_context(...)
            receiver = self.value_of(node.func.value)
            base = self.name_of(receiver) if receiver is not None else None
            name = base and f"{base}.{node.func.attr}"
        return name

    def visible_functions(self, name):
        """The defs a name can mean where it is used: those of the nearest
        enclosing scope that defines it (two tests may both define "func")."""
        scope = self.scope_of.get(name, self.tree)
        defined = self.functions.get(name.id, [])
        while True:
            here = [f for f in defined
                    if self.scope_of.get(f, self.tree) is scope]
            if here or scope is self.tree:
                return here
            scope = self.scope_of.get(scope, self.tree)

    def enclosing(self, node, kinds):
        while node in self.parent:
            node = self.parent[node]
            if isinstance(node, kinds):
                return node
        return None


# -- Tasks: the functions that run in parallel ---------------------------


def with_binding(module, node):
    """What ``with EXPRESSION as NAME:`` around node bound node's name to,
    whatever else the name was bound to elsewhere (p = 400, then
    with Pool(5) as p: p.map(...))."""
    if not isinstance(node, ast.Name):
        return None
    block = module.enclosing(node, (ast.With, ast.AsyncWith))
    while block is not None:
        for item in block.items:
            if isinstance(item.optional_vars, ast.Name) and \
                    item.optional_vars.id == node.id:
                return item.context_expr
        block = module.enclosing(block, (ast.With, ast.AsyncWith))
    return None


def is_executor(module, node):
    """True when node is a pool, an executor or a dask client."""
    value = with_binding(module, node) or module.value_of(node)
    name = module.call_name(value)
    return bool(name) and (
        name in EXECUTORS
        or (name.startswith("multiprocessing.") and name.endswith(".Pool")))


def is_dask_collection(module, node, depth=0):
    """True for a dask bag, array or dataframe made in this file."""
    while isinstance(node, (ast.Attribute, ast.Call, ast.Subscript)):
        if isinstance(node, ast.Call):
            name = module.call_name(node)
            if name and name.startswith(DASK_COLLECTIONS):
                return True
            node = node.func
        else:
            node = node.value
    value = module.value_of(node) if isinstance(node, ast.Name) else None
    return depth < 8 and value is not None and value is not node and \
        is_dask_collection(module, value, depth + 1)


def subclass_runs(module, bases):
    """The run() methods of the classes that subclass one of bases."""
    for node in module.classes:
        if any(
                module.name_of(base) in bases for base in node.bases):
            for method in methods_of(node, "run"):
                yield method, node


def task_handoffs(module):
    """(function expression, call that hands it over) for every task;
    found once per module, as every rule asks."""
    if module.handoffs is None:
        module.handoffs = list(find_task_handoffs(module))
    return module.handoffs


def find_task_handoffs(module):
    yield from subclass_runs(module, PROCESS_CLASSES)
    for node in module.nodes:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            for decorator in node.decorator_list:
                if module.name_of(decorator) in DELAYED:
                    yield node, decorator
        if not isinstance(node, ast.Call):
            continue
        name = module.call_name(node)
        if name in DELAYED and node.args:
            yield node.args[0], node
        elif (isinstance(node.func, ast.Attribute) and node.args
              and node.func.attr in TASK_METHODS
              and is_executor(module, node.func.value)):
            yield node.args[0], node
        elif (isinstance(node.func, ast.Attribute) and node.args
              and node.func.attr in DASK_METHODS
              and is_dask_collection(module, node.func.value)):
            yield node.args[0], node
        elif name and (name in PROCESS_CLASSES or (
                name.startswith("multiprocessing.")
                and name.endswith(".Process"))):
            for keyword in node.keywords:
                if keyword.arg == "target":
                    yield keyword.value, node


def methods_of(classdef, name):
    return [node for node in classdef.body if isinstance(
        node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name == name]


def method_functions(module, expression):
    """The methods that self.name, or instance.name, stands for, where the
    class is defined in this file."""
    receiver = expression.value
    if not isinstance(receiver, ast.Name):
        return []
    if receiver.id in {"self", "cls"}:
        classdef = module.enclosing(expression, ast.ClassDef)
        return methods_of(classdef, expression.attr) if classdef else []
    value = module.value_of(receiver)
    if isinstance(value, ast.Call) and isinstance(value.func, ast.Name):
        return [method for classdef in module.classes
                if classdef.name == value.func.id
                for method in methods_of(classdef, expression.attr)]
    return []


def task_functions(module, expression, depth=0):
    """The definitions (or lambda) a task expression may run."""
    if isinstance(expression, FUNCTIONS):  # a lambda, or a decorated def
        return [expression]
    if isinstance(expression, ast.Call) and expression.args and \
            module.name_of(expression.func) in TASK_WRAPPERS:
        return task_functions(module, expression.args[0], depth)
    if isinstance(expression, ast.Call) and expression.args and \
            module.name_of(expression.func) == "functools.partial":
        return task_functions(module, expression.args[0], depth)
    if isinstance(expression, ast.Attribute):  # self.fit_one
        return method_functions(module, expression)
    if not isinstance(expression, ast.Name):
        return []
    if expression.id in module.functions:
        return module.visible_functions(expression)
    # A task passed through a parameter: follow the callers, once.
    scope = module.scope_of.get(expression)
    if depth or not isinstance(scope, (ast.FunctionDef,
                                       ast.AsyncFunctionDef)):
        return []
    names = [arg.arg for arg in scope.args.posonlyargs + scope.args.args]
    if expression.id not in names:
        return []
    position = names.index(expression.id)
    found = []
    for call in module.calls:
        if isinstance(call.func, ast.Name) \
                and call.func.id == scope.name:
            given = [k.value for k in call.keywords
                     if k.arg == expression.id]
            if len(call.args) > position:
                given.append(call.args[position])
            for argument in given:
                found += task_functions(module, argument, depth + 1)
    return found


def reachable(module, function):
    """function, and the functions of the module it calls, transitively."""
    seen, todo = [], [function]
    while todo:
        current = todo.pop()
        if any(current is done for done in seen):
            continue
        seen.append(current)
        for node in ast.walk(current):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
                todo += module.visible_functions(node.func)
            elif isinstance(node, ast.Call) and \
                    isinstance(node.func, ast.Attribute):  # self.helper()
                todo += method_functions(module, node.func)
    return seen


def label(function):
    return "a lambda" if isinstance(function, ast.Lambda) \
        else f"'{function.name}'"


# -- The rules ------------------------------------------------------------


def seed_argument(module, call):
    """The expression a seeding call is given as its seed, if any."""
    keyword = SEEDED_BY.get(module.call_name(call))
    if keyword is None:
        return None
    for given in call.keywords:
        if given.arg == keyword:
            return given.value
    return call.args[0] if call.args else None


def global_state_in_tasks(module):
    """RSP001 and RSP005: what each task, and what it calls, does."""
    for expression, handoff in task_handoffs(module):
        for task in task_functions(module, expression):
            for function in reachable(module, task):
                via = "" if function is task else \
                    f"{label(function)}, called by task {label(task)}, "
                subject = via or f"task {label(task)} "
                for node in ast.walk(function):
                    name = module.call_name(node)
                    if name in GLOBAL_DRAWS:
                        yield from global_draw(node, name, subject,
                                               function)
                    seed = seed_argument(module, node)
                    if seed is not None and clock_or_id(module, seed):
                        yield node, "RSP005", (
                            f"{subject}seeds from the clock, a process id, "
                            "a uuid or hash(): no run can be repeated, and "
                            "tasks can get the same seed; pass each task a "
                            "spawned seed")


SEEDING = {"seed", "set_state", "setstate"}


def global_draw(node, name, subject, function):
    """RSP001: what drawing from, or reseeding, a global state does."""
    numpy = name.startswith("numpy.")
    short = name.replace("numpy.random.", "np.random.")
    state = "NumPy's global random state" if numpy else \
        "the random module's global state"
    if name.rsplit(".", 1)[1] not in SEEDING:
        happens = ("forked workers start from copies of it and repeat each "
                   "other, and no run can be repeated") if numpy else (
            "random reseeds itself in every worker, so workers differ but "
            "no run can be repeated")
        fix = "pass each task a seed and make its generator from it"
        if not numpy:
            fix = "pass each task a seed and draw from random.Random(seed)"
        yield node, "RSP001", f"{subject}draws from {state} ({short}): " \
            f"{happens}; {fix}"
        return
    seed = node.args[0] if node.args else None
    if isinstance(seed, ast.Name) and not isinstance(function, ast.Lambda) \
            and is_local(function, seed.id):
        happens = ("a task seeded with its own seed is reproducible in "
                   "worker processes, but threads share that state and "
                   "race for it")
    elif seed is None:
        happens = "seeded from fresh entropy, no run can be repeated"
    else:
        happens = "every task seeded alike repeats the others"
    generator = "np.random.default_rng(seed)" if numpy else \
        "random.Random(seed)"
    yield node, "RSP001", f"{subject}reseeds {state} ({short}): " \
        f"{happens}; draw from {generator} instead"


def clock_or_id(module, expression):
    """True if the expression calls the clock, a process or thread id, a
    uuid, or hash(), which differs between processes for a str."""
    expression = module.value_of(expression) or expression
    return any(module.call_name(node) in CLOCKS_AND_IDS or (
        isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
        and node.func.id == "hash" and "hash" not in module.functions)
        for node in ast.walk(expression))


def loop_counters(module, node):
    """Names counting the iterations of the loops around node."""
    counters = set()
    while node in module.parent:
        node = module.parent[node]
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef,
                             ast.Lambda)):
            break
        loops = []
        if isinstance(node, (ast.For, ast.AsyncFor)):
            loops = [(node.target, node.iter)]
        elif isinstance(node, (ast.ListComp, ast.SetComp, ast.DictComp,
                               ast.GeneratorExp)):
            loops = [(g.target, g.iter) for g in node.generators]
        for target, iterable in loops:
            if not (isinstance(iterable, ast.Call) and
                    isinstance(iterable.func, ast.Name)):
                continue
            if iterable.func.id == "range" and isinstance(target, ast.Name):
                counters.add(target.id)
            elif iterable.func.id == "enumerate" and \
                    isinstance(target, ast.Tuple) and \
                    isinstance(target.elts[0], ast.Name):
                counters.add(target.elts[0].id)
    return counters


ARITHMETIC = (ast.Add, ast.Sub, ast.Mult, ast.BitXor, ast.BitOr, ast.LShift)


def is_arithmetic(node):
    """seed + i, seed * 1000 + i: arithmetic on a name, not on constants
    only, and not a list joined to another ([seed] + ids is hashed)."""
    return isinstance(node, ast.BinOp) and isinstance(node.op, ARITHMETIC) \
        and not any(isinstance(side, (ast.List, ast.Tuple, ast.ListComp))
                    for side in (node.left, node.right)) \
        and not all(isinstance(leaf, (ast.Constant, ast.operator, ast.BinOp,
                                      ast.UnaryOp, ast.unaryop))
                    for leaf in ast.walk(node))


def source_of(node, limit=60):
    """The code of node, shortened; a stand-in when it is too deep."""
    try:
        text = ast.unparse(node)
    except RecursionError:
        return "a very long expression"
    return text if len(text) <= limit else text[:limit - 3] + "..."


def seeding_parameters(module, function):
    """The parameters of function that it hands to a seeding call."""
    if isinstance(function, ast.Lambda):
        return set()
    names = {a.arg for a in function.args.posonlyargs + function.args.args}
    return {seed.id for node in ast.walk(function)
            if isinstance(seed := seed_argument(module, node), ast.Name)
            and seed.id in names}


def comprehension_of(module, loop, name):
    """The comprehension that the loop binding name iterates over, if the
    loop is ``for name in NAME`` and NAME was bound to one."""
    if isinstance(loop, (ast.For, ast.AsyncFor)):
        pairs = [(loop.target, loop.iter)]
    elif isinstance(loop, (ast.ListComp, ast.GeneratorExp, ast.SetComp)):
        pairs = [(g.target, g.iter) for g in loop.generators]
    else:
        return None
    for target, iterable in pairs:
        if isinstance(target, ast.Name) and target.id == name:
            value = module.value_of(iterable)
            if isinstance(value, (ast.ListComp, ast.GeneratorExp)):
                return value
    return None


ARITHMETIC_SEED = ("seed made by arithmetic, {}: runs with nearby roots "
                   "share streams; use SeedSequence(root).spawn(n) or "
                   "default_rng([i, root])")


def seeds_handed_to_tasks(module):
    """RSP003 outside the seeding call: a task seeds with a parameter that
    its callers fill with arithmetic, there or in a list of seeds."""
    for expression, handoff in task_handoffs(module):
        if not isinstance(handoff, ast.Call):
            continue
        for task in task_functions(module, expression):
            seeders = seeding_parameters(module, task)
            names = [] if isinstance(task, ast.Lambda) else \
                [a.arg for a in task.args.posonlyargs + task.args.args]
            for position, name in enumerate(names):
                if name not in seeders:
                    continue
                given, loop = argument_at(module, handoff, position)
                if position == 0 and len(handoff.args) > 1 and isinstance(
                        handoff.func, ast.Attribute) and handoff.func.attr in {
                        "map", "imap", "imap_unordered", "map_async"}:
                    # pool.map(task, seeds)
                    values = module.value_of(handoff.args[1])
                    if isinstance(values, (ast.ListComp, ast.GeneratorExp)) \
                            and is_arithmetic(values.elt):
                        yield values.elt, "RSP003", ARITHMETIC_SEED.format(
                            source_of(values.elt))
                if is_arithmetic(given):
                    yield given, "RSP003", ARITHMETIC_SEED.format(
                        source_of(given))
                elif isinstance(given, ast.Name) and loop is not None:
                    values = comprehension_of(module, loop, given.id)
                    if values is not None and is_arithmetic(values.elt):
                        yield values.elt, "RSP003", ARITHMETIC_SEED.format(
                            source_of(values.elt))


def hook_seeds(module):
    """RSP003 for a DataLoader's worker_init_fn that seeds with the worker
    id; RSP002 for a pool initializer that seeds with its initargs."""
    for call in module.calls:
        for keyword in call.keywords:
            if keyword.arg not in {"worker_init_fn", "initializer"} or \
                    not isinstance(keyword.value, ast.Name):
                continue
            for hook in module.visible_functions(keyword.value):
                for node in ast.walk(hook):
                    seed = seed_argument(module, node)
                    if not (isinstance(seed, ast.Name) and
                            seed.id in seeding_parameters(module, hook)):
                        continue
                    if keyword.arg == "worker_init_fn":
                        yield node, "RSP003", (
                            f"the worker id ({seed.id}) is the seed: the "
                            "workers of every epoch, and of every run, draw "
                            "the same streams; seed with [worker id, root], "
                            "a root that changes per run and epoch")
                    else:
                        yield node, "RSP002", (
                            f"the initializer '{hook.name}' seeds with its "
                            "initargs, which every worker gets alike: the "
                            "workers repeat each other; hand each worker "
                            "its own spawned seed, from a queue")


def derived_seeds(module):
    """RSP003: seed + i, seed * 1000 + i, or the bare loop counter."""
    for node in module.calls:
        seed = seed_argument(module, node)
        if seed is None:
            continue
        value = module.value_of(seed)
        if is_arithmetic(value):
            yield node, "RSP003", ARITHMETIC_SEED.format(source_of(value))
        elif isinstance(seed, ast.Name) and \
                seed.id in loop_counters(module, node):
            yield node, "RSP003", (
                f"the loop counter {seed.id} is the seed: every loop seeded "
                "this way repeats the same streams; use "
                "SeedSequence(root).spawn(n) or default_rng([i, root])")
    yield from seeds_handed_to_tasks(module)
    yield from hook_seeds(module)


def is_generator(module, expression, scope, kinds=GENERATORS):
    """True for a generator made in this file, or a name bound to one
    (through at most a few names: rng = rng, or a = b and b = a, end)."""
    for _ in range(8):
        if not isinstance(expression, ast.Name):
            return module.call_name(expression) in kinds
        values = module.bindings.get((scope, expression.id)) or \
            module.bindings.get((module.tree, expression.id)) or []
        if len(values) != 1:
            return False
        expression = values[0]
    return False


def task_arguments(module, call):
    """The arguments a task call gives its task, when call makes a task."""
    if isinstance(call.func, ast.Call) and \
            module.call_name(call.func) in DELAYED:
        arguments = call.args + [k.value for k in call.keywords]
    elif isinstance(call.func, ast.Attribute) and \
            call.func.attr in {"submit", "apply_async", "apply"} and \
            is_executor(module, call.func.value):
        arguments = call.args[1:] + [k.value for k in call.keywords]
    else:
        return []
    flat = []
    for argument in arguments:  # apply_async(f, (a, b)) and args=(a, b)
        if isinstance(argument, (ast.Tuple, ast.List)):
            flat += argument.elts
        else:
            flat.append(argument)
    return flat


def bound_in_loop(loop):
    """The names a loop or comprehension binds at each iteration."""
    if isinstance(loop, (ast.For, ast.AsyncFor)):
        nodes = [loop.target, *loop.body]
    else:
        nodes = [g.target for g in loop.generators]
    return {node.id for top in nodes for node in ast.walk(top)
            if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store)}


def module_generators_in_tasks(module):
    """(node, name) where a task uses a generator made at module level."""
    for expression, _ in task_handoffs(module):
        for task in task_functions(module, expression):
            for function in reachable(module, task):
                for node in ast.walk(function):
                    if not (isinstance(node, ast.Attribute) and isinstance(
                            node.value, ast.Name)) or \
                            node.attr in SPAWN_PATH | {"spawn"}:
                        continue  # RSP006 reports spawning
                    name = node.value
                    if not isinstance(function, ast.Lambda) and \
                            is_local(function, name.id):
                        continue
                    values = module.bindings.get((module.tree, name.id), [])
                    if len(values) == 1 and \
                            module.call_name(values[0]) in GENERATORS:
                        yield name, task


def shared_generators(module):
    """RSP002: one generator object given to every task, or made at
    module level and used in a task."""
    message = ("the generator {} goes to every task: copies in processes "
               "repeat the same numbers, threads race for it; spawn one "
               "per task with generator.spawn(n)")
    for name, task in module_generators_in_tasks(module):
        yield name, "RSP002", (
            f"task {label(task)} draws from {name.id}, a generator made at "
            "module level: loky and spawn workers each get a copy in the "
            "same state and repeat each other, forked workers copy it, "
            "threads race for it; pass each task a spawned seed instead")
    for expression, handoff in task_handoffs(module):
        if not isinstance(handoff, ast.Call):
            continue
        scope = module.scope_of.get(handoff, module.tree)
        given = []  # partial(task, rng=rng), or itertools.repeat(rng)
        while isinstance(expression, ast.Call) and expression.args and \
                module.name_of(expression.func) in TASK_WRAPPERS:
            expression = expression.args[0]
        if isinstance(expression, ast.Call) and module.name_of(
                expression.func) == "functools.partial":
            given += expression.args[1:] + [k.value
                                            for k in expression.keywords]
        for argument in handoff.args[1:]:
            given += [node.args[0] for node in ast.walk(argument)
                      if module.call_name(node) == "itertools.repeat"
                      and isinstance(node, ast.Call) and node.args]
        for argument in given:
            if isinstance(argument, ast.Name) and \
                    is_generator(module, argument, scope):
                yield argument, "RSP002", message.format(argument.id)
    for node in module.nodes:
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mult):
            # [generator] * n
            for side in (node.left, node.right):
                if isinstance(side, ast.List) and len(side.elts) == 1 and \
                        is_generator(module, side.elts[0],
                                     module.scope_of.get(node, module.tree)):
                    yield side.elts[0], "RSP002", message.format(
                        ast.unparse(side.elts[0]))
        if not isinstance(node, ast.Call):
            continue
        loop = module.enclosing(node, (
            ast.For, ast.AsyncFor, ast.ListComp, ast.SetComp, ast.DictComp,
            ast.GeneratorExp, ast.FunctionDef, ast.AsyncFunctionDef,
            ast.Lambda))
        if loop is None or isinstance(loop, (ast.FunctionDef, ast.Lambda,
                                             ast.AsyncFunctionDef)):
            continue
        scope = module.scope_of.get(node, module.tree)
        for argument in task_arguments(module, node):
            if isinstance(argument, ast.Name) and \
                    argument.id not in bound_in_loop(loop) and \
                    is_generator(module, argument, scope):
                yield argument, "RSP002", message.format(argument.id)


SPAWNERS = GENERATORS | {"numpy.random.SeedSequence"}
# rng.spawn(n), rng.bit_generator.spawn(n), rng.bit_generator.seed_seq...
SPAWN_PATH = {"bit_generator", "seed_seq", "_bit_generator", "_seed_seq"}


def spawned_parent(node):
    """The name that parent.spawn(n) spawns from, if node is such a call."""
    if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
            and node.func.attr == "spawn"):
        return None
    parent = node.func.value
    while isinstance(parent, ast.Attribute) and parent.attr in SPAWN_PATH:
        parent = parent.value
    return parent if isinstance(parent, ast.Name) else None


def is_spawner(module, expression, scope):
    """True for a SeedSequence or generator made here, or a name bound to
    exactly one."""
    return is_generator(module, expression, scope, SPAWNERS)


def is_local(function, name):
    """True when name is a parameter of function or assigned inside it."""
    arguments = function.args
    parameters = arguments.posonlyargs + arguments.args + \
        arguments.kwonlyargs + [arguments.vararg, arguments.kwarg]
    if name in {p.arg for p in parameters if p is not None}:
        return True
    return any(isinstance(node, ast.Name) and node.id == name and
               isinstance(node.ctx, ast.Store) for node in ast.walk(function))


def thread_targets(module):
    """(target, call) for threading.Thread(target=...), a task too, and
    the run() of a threading.Thread subclass."""
    yield from subclass_runs(module, {"threading.Thread"})
    for node in module.calls:
        if module.call_name(node) == "threading.Thread":
            for keyword in node.keywords:
                if keyword.arg == "target":
                    yield keyword.value, node


def argument_at(module, handoff, position):
    """The expression that the call made from handoff gives its task at
    position, and the loop the call sits in; (None, None) if unknown."""
    if not isinstance(handoff, ast.Call):  # @delayed, a Process subclass
        return None, None
    name, call, given = module.call_name(handoff), handoff, []
    if name in DELAYED:  # delayed(task)(...)
        call = module.parent.get(handoff)
        if not (isinstance(call, ast.Call) and call.func is handoff):
            return None, None
        given = call.args
    elif name == "threading.Thread" or (name or "").endswith(".Process"):
        for keyword in handoff.keywords:  # Thread(target=..., args=(...))
            if keyword.arg == "args" and isinstance(keyword.value,
                                                    (ast.Tuple, ast.List)):
                given = keyword.value.elts
    elif isinstance(handoff.func, ast.Attribute) and handoff.func.attr in {
            "submit", "apply_async", "apply"}:  # submit(task, ...)
        given = handoff.args[1:]
    loop = module.enclosing(call, (
        ast.For, ast.AsyncFor, ast.ListComp, ast.SetComp, ast.DictComp,
        ast.GeneratorExp, ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda))
    if len(given) <= position or isinstance(loop, FUNCTIONS) or not loop:
        return None, None
    return given[position], loop


def spawns_from_shared_parents(module):
    """RSP006: a task spawns children from a parent that every task shares:
    one made at module level, or one object passed to every task."""
    handoffs = [*task_handoffs(module), *thread_targets(module)]
    for expression, handoff in handoffs:
        for task in task_functions(module, expression):
            if isinstance(task, ast.Lambda):
                continue
            names = [a.arg for a in task.args.posonlyargs + task.args.args]
            for function in reachable(module, task):
                for node in ast.walk(function):
                    parent = spawned_parent(node)
                    if parent is None:
                        continue
                    if is_local(function, parent.id):
                        if function is not task or parent.id not in names:
                            continue
                        given, loop = argument_at(
                            module, handoff, names.index(parent.id))
                        shared = isinstance(given, ast.Name) and \
                            given.id not in bound_in_loop(loop) and \
                            is_spawner(module, given,
                                       module.scope_of.get(given))
                    else:
                        shared = is_spawner(module, parent,
                                            module.scope_of.get(function))
                    if shared:
                        yield node, "RSP006", (
                            f"task {label(task)} spawns from {parent.id}, "
                            "which every task shares: threads that spawn "
                            "at once can get the same child, and processes "
                            "spawn from copies that give each task the same "
                            "children; spawn them before the tasks start "
                            "and pass each task its own")


def starts_processes(module):
    """True when the module starts processes that may run it again.

    spawn workers import the main module again; forkserver workers did so
    up to Python 3.14.0 and 3.13.7, and since then copy the server, which
    imported it once. Explicit fork contexts, threads and joblib's loky
    workers do not run it again.
    """
    for node in module.calls:
        name = module.call_name(node)
        if not name:
            continue
        if name == "multiprocessing.get_context":
            method = node.args[0] if node.args else None
            if not (isinstance(method, ast.Constant) and
                    method.value == "fork"):
                return True
        elif name.startswith("multiprocessing.") and not \
                name.startswith("multiprocessing.get_context()") and \
                name.rsplit(".", 1)[1] in {"Pool", "Process"}:
            return True
        elif name == "concurrent.futures.ProcessPoolExecutor" and not any(
                k.arg == "mp_context" for k in node.keywords):
            return True  # with a context, get_context above decides
        elif name in {"distributed.LocalCluster", "distributed.Client"} \
                and not node.args and not any(  # an address, or threads
                    k.arg == "address" or (k.arg == "processes" and isinstance(
                        k.value, ast.Constant) and not k.value.value)
                    for k in node.keywords):
            return True
        elif name == "joblib.Parallel" and any(
                k.arg == "backend" and isinstance(k.value, ast.Constant)
                and k.value.value == "multiprocessing"
                for k in node.keywords):
            return True
    return False


def globals_drawn_in_tasks(module):
    """The libraries ("numpy", "random") whose global state a task uses."""
    drawn = set()
    for expression, _ in task_handoffs(module):
        for task in task_functions(module, expression):
            for function in reachable(module, task):
                drawn |= {module.call_name(node).split(".")[0]
                          for node in ast.walk(function)
                          if module.call_name(node) in GLOBAL_DRAWS}
    return drawn


def module_level_state(module):
    """RSP004: a global random state seeded or drawn from at import, in a
    module that starts processes whose tasks draw from that state.

    A generator made at import and used in a task is RSP002; a SeedSequence
    made at import draws no entropy and is the same in every process.
    """
    if not starts_processes(module):
        return
    drawn = globals_drawn_in_tasks(module)
    todo = list(ast.iter_child_nodes(module.tree))
    while todo:
        node = todo.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef,
                             ast.Lambda)):
            continue  # runs when called, not at import
        if isinstance(node, ast.If) and is_main_guard(node):
            todo += node.orelse  # the guarded block runs in the parent only
            continue
        todo += ast.iter_child_nodes(node)
        name = module.call_name(node)
        if name in GLOBAL_DRAWS and name.split(".")[0] in drawn:
            short = name.replace("numpy.random.", "np.random.")
            yield node, "RSP004", (
                f"{short} runs at import in a module whose tasks draw from "
                "that state in worker processes: spawn workers run it "
                "again, and forkserver workers start from its result, so "
                "workers start alike and repeat each other; seed nothing "
                "at import, and pass each task a spawned seed")


RULES = [global_state_in_tasks, shared_generators, derived_seeds,
         module_level_state, spawns_from_shared_parents]


def check_file(path, select=(), ignore=()):
    """The findings in one file, sorted; raises CheckError if unreadable."""
    tree, source, cells = parse(path)
    module = Module(tree)
    findings = set()
    silenced = None  # read only when there is something to silence
    lines = re.split(r"\r\n|\r|\n", source)
    for rule in RULES:
        for node, code, message in rule(module):
            line = node.lineno
            # col_offset counts UTF-8 bytes; editors count characters.
            text = lines[line - 1] if line <= len(lines) else ""
            column = len(text.encode()[:node.col_offset].decode(
                "utf-8", "replace")) + 1
            if silenced is None:
                silenced = noqa_comments(source) \
                    if "noqa" in source.lower() else {}
            codes = silenced.get(line, ())
            if codes is ALL or code in codes:
                continue
            if select and not code.startswith(tuple(select)):
                continue
            if code.startswith(tuple(ignore)):
                continue
            cell, line = locate(cells, line)
            findings.add(Finding(str(path), line, column, code, message,
                                 cell))
    return sorted(findings, key=lambda f: (f.path, f.cell, f.line, f.column,
                                           f.code))


# -- The command line -----------------------------------------------------


def python_files(path):
    """path itself if it is not a folder, else the .py and .ipynb files
    under it that are regular files (a FIFO named x.py is never opened)."""
    if not path.is_dir():
        yield path
        return
    for folder, subfolders, files in os.walk(path):
        subfolders[:] = sorted(
            name for name in subfolders
            if name not in SKIPPED_FOLDERS and not name.endswith(".egg-info")
            and not (Path(folder, name, "pyvenv.cfg").exists()))
        for name in sorted(files):
            if name.endswith((".py", ".ipynb")) and \
                    Path(folder, name).is_file():
                yield Path(folder, name)


def code_list(text):
    codes = [code.strip().upper() for code in text.split(",") if code.strip()]
    unknown = [code for code in codes
               if not any(known.startswith(code) for known in CODES)]
    if unknown:
        raise argparse.ArgumentTypeError(
            f"unknown code {', '.join(unknown)} (known: {', '.join(CODES)})")
    return codes


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog="rng_check.py",
        description="Find the random-state mistakes of parallel Python code.",
        epilog="Codes: " + "; ".join(
            f"{code}, {SITE_URL}{page}" for code, page in CODES.items())
        if SITE_URL else "Each code is explained on the page 'Check your "
        "own code for these mistakes' of the site this file comes from.")
    parser.add_argument("paths", nargs="+", metavar="PATH", type=Path,
                        help="a Python file or notebook, or a folder")
    parser.add_argument("--select", type=code_list, default=[],
                        help="report only these codes (comma-separated)")
    parser.add_argument("--ignore", type=code_list, default=[],
                        help="do not report these codes (comma-separated)")
    arguments = parser.parse_args(argv)
    missing = [str(path) for path in arguments.paths if not path.exists()]
    if missing:
        parser.error(f"no such file or folder: {', '.join(missing)}")

    found = unchecked = checked = 0
    for path in arguments.paths:
        for file in python_files(path):
            try:
                findings = check_file(file, arguments.select,
                                      arguments.ignore)
            except CheckError as error:
                print(f"rng_check.py: {error}", file=sys.stderr)
                unchecked += 1
                continue
            except (RecursionError, MemoryError):
                print(f"rng_check.py: {file}: too deeply nested "
                      "to check", file=sys.stderr)
                unchecked += 1
                continue
            checked += 1
            found += len(findings)
            for finding in findings:
                print(finding)
    if not checked and not unchecked:
        print("rng_check.py: no Python files in "
              f"{', '.join(map(str, arguments.paths))}", file=sys.stderr)
    return 1 if found or unchecked else 0


if __name__ == "__main__":
    sys.exit(main())
