#!/usr/bin/env python3
"""Find the random-state mistakes that make parallel Python code repeat itself.

Usage::

    python rng_check.py [--select CODES] [--ignore CODES]
                        [--format text|json|github|sarif] PATH...

(``rng-check ...`` once installed with ``pip install`` of the repository
this file comes from.)

PATH is a Python file, a Jupyter notebook, or a folder, searched for
``*.py`` and ``*.ipynb`` files (folders such as ``.venv``, ``.git`` and
``node_modules`` are skipped). Each finding is printed as
``path:line:column: CODE message``, the format editors and CI systems read;
in a notebook, ``path:cell N:line:column: CODE message``, as ruff does.
Columns count characters. ``# noqa: RSP001`` at the end of a line
silences that code on that line (a bare ``# noqa`` silences every code).

``--format`` chooses the output: ``text`` (the default, above); ``json``,
a list of objects with path, line, column, code and message (and cell, in
a notebook, and url, in a copy that names its site); ``github``, a GitHub
Actions workflow command per finding,
``::warning file=...,line=...,col=...::CODE message``, which annotates the
code (GitHub shows only 10 warning and 10 error annotations of a step, and
50 of a job; the others stay in the log, so the order is stable: path,
line, column, code); ``sarif``, SARIF 2.1.0 for GitHub code scanning
(``github/codeql-action/upload-sarif``), which shows every finding.

A file that cannot be read is the finding RSP900, and one that cannot be
parsed RSP901, as flake8 reports E902 and E999: ``--select`` and
``--ignore`` take them like any code. The exit status is 0 when nothing
was found, 1 when something was (RSP900 and RSP901 included, unless
ignored), and 2 on a usage error.

Codes:

RSP001  a parallel task draws from, or reseeds, a global random state
RSP002  one generator reaches every task: passed to each, made at module
        level or kept on self; or a pool initializer or worker_init_fn
        seeds every worker alike
RSP003  a seed made by arithmetic on another seed, the loop counter or a
        rank, or the bare loop counter, MPI rank or DataLoader worker id
RSP004  a global state seeded or drawn at import, in a module whose tasks
        draw from it in processes that start from it
RSP005  a task or a worker's hook seeds with the time, a process id, a
        uuid or hash()
RSP006  a task spawns children from a parent that every task shares
RSP007  many tasks get random seeds drawn from 2**32 values or fewer,
        which two tasks share sooner than one expects (the birthday
        bound)
RSP008  a task calls a library function or class that draws from NumPy's
        global random state when its random_state is left at None
        (scikit-learn, SciPy): estimators, splitters, rvs; the list is read
        from scikit-learn 1.9.1's and SciPy 1.17.1's signatures
RSP900  a file that cannot be read
RSP901  a file that cannot be parsed (a syntax error, not Python, not a
        notebook)

Each code's rule also has a name, as ruff's rules do, and ``--explain``
takes either (``--explain global-state-in-task``): RSP001
global-state-in-task, RSP002 shared-generator, RSP003 derived-seed, RSP004
global-state-at-import, RSP005 seed-from-clock-or-id, RSP006
spawn-from-shared-parent, RSP007 narrow-random-seed, RSP008
unseeded-library-call, RSP900 unreadable-file, RSP901 unparsable-file.

The checker reads code; it does not run it. The files and folders given
are one project: it follows the imports between them (``import
pkg.helpers`` or a relative one, from a sibling), never beyond them. It finds the
functions and methods handed to ``joblib.delayed``, a ``multiprocessing``,
pathos or pebble pool, a ``concurrent.futures`` executor, a thread, a dask
client or collection, ``ray.remote`` (functions, and actors' methods); the
``run`` of a ``Process`` subclass; what a task calls, in its file or
another, classes' ``__init__`` included; a task passed once through a
parameter; the method of an object made elsewhere
(``self.model.compute``), where one class of the project defines it; a
``worker_init_fn`` that a factory returns; names bound by a plain
assignment or a ``with`` statement (``closing(Pool())``, ExitStack's
``enter_context``); and attributes set on ``self`` (``self.rng``,
``self.pool``). It does not follow containers or dynamic dispatch; the
guard (rng_guard.py) watches tasks at run time for what it cannot see.
``--explain CODE`` prints a code's documentation; ``flake8 --select RSP``
runs it as flake8's plugin, one file at a time (findings that cross files
need rng-check on the folders). It only needs the Python standard
library, version 3.11 or later. Each code is explained, with runnable
examples, on the site this file comes from (SITE_URL).
"""

import argparse
import ast
import gc
import inspect
import io
import json
import math
import os
import re
import stat
import sys
import tokenize
import urllib.parse
from dataclasses import dataclass
from pathlib import Path

if sys.version_info < (3, 11):  # before anything that older ones lack
    sys.exit("rng_check.py needs Python 3.11 or later; this is "
             f"Python {sys.version.split()[0]}")

# The site that explains each code. The published site writes its own
# address here when it builds the file you download; a copy with none
# prints no links.
SITE_URL = ""

# Each code is explained in its section of the site's page about this
# checker (RSP001 at #rsp001...; RSP900 and RSP901 at #running-the-checker).
PAGE = "auto_examples/check_your_code/plot_check_your_code.html"

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
# Other libraries' seeders, judged by the same rules as NumPy's: PyTorch,
# TensorFlow (and Keras).
SEEDED_BY |= {name: "seed" for name in [
    "torch.manual_seed", "torch.random.manual_seed", "torch.cuda.manual_seed",
    "torch.cuda.manual_seed_all", "tensorflow.random.set_seed",
    "tensorflow.set_random_seed", "tensorflow.compat.v1.set_random_seed",
    "tensorflow.keras.utils.set_random_seed", "keras.utils.set_random_seed"]}
# Methods that seed whatever they are called on: a gym environment's
# env.seed(s) and its spaces' action_space.seed(s); a torch.Generator's
# manual_seed(s); env.reset(seed=s) takes it by keyword only.
SEEDING_METHODS_ANY = {"seed": "seed", "manual_seed": "seed",
                       "manual_seed_all": "seed", "set_seed": "seed"}
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
# Methods that run their first argument as a task, on these receivers:
# multiprocessing and concurrent.futures; pathos (uimap, amap, apipe);
# pebble (schedule).
TASK_METHODS = {"map", "imap", "imap_unordered", "map_async", "starmap",
                "starmap_async", "apply", "apply_async", "submit", "uimap",
                "amap", "apipe", "pipe", "schedule"}
EXECUTORS = {"multiprocessing.Pool", "multiprocessing.pool.Pool",
             "multiprocessing.pool.ThreadPool",
             "concurrent.futures.ProcessPoolExecutor",
             "concurrent.futures.ThreadPoolExecutor",
             "distributed.Client", "loky.get_reusable_executor",
             "joblib.externals.loky.get_reusable_executor",
             "mpi4py.futures.MPIPoolExecutor"}
# Pools of these libraries: anything they name that ends in Pool.
POOL_LIBRARIES = ("multiprocessing.", "multiprocess.", "pathos.", "pebble.",
                  "billiard.", "torch.multiprocessing.")
# Decorators that make a function a task: Ray's remote functions (and,
# on a class, its actor's methods), pebble's concurrent.process.
TASK_DECORATORS = {"ray.remote", "pebble.concurrent.process",
                   "pebble.concurrent.thread", "pebble.process",
                   "pebble.thread"}
# Context managers that give back the pool they are given.
POOL_WRAPPERS = {"contextlib.closing"}
PROCESS_CLASSES = {"multiprocessing.Process"}
# Wrappers that run the task they are given: guarded(task) is the guard
# this checker comes with (rng_guard.py).
TASK_WRAPPERS = {"rng_guard.guarded"}
# dask collections, and their methods that run a function on every piece.
DASK_COLLECTIONS = ("dask.bag.", "dask.array.", "dask.dataframe.")
DASK_METHODS = {"map", "map_blocks", "map_partitions", "map_overlap",
                "starmap"}

# Library calls that draw from NumPy's global random state when their
# random_state is left at None (RSP008). The list is written by
# tools/make_library_list.py from the installed libraries' signatures.
# -- Generated by tools/make_library_list.py from scikit-learn 1.9.1 and SciPy 1.17.1: do not edit.
# name -> (the keyword left at None, the keyword that must be True for it to draw)
LIBRARY_VERSIONS = {'scikit-learn': '1.9.1', 'SciPy': '1.17.1'}
LIBRARY_RANDOM = {
    'scipy.interpolate.BarycentricInterpolator': ('random_state', ''),
    'scipy.linalg.clarkson_woodruff_transform': ('seed', ''),
    'scipy.optimize.basinhopping': ('seed', ''),
    'scipy.optimize.check_grad': ('seed', ''),
    'scipy.optimize.differential_evolution': ('seed', ''),
    'scipy.optimize.dual_annealing': ('seed', ''),
    'scipy.sparse.rand': ('random_state', ''),
    'scipy.sparse.random': ('random_state', ''),
    'scipy.sparse.random_array': ('random_state', ''),
    'scipy.stats.BootstrapMethod': ('random_state', ''),
    'scipy.stats.PermutationMethod': ('random_state', ''),
    'scipy.stats.alpha.rvs': ('random_state', ''),
    'scipy.stats.anglit.rvs': ('random_state', ''),
    'scipy.stats.arcsine.rvs': ('random_state', ''),
    'scipy.stats.argus.rvs': ('random_state', ''),
    'scipy.stats.bernoulli.rvs': ('random_state', ''),
    'scipy.stats.beta.rvs': ('random_state', ''),
    'scipy.stats.betabinom.rvs': ('random_state', ''),
    'scipy.stats.betanbinom.rvs': ('random_state', ''),
    'scipy.stats.betaprime.rvs': ('random_state', ''),
    'scipy.stats.binom.rvs': ('random_state', ''),
    'scipy.stats.boltzmann.rvs': ('random_state', ''),
    'scipy.stats.bootstrap': ('random_state', ''),
    'scipy.stats.bradford.rvs': ('random_state', ''),
    'scipy.stats.burr.rvs': ('random_state', ''),
    'scipy.stats.burr12.rvs': ('random_state', ''),
    'scipy.stats.cauchy.rvs': ('random_state', ''),
    'scipy.stats.chi.rvs': ('random_state', ''),
    'scipy.stats.chi2.rvs': ('random_state', ''),
    'scipy.stats.cosine.rvs': ('random_state', ''),
    'scipy.stats.crystalball.rvs': ('random_state', ''),
    'scipy.stats.dgamma.rvs': ('random_state', ''),
    'scipy.stats.dlaplace.rvs': ('random_state', ''),
    'scipy.stats.dpareto_lognorm.rvs': ('random_state', ''),
    'scipy.stats.dunnett': ('random_state', ''),
    'scipy.stats.dweibull.rvs': ('random_state', ''),
    'scipy.stats.erlang.rvs': ('random_state', ''),
    'scipy.stats.expon.rvs': ('random_state', ''),
    'scipy.stats.exponnorm.rvs': ('random_state', ''),
    'scipy.stats.exponpow.rvs': ('random_state', ''),
    'scipy.stats.exponweib.rvs': ('random_state', ''),
    'scipy.stats.f.rvs': ('random_state', ''),
    'scipy.stats.fatiguelife.rvs': ('random_state', ''),
    'scipy.stats.fisk.rvs': ('random_state', ''),
    'scipy.stats.foldcauchy.rvs': ('random_state', ''),
    'scipy.stats.foldnorm.rvs': ('random_state', ''),
    'scipy.stats.gamma.rvs': ('random_state', ''),
    'scipy.stats.gausshyper.rvs': ('random_state', ''),
    'scipy.stats.genexpon.rvs': ('random_state', ''),
    'scipy.stats.genextreme.rvs': ('random_state', ''),
    'scipy.stats.gengamma.rvs': ('random_state', ''),
    'scipy.stats.genhalflogistic.rvs': ('random_state', ''),
    'scipy.stats.genhyperbolic.rvs': ('random_state', ''),
    'scipy.stats.geninvgauss.rvs': ('random_state', ''),
    'scipy.stats.genlogistic.rvs': ('random_state', ''),
    'scipy.stats.gennorm.rvs': ('random_state', ''),
    'scipy.stats.genpareto.rvs': ('random_state', ''),
    'scipy.stats.geom.rvs': ('random_state', ''),
    'scipy.stats.gibrat.rvs': ('random_state', ''),
    'scipy.stats.gompertz.rvs': ('random_state', ''),
    'scipy.stats.goodness_of_fit': ('random_state', ''),
    'scipy.stats.gumbel_l.rvs': ('random_state', ''),
    'scipy.stats.gumbel_r.rvs': ('random_state', ''),
    'scipy.stats.halfcauchy.rvs': ('random_state', ''),
    'scipy.stats.halfgennorm.rvs': ('random_state', ''),
    'scipy.stats.halflogistic.rvs': ('random_state', ''),
    'scipy.stats.halfnorm.rvs': ('random_state', ''),
    'scipy.stats.hypergeom.rvs': ('random_state', ''),
    'scipy.stats.hypsecant.rvs': ('random_state', ''),
    'scipy.stats.invgamma.rvs': ('random_state', ''),
    'scipy.stats.invgauss.rvs': ('random_state', ''),
    'scipy.stats.invweibull.rvs': ('random_state', ''),
    'scipy.stats.irwinhall.rvs': ('random_state', ''),
    'scipy.stats.jf_skew_t.rvs': ('random_state', ''),
    'scipy.stats.johnsonsb.rvs': ('random_state', ''),
    'scipy.stats.johnsonsu.rvs': ('random_state', ''),
    'scipy.stats.kappa3.rvs': ('random_state', ''),
    'scipy.stats.kappa4.rvs': ('random_state', ''),
    'scipy.stats.ksone.rvs': ('random_state', ''),
    'scipy.stats.kstwo.rvs': ('random_state', ''),
    'scipy.stats.kstwobign.rvs': ('random_state', ''),
    'scipy.stats.landau.rvs': ('random_state', ''),
    'scipy.stats.laplace.rvs': ('random_state', ''),
    'scipy.stats.laplace_asymmetric.rvs': ('random_state', ''),
    'scipy.stats.levy.rvs': ('random_state', ''),
    'scipy.stats.levy_l.rvs': ('random_state', ''),
    'scipy.stats.levy_stable.rvs': ('random_state', ''),
    'scipy.stats.loggamma.rvs': ('random_state', ''),
    'scipy.stats.logistic.rvs': ('random_state', ''),
    'scipy.stats.loglaplace.rvs': ('random_state', ''),
    'scipy.stats.lognorm.rvs': ('random_state', ''),
    'scipy.stats.logser.rvs': ('random_state', ''),
    'scipy.stats.loguniform.rvs': ('random_state', ''),
    'scipy.stats.lomax.rvs': ('random_state', ''),
    'scipy.stats.maxwell.rvs': ('random_state', ''),
    'scipy.stats.mielke.rvs': ('random_state', ''),
    'scipy.stats.moyal.rvs': ('random_state', ''),
    'scipy.stats.multiscale_graphcorr': ('random_state', ''),
    'scipy.stats.nakagami.rvs': ('random_state', ''),
    'scipy.stats.nbinom.rvs': ('random_state', ''),
    'scipy.stats.ncf.rvs': ('random_state', ''),
    'scipy.stats.nchypergeom_fisher.rvs': ('random_state', ''),
    'scipy.stats.nchypergeom_wallenius.rvs': ('random_state', ''),
    'scipy.stats.nct.rvs': ('random_state', ''),
    'scipy.stats.ncx2.rvs': ('random_state', ''),
    'scipy.stats.nhypergeom.rvs': ('random_state', ''),
    'scipy.stats.norm.rvs': ('random_state', ''),
    'scipy.stats.norminvgauss.rvs': ('random_state', ''),
    'scipy.stats.pareto.rvs': ('random_state', ''),
    'scipy.stats.pearson3.rvs': ('random_state', ''),
    'scipy.stats.permutation_test': ('random_state', ''),
    'scipy.stats.planck.rvs': ('random_state', ''),
    'scipy.stats.poisson.rvs': ('random_state', ''),
    'scipy.stats.poisson_binom.rvs': ('random_state', ''),
    'scipy.stats.powerlaw.rvs': ('random_state', ''),
    'scipy.stats.powerlognorm.rvs': ('random_state', ''),
    'scipy.stats.powernorm.rvs': ('random_state', ''),
    'scipy.stats.randint.rvs': ('random_state', ''),
    'scipy.stats.rayleigh.rvs': ('random_state', ''),
    'scipy.stats.rdist.rvs': ('random_state', ''),
    'scipy.stats.recipinvgauss.rvs': ('random_state', ''),
    'scipy.stats.reciprocal.rvs': ('random_state', ''),
    'scipy.stats.rel_breitwigner.rvs': ('random_state', ''),
    'scipy.stats.rice.rvs': ('random_state', ''),
    'scipy.stats.semicircular.rvs': ('random_state', ''),
    'scipy.stats.skellam.rvs': ('random_state', ''),
    'scipy.stats.skewcauchy.rvs': ('random_state', ''),
    'scipy.stats.skewnorm.rvs': ('random_state', ''),
    'scipy.stats.sobol_indices': ('random_state', ''),
    'scipy.stats.studentized_range.rvs': ('random_state', ''),
    'scipy.stats.t.rvs': ('random_state', ''),
    'scipy.stats.trapezoid.rvs': ('random_state', ''),
    'scipy.stats.triang.rvs': ('random_state', ''),
    'scipy.stats.truncexpon.rvs': ('random_state', ''),
    'scipy.stats.truncnorm.rvs': ('random_state', ''),
    'scipy.stats.truncpareto.rvs': ('random_state', ''),
    'scipy.stats.truncweibull_min.rvs': ('random_state', ''),
    'scipy.stats.tukeylambda.rvs': ('random_state', ''),
    'scipy.stats.uniform.rvs': ('random_state', ''),
    'scipy.stats.vonmises.rvs': ('random_state', ''),
    'scipy.stats.vonmises_line.rvs': ('random_state', ''),
    'scipy.stats.wald.rvs': ('random_state', ''),
    'scipy.stats.weibull_max.rvs': ('random_state', ''),
    'scipy.stats.weibull_min.rvs': ('random_state', ''),
    'scipy.stats.wrapcauchy.rvs': ('random_state', ''),
    'scipy.stats.yulesimon.rvs': ('random_state', ''),
    'scipy.stats.zipf.rvs': ('random_state', ''),
    'scipy.stats.zipfian.rvs': ('random_state', ''),
    'sklearn.cluster.AffinityPropagation': ('random_state', ''),
    'sklearn.cluster.BisectingKMeans': ('random_state', ''),
    'sklearn.cluster.KMeans': ('random_state', ''),
    'sklearn.cluster.MiniBatchKMeans': ('random_state', ''),
    'sklearn.cluster.SpectralBiclustering': ('random_state', ''),
    'sklearn.cluster.SpectralClustering': ('random_state', ''),
    'sklearn.cluster.SpectralCoclustering': ('random_state', ''),
    'sklearn.cluster.affinity_propagation': ('random_state', ''),
    'sklearn.cluster.k_means': ('random_state', ''),
    'sklearn.cluster.kmeans_plusplus': ('random_state', ''),
    'sklearn.cluster.spectral_clustering': ('random_state', ''),
    'sklearn.covariance.EllipticEnvelope': ('random_state', ''),
    'sklearn.covariance.MinCovDet': ('random_state', ''),
    'sklearn.covariance.fast_mcd': ('random_state', ''),
    'sklearn.datasets.fetch_covtype': ('random_state', 'shuffle'),
    'sklearn.datasets.fetch_kddcup99': ('random_state', 'shuffle'),
    'sklearn.datasets.fetch_rcv1': ('random_state', 'shuffle'),
    'sklearn.datasets.make_biclusters': ('random_state', ''),
    'sklearn.datasets.make_blobs': ('random_state', ''),
    'sklearn.datasets.make_checkerboard': ('random_state', ''),
    'sklearn.datasets.make_circles': ('random_state', ''),
    'sklearn.datasets.make_classification': ('random_state', ''),
    'sklearn.datasets.make_friedman1': ('random_state', ''),
    'sklearn.datasets.make_friedman2': ('random_state', ''),
    'sklearn.datasets.make_friedman3': ('random_state', ''),
    'sklearn.datasets.make_gaussian_quantiles': ('random_state', ''),
    'sklearn.datasets.make_hastie_10_2': ('random_state', ''),
    'sklearn.datasets.make_low_rank_matrix': ('random_state', ''),
    'sklearn.datasets.make_moons': ('random_state', ''),
    'sklearn.datasets.make_multilabel_classification': ('random_state', ''),
    'sklearn.datasets.make_regression': ('random_state', ''),
    'sklearn.datasets.make_s_curve': ('random_state', ''),
    'sklearn.datasets.make_sparse_coded_signal': ('random_state', ''),
    'sklearn.datasets.make_sparse_spd_matrix': ('random_state', ''),
    'sklearn.datasets.make_sparse_uncorrelated': ('random_state', ''),
    'sklearn.datasets.make_spd_matrix': ('random_state', ''),
    'sklearn.datasets.make_swiss_roll': ('random_state', ''),
    'sklearn.decomposition.DictionaryLearning': ('random_state', ''),
    'sklearn.decomposition.FastICA': ('random_state', ''),
    'sklearn.decomposition.LatentDirichletAllocation': ('random_state', ''),
    'sklearn.decomposition.MiniBatchDictionaryLearning': ('random_state', ''),
    'sklearn.decomposition.MiniBatchNMF': ('random_state', ''),
    'sklearn.decomposition.MiniBatchSparsePCA': ('random_state', ''),
    'sklearn.decomposition.NMF': ('random_state', 'shuffle'),
    'sklearn.decomposition.SparsePCA': ('random_state', ''),
    'sklearn.decomposition.TruncatedSVD': ('random_state', ''),
    'sklearn.decomposition.dict_learning': ('random_state', ''),
    'sklearn.decomposition.dict_learning_online': ('random_state', ''),
    'sklearn.decomposition.fastica': ('random_state', ''),
    'sklearn.decomposition.non_negative_factorization': ('random_state', 'shuffle'),
    'sklearn.decomposition.randomized_svd': ('random_state', ''),
    'sklearn.ensemble.BaggingClassifier': ('random_state', ''),
    'sklearn.ensemble.BaggingRegressor': ('random_state', ''),
    'sklearn.ensemble.ExtraTreesClassifier': ('random_state', ''),
    'sklearn.ensemble.ExtraTreesRegressor': ('random_state', ''),
    'sklearn.ensemble.GradientBoostingClassifier': ('random_state', ''),
    'sklearn.ensemble.GradientBoostingRegressor': ('random_state', ''),
    'sklearn.ensemble.HistGradientBoostingClassifier': ('random_state', ''),
    'sklearn.ensemble.HistGradientBoostingRegressor': ('random_state', ''),
    'sklearn.ensemble.IsolationForest': ('random_state', ''),
    'sklearn.ensemble.RandomForestClassifier': ('random_state', ''),
    'sklearn.ensemble.RandomForestRegressor': ('random_state', ''),
    'sklearn.ensemble.RandomTreesEmbedding': ('random_state', ''),
    'sklearn.feature_extraction.image.PatchExtractor': ('random_state', ''),
    'sklearn.feature_extraction.image.extract_patches_2d': ('random_state', ''),
    'sklearn.feature_selection.mutual_info_classif': ('random_state', ''),
    'sklearn.feature_selection.mutual_info_regression': ('random_state', ''),
    'sklearn.gaussian_process.GaussianProcessClassifier': ('random_state', ''),
    'sklearn.gaussian_process.GaussianProcessRegressor': ('random_state', ''),
    'sklearn.impute.IterativeImputer': ('random_state', ''),
    'sklearn.inspection.PartialDependenceDisplay': ('random_state', ''),
    'sklearn.inspection.permutation_importance': ('random_state', ''),
    'sklearn.linear_model.PassiveAggressiveClassifier': ('random_state', ''),
    'sklearn.linear_model.PassiveAggressiveRegressor': ('random_state', ''),
    'sklearn.linear_model.RANSACRegressor': ('random_state', ''),
    'sklearn.linear_model.SGDClassifier': ('random_state', ''),
    'sklearn.linear_model.SGDOneClassSVM': ('random_state', ''),
    'sklearn.linear_model.SGDRegressor': ('random_state', ''),
    'sklearn.linear_model.TheilSenRegressor': ('random_state', ''),
    'sklearn.manifold.LocallyLinearEmbedding': ('random_state', ''),
    'sklearn.manifold.MDS': ('random_state', ''),
    'sklearn.manifold.SpectralEmbedding': ('random_state', ''),
    'sklearn.manifold.TSNE': ('random_state', ''),
    'sklearn.manifold.locally_linear_embedding': ('random_state', ''),
    'sklearn.manifold.smacof': ('random_state', ''),
    'sklearn.manifold.spectral_embedding': ('random_state', ''),
    'sklearn.mixture.BayesianGaussianMixture': ('random_state', ''),
    'sklearn.mixture.GaussianMixture': ('random_state', ''),
    'sklearn.model_selection.BaseShuffleSplit': ('random_state', ''),
    'sklearn.model_selection.GroupKFold': ('random_state', 'shuffle'),
    'sklearn.model_selection.GroupShuffleSplit': ('random_state', ''),
    'sklearn.model_selection.HalvingRandomSearchCV': ('random_state', ''),
    'sklearn.model_selection.KFold': ('random_state', 'shuffle'),
    'sklearn.model_selection.ParameterSampler': ('random_state', ''),
    'sklearn.model_selection.RandomizedSearchCV': ('random_state', ''),
    'sklearn.model_selection.RepeatedKFold': ('random_state', ''),
    'sklearn.model_selection.RepeatedStratifiedKFold': ('random_state', ''),
    'sklearn.model_selection.ShuffleSplit': ('random_state', ''),
    'sklearn.model_selection.StratifiedGroupKFold': ('random_state', 'shuffle'),
    'sklearn.model_selection.StratifiedKFold': ('random_state', 'shuffle'),
    'sklearn.model_selection.StratifiedShuffleSplit': ('random_state', ''),
    'sklearn.model_selection.TunedThresholdClassifierCV': ('random_state', ''),
    'sklearn.model_selection.check_cv': ('random_state', 'shuffle'),
    'sklearn.model_selection.learning_curve': ('random_state', 'shuffle'),
    'sklearn.model_selection.train_test_split': ('random_state', ''),
    'sklearn.multiclass.OutputCodeClassifier': ('random_state', ''),
    'sklearn.neighbors.NeighborhoodComponentsAnalysis': ('random_state', ''),
    'sklearn.neural_network.BernoulliRBM': ('random_state', ''),
    'sklearn.neural_network.MLPClassifier': ('random_state', ''),
    'sklearn.neural_network.MLPRegressor': ('random_state', ''),
    'sklearn.preprocessing.KBinsDiscretizer': ('random_state', ''),
    'sklearn.preprocessing.QuantileTransformer': ('random_state', ''),
    'sklearn.preprocessing.quantile_transform': ('random_state', ''),
    'sklearn.random_projection.GaussianRandomProjection': ('random_state', ''),
    'sklearn.random_projection.SparseRandomProjection': ('random_state', ''),
    'sklearn.svm.LinearSVR': ('random_state', ''),
    'sklearn.tree.DecisionTreeClassifier': ('random_state', ''),
    'sklearn.tree.DecisionTreeRegressor': ('random_state', ''),
    'sklearn.tree.ExtraTreeClassifier': ('random_state', ''),
    'sklearn.tree.ExtraTreeRegressor': ('random_state', ''),
    'sklearn.utils.resample': ('random_state', ''),
    'sklearn.utils.shuffle': ('random_state', ''),
}
# -- End of the generated block.

# Older or longer spellings of the same objects.
SYNONYMS = {"numpy.random.mtrand.": "numpy.random.",
            "dask.distributed.": "distributed.",
            "concurrent.futures.process.": "concurrent.futures.",
            "concurrent.futures.thread.": "concurrent.futures.",
            "joblib.parallel.": "joblib.",
            # scikit-learn's wrappers of joblib (1.3+, and before)
            "sklearn.utils.parallel.": "joblib.",
            "sklearn.utils.fixes.delayed": "joblib.delayed",
            "sklearn.externals.joblib.": "joblib.",
            "distributed.client.": "distributed."}

# rng.spawn(n), rng.bit_generator.spawn(n), rng.bit_generator.seed_seq...
SPAWN_PATH = {"bit_generator", "seed_seq", "_bit_generator", "_seed_seq"}


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
        address = f" ({link(self.code)})" if SITE_URL else ""
        return (f"{self.path}:{where}{self.line}:{self.column}: {self.code} "
                f"{self.message}{address}")


ALL = object()  # what a bare "# noqa" silences


class CheckError(Exception):
    """A file that cannot be checked: RSP900 if it cannot be read, RSP901
    if it cannot be parsed; the message says why, and where if it can."""

    def __init__(self, code, message, line=1, column=1, cell=0):
        super().__init__(message)
        self.code, self.message = code, message
        self.line, self.column, self.cell = line, max(column, 1), cell

    def finding(self, path):
        return Finding(str(path), self.line, self.column, self.code,
                       self.message, self.cell)


# -- Reading a module ---------------------------------------------------------


# Syntax that Python 3.11 cannot read: type parameters (PEP 695, 3.12).
NEWER_SYNTAX = re.compile(
    r"^\s*(type\s+\w+\s*(\[.*\])?\s*=|(async\s+)?def\s+\w+\s*\[|"
    r"class\s+\w+\s*\[)", re.MULTILINE)

MAGIC = re.compile(r"^\s*[%!]|^\s*\w[\w.]*\?\s*$")  # %time, !pip, name?


def read_regular_file(path):
    """The bytes of path; a FIFO or a device is refused, never opened."""
    try:
        if not stat.S_ISREG(os.stat(path).st_mode):
            raise CheckError("RSP900", "cannot read: not a regular file")
        return Path(path).read_bytes()
    except OSError as error:
        raise CheckError("RSP900", f"cannot read: {error.strerror}"
                         ) from None


def notebook_source(path, data):
    """A notebook's code cells as one module, blank lines for the rest (and
    for IPython's magics), and the (cell, first line) of each code cell."""
    try:
        notebook = json.loads(data)
        cells = notebook["cells"]
    except (ValueError, KeyError, TypeError):
        raise CheckError("RSP901", "cannot parse: not a Jupyter notebook "
                         "(nbformat 4 JSON)") from None
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
        raise CheckError("RSP901",
                         "cannot parse: not a Python file (binary data)")
    else:
        cells = []
        try:
            encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
            source = data.decode(encoding)
        except (SyntaxError, LookupError, UnicodeDecodeError) as error:
            raise CheckError("RSP901", "cannot parse: not a Python file "
                             f"({error})") from None
    try:
        tree = ast.parse(source, filename=str(path))
    except SyntaxError as error:
        running = ".".join(map(str, sys.version_info[:3]))
        newer = (" (type parameters, PEP 695, need Python 3.12 or later: "
                 "run the checker with that Python)"
                 if sys.version_info < (3, 12) and NEWER_SYNTAX.search(source)
                 else "")
        cell, line = locate(cells, error.lineno or 1)
        raise CheckError("RSP901", f"cannot parse with Python {running}: "
                         f"{error.msg}{newer}", line, error.offset or 1,
                         cell) from None
    except RecursionError:
        raise CheckError("RSP901", "cannot parse: too deeply nested"
                         ) from None
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

    def __init__(self, tree, name="", package=False, project=None):
        self.tree = tree
        self.name = name  # dotted, as the project's imports name it
        # The package that relative imports start from.
        self.package = name if package else name.rpartition(".")[0]
        self.project = project  # the other files checked with this one
        self.path, self.source, self.cells = "", "", []
        self.aliases = {}  # (scope, name) -> dotted name of what it imports
        self.stars, self.star_names = [], None  # from module import *
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
        self.attributes = {}  # class -> {attribute: values self.X gets}
        self.handoffs = None  # task_handoffs, once asked
        self.walked = {}  # walk -> (project, findings): see walked_once
        self.methods = None  # name -> methods, for a file checked alone
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
        else:
            base = node.module or ""
            if node.level:  # from .helpers import task: in this package
                package = self.package.split(".") if self.package else []
                up = len(package) - (node.level - 1)
                if up < 0 or (not base and up == 0 and not package):
                    return
                base = ".".join(package[:up] + ([base] if base else []))
            if not base:
                return
            for alias in node.names:
                if alias.name == "*":  # from shared_noise import *
                    self.stars.append(base)
                    continue
                name = alias.asname or alias.name
                self.aliases[scope, name] = f"{base}.{alias.name}"

    def star_name(self, name):
        """The dotted name that a star import of a project module gives
        name, if that module defines it at its top."""
        if self.star_names is None:  # read once, when first asked
            self.star_names = {}
            for base in self.stars if self.project else []:
                module = self.project.module_named(base, self)
                if module is None:
                    continue
                defined = [f.name for f in module.tree.body if isinstance(
                    f, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))]
                defined += [n for (where, n) in module.bindings
                            if where is module.tree]
                for each in defined:
                    self.star_names.setdefault(each, f"{base}.{each}")
        return self.star_names.get(name)

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
            if name is None and self.stars:
                name = self.star_name(node.id)
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

    def top_level(self, names):
        """What the module defines at its top under names: ["task"], or
        ["Model", "fit"] for a method; a function's defs, a class, or the
        values a module-level name is bound to."""
        first = names[0]
        if len(names) == 1:
            defs = [f for f in self.functions.get(first, [])
                    if self.at_top(f)]
            defs += [c for c in self.classes if c.name == first and
                     self.at_top(c)]
            return defs or list(self.bindings.get((self.tree, first), []))
        if len(names) == 2:
            return [method for c in self.classes if c.name == first and
                    self.at_top(c)
                    for method in methods_of(c, names[1])]
        return []

    def at_top(self, node):
        return self.enclosing(node, (ast.ClassDef, *FUNCTIONS)) is None

    def owner(self, node):
        """The module a node of this project belongs to."""
        if node is self.tree or node in self.parent or self.project is None:
            return self
        return self.project.owner(node) or self

    def imported(self, node):
        """(module, definitions) that a name stands for through the
        project's imports: from helpers import task, helpers.task."""
        if self.project is None or not isinstance(node, (ast.Name,
                                                         ast.Attribute)):
            return None, []
        name = self.name_of(node)
        if not name or "." not in name:
            return None, []
        return self.project.lookup(name, self)

    def enclosing(self, node, kinds):
        while node in self.parent:
            node = self.parent[node]
            if isinstance(node, kinds):
                return node
        return None


# -- A project: the files checked together ------------------------------------


class Project:
    """The modules checked together, by the dotted names that their imports
    use. A name is looked up by its longest known prefix; a module is known
    by its path below the folder it was found in, and by each shorter tail
    of that path (src/pkg/mod.py is also pkg.mod and mod). Where two files
    share a name, the one nearest the importer wins. Nothing is imported or
    run: only what the given paths hold is followed."""

    def __init__(self):
        self.modules = []
        self.by_name = {}  # dotted name -> modules known by it
        self.owners = {}  # a definition found through an import -> module
        self.reached = {}  # id(task) -> what it calls, transitively
        self.seeders = {}  # id(function) -> the parameters it seeds with
        # Read once, when a rule first asks: see only_method, callers and
        # process_task_states.
        self.methods = self.calls_by_name = self.task_states = None

    def add(self, module, path):
        self.modules.append(module)
        parts = module.name.split(".") if module.name else []
        for start in range(len(parts)):
            self.by_name.setdefault(".".join(parts[start:]), []).append(
                module)

    def module_named(self, name, importer):
        found = self.by_name.get(name)
        if not found:
            return None
        if len(found) == 1:
            return found[0]
        here = Path(importer.path).parent.parts

        def nearness(module):
            there = Path(module.path).parts
            return next((i for i, (a, b) in enumerate(zip(here, there))
                         if a != b), min(len(here), len(there)))
        return max(found, key=nearness)

    def lookup(self, dotted, importer, depth=0):
        """(module, what it binds to the rest of the name): definitions of
        a function, class or method, or the values of a module-level name;
        ([], None) where the project does not hold it."""
        parts = dotted.split(".")
        for cut in range(len(parts) - 1, 0, -1):
            module = self.module_named(".".join(parts[:cut]), importer)
            if module is None or module is importer and depth:
                continue
            rest = parts[cut:]
            found = module.top_level(rest)
            if found:
                for node in found:
                    self.owners[node] = module
                return module, found
            alias = module.aliases.get((module.tree, rest[0]))
            if alias and depth < 4:  # re-exported: from .core import task
                return self.lookup(".".join([alias, *rest[1:]]), module,
                                   depth + 1)
            return None, []
        return None, []

    def owner(self, node):
        module = self.owners.get(node)
        if module is None:
            module = next((m for m in self.modules if node in m.parent),
                          None)
            self.owners[node] = module
        return module


def module_name(path, root):
    """The dotted name that imports give the file at path, found below the
    folder root (and the packages that hold root), and whether it is a
    package's __init__."""
    path, root = Path(path), Path(root)
    try:
        parts = list(path.relative_to(root).with_suffix("").parts)
    except ValueError:
        parts, root = [path.stem], path.parent
    package = bool(parts) and parts[-1] == "__init__"
    if package:
        parts.pop()
    folder = root
    for _ in range(32):  # the packages around root: pkg/sub/ given alone
        if not (folder / "__init__.py").is_file() or not folder.name:
            break
        parts.insert(0, folder.name)
        folder = folder.parent
    return ".".join(part for part in parts if part.isidentifier()), package


def load(path, project, root=None):
    """Parse path into a Module of project; raises CheckError."""
    tree, source, cells = parse(path)
    name, package = module_name(path, root or Path(path).parent)
    module = Module(tree, name, package, project)
    module.path, module.source, module.cells = str(path), source, cells
    project.add(module, path)
    return module


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


# -- Tasks: the functions that run in parallel --------------------------------


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


def executor_value(module, node):
    """The call that made the pool node names: through a with statement,
    an assignment, self.pool set in another method, closing(Pool()) and
    ExitStack's enter_context(Pool())."""
    value = with_binding(module, node) or module.value_of(node)
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) \
            and node.value.id == "self":
        values = attribute_values(module, node)
        value = values[0] if len(values) == 1 else None
    for _ in range(4):
        if not (isinstance(value, ast.Call) and value.args):
            break
        if module.call_name(value) in POOL_WRAPPERS or (
                isinstance(value.func, ast.Attribute) and
                value.func.attr == "enter_context"):
            value = value.args[0]
        else:
            break
    return value if isinstance(value, ast.Call) else None


def attribute_values(module, node):
    """What self.NAME is assigned, in the class whose method node is in."""
    classdef = module.enclosing(node, ast.ClassDef)
    if classdef is None:
        return []
    table = module.attributes.get(classdef)
    if table is None:
        table = module.attributes[classdef] = {}
        for inner in ast.walk(classdef):
            if isinstance(inner, (ast.Assign, ast.AnnAssign)) and \
                    inner.value is not None:
                targets = inner.targets if isinstance(inner, ast.Assign) \
                    else [inner.target]
                for target in targets:
                    if isinstance(target, ast.Attribute) and isinstance(
                            target.value, ast.Name) and \
                            target.value.id == "self":
                        table.setdefault(target.attr, []).append(inner.value)
    return table.get(node.attr, [])


def executor_name(module, node):
    name = module.call_name(executor_value(module, node))
    if name and (name in EXECUTORS or (
            name.startswith(POOL_LIBRARIES) and
            name.endswith(("Pool", "PoolExecutor")))):
        return name
    return None


def is_executor(module, node):
    """True when node is a pool, an executor or a dask client."""
    return executor_name(module, node) is not None


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


def decorator_name(module, decorator):
    """ray.remote for @ray.remote and @ray.remote(num_cpus=1)."""
    if isinstance(decorator, ast.Call):
        decorator = decorator.func
    return module.name_of(decorator)


def find_task_handoffs(module):
    yield from subclass_runs(module, PROCESS_CLASSES)
    for node in module.nodes:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            for decorator in node.decorator_list:
                name = decorator_name(module, decorator)
                if name in DELAYED or name in TASK_DECORATORS:
                    yield node, decorator
        elif isinstance(node, ast.ClassDef):  # a Ray actor's methods
            if any(decorator_name(module, d) == "ray.remote"
                   for d in node.decorator_list):
                for method in node.body:
                    if isinstance(method, (ast.FunctionDef,
                                           ast.AsyncFunctionDef)):
                        yield method, node
        if not isinstance(node, ast.Call):
            continue
        name = module.call_name(node)
        if (name in DELAYED or name == "ray.remote") and node.args:
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
    class is defined in this file; for an instance made elsewhere
    (engine.model.compute, a parameter's method), the one method of that
    name in the project's classes."""
    receiver = expression.value
    if isinstance(receiver, ast.Name) and receiver.id in {"self", "cls"}:
        classdef = module.enclosing(expression, ast.ClassDef)
        found = methods_of(classdef, expression.attr) if classdef else []
        return found or only_method(module, expression.attr)
    value = module.value_of(receiver)
    if isinstance(value, ast.Call) and isinstance(value.func, ast.Name):
        found = [method for classdef in classes_named(module, value.func)
                 for method in methods_of(classdef, expression.attr)]
        if found:
            return found
    if module.name_of(expression) is not None:
        return []  # np.random.permutation, helpers.task: imported names
    return only_method(module, expression.attr)


def only_method(module, name):
    """The method called name, when one class of the project (or of this
    file, checked alone) defines it; else none."""
    holder = module.project or module
    if holder.methods is None:  # every class, read once
        holder.methods = {}
        for other in module.project.modules if module.project else [module]:
            for classdef in other.classes:
                for node in classdef.body:
                    if isinstance(node, (ast.FunctionDef,
                                         ast.AsyncFunctionDef)):
                        holder.methods.setdefault(node.name, []).append(node)
    found = holder.methods.get(name, [])
    return found if len(found) == 1 else []


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
        return method_functions(module, expression) or \
            imported_functions(module, expression)
    if not isinstance(expression, ast.Name):
        return []
    if expression.id in module.functions:
        return module.visible_functions(expression)
    found = imported_functions(module, expression)
    if found:
        return found
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
    for caller, call in callers(module, scope):
        given = [k.value for k in call.keywords if k.arg == expression.id]
        if len(call.args) > position:
            given.append(call.args[position])
        for argument in given:
            found += task_functions(caller, argument, depth + 1)
    return found


def callers(module, function):
    """(module, call) for each call of function: in its file by name, and
    in the project's other files through their imports (a helper module's
    multiprocess(function, arguments) called from another)."""
    for call in module.calls:
        if isinstance(call.func, ast.Name) and call.func.id == function.name:
            yield module, call
    project = module.project
    if project is None:
        return
    if project.calls_by_name is None:  # indexed once
        project.calls_by_name = {}
        for other in project.modules:
            for call in other.calls:
                func = call.func
                named = func.id if isinstance(func, ast.Name) else \
                    func.attr if isinstance(func, ast.Attribute) else None
                project.calls_by_name.setdefault(named, []).append(
                    (other, call))
    for other, call in project.calls_by_name.get(function.name, []):
        if other is not module and \
                function in imported_functions(other, call.func):
            yield other, call


def imported_functions(module, expression):
    """The functions that a name imported from another file of the
    project stands for: from helpers import task; helpers.task."""
    owner, found = module.imported(expression)
    return [node for node in found
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef,
                                 ast.Lambda))]


def reached_from(module, task):
    """Each function a task reaches (the task too), with the words that
    name it in a message and the module whose names it uses."""
    for function in reachable(module, task):
        via = "" if function is task else \
            f"{label(function)}, called by task {label(task)}, "
        yield function, via or f"task {label(task)} ", module.owner(function)


def reachable(module, function):
    """function, and the functions of the project it calls, transitively
    (its own file's, and those it imports from the files checked with it).
    """
    key = id(function)
    cache = module.project.reached if module.project else None
    if cache is not None and key in cache:
        return cache[key]
    seen, todo = [], [function]
    ids = set()
    while todo:
        current = todo.pop()
        if id(current) in ids:
            continue
        ids.add(id(current))
        seen.append(current)
        owner = module.owner(current)
        for node in ast.walk(current):
            if not isinstance(node, ast.Call):
                continue
            if isinstance(node.func, ast.Name):
                todo += called_functions(owner, node.func)
            elif isinstance(node.func, ast.Attribute):  # self.helper()
                todo += method_functions(owner, node.func) or \
                    imported_functions(owner, node.func) or \
                    called_attribute(owner, node.func)
    if cache is not None:
        cache[key] = seen
    return seen


def called_functions(module, name):
    """What calling a name runs: a def of this file, a function imported
    from another file of the project, or a class's __init__."""
    return module.visible_functions(name) or \
        imported_functions(module, name) or constructors(module, name)


def called_attribute(module, attribute):
    """The __call__ that self.transform(x) runs, where __init__ set
    self.transform = Flip(...), a class of the project."""
    if not (isinstance(attribute.value, ast.Name) and
            attribute.value.id == "self"):
        return []
    values = attribute_values(module, attribute)
    if len(values) != 1 or not isinstance(values[0], ast.Call) or \
            not isinstance(values[0].func, ast.Name):
        return []
    return [method for classdef in classes_named(module, values[0].func)
            for method in methods_of(classdef, "__call__")]


def classes_named(module, name):
    """The classes of the project that a name (or dotted name) stands for
    where it is used: one of this file, or one imported from another."""
    classes = [c for c in module.classes if c.name == name.id] \
        if isinstance(name, ast.Name) else []
    if not classes:
        _, found = module.imported(name)
        classes = [node for node in found if isinstance(node, ast.ClassDef)]
    return classes


def constructors(module, name, depth=0):
    """The __init__ that calling the class name runs: Model(...) runs
    Model.__init__, or that of the base it inherits it from."""
    inits = []
    for classdef in classes_named(module, name):
        own = methods_of(classdef, "__init__")
        for init in own:  # for messages: 'Model.__init__'
            init.class_name = classdef.name
        if own or depth > 3:
            inits += own
            continue
        owner = module.owner(classdef)
        for base in classdef.bases:
            inits += constructors(owner, base, depth + 1)
    return inits


def label(function):
    if isinstance(function, ast.Lambda):
        return "a lambda"
    owner = getattr(function, "class_name", None)
    return f"'{owner}.{function.name}'" if owner else f"'{function.name}'"


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


def executor_kind(module, handoff):
    """"process", "thread", or "unknown" (a backend passed in, or set by a
    parallel_config that may be elsewhere), for the executor that runs the
    tasks of handoff."""
    if isinstance(handoff, ast.ClassDef):
        return "process"  # a Process subclass, a Ray actor
    if isinstance(handoff, ast.FunctionDef):
        return "process"
    if not isinstance(handoff, ast.Call):  # a decorator
        name = decorator_name(module, handoff)
        if name == "dask.delayed":
            return dask_kind(module)
        return "thread" if name and name.endswith("thread") else "process"
    name = module.call_name(handoff) or ""
    if name == "joblib.delayed":
        return joblib_kind(module)
    if name == "dask.delayed":
        return dask_kind(module)
    if name == "ray.remote" or name.endswith(".Process") or \
            name in PROCESS_CLASSES:
        return "process"
    if name == "threading.Thread":
        return "thread"
    if isinstance(handoff.func, ast.Attribute):
        pool = executor_name(module, handoff.func.value)
        if pool:
            return "thread" if "Thread" in pool else "process"
        if is_dask_collection(module, handoff.func.value):
            return "process" if "dask.bag" in ast.unparse(
                handoff.func.value) else dask_kind(module)
    return "unknown"


def dask_kind(module):
    """dask.delayed runs in threads, unless a distributed Client is made."""
    return "process" if any(
        module.call_name(call) in {"distributed.Client",
                                   "distributed.LocalCluster"}
        for call in module.calls) else "unknown"


def joblib_settings(module):
    """The backend, prefer and require values the file gives joblib: in
    Parallel(...), parallel_config(...) and parallel_backend(...)."""
    for call in module.calls:
        name = module.call_name(call) or ""
        if name not in {"joblib.Parallel", "joblib.parallel_config",
                        "joblib.parallel_backend"}:
            continue
        given = {k.arg: k.value for k in call.keywords}
        if name != "joblib.Parallel" and call.args:
            given["backend"] = call.args[0]
        yield from (given[key] for key in ("backend", "prefer", "require")
                    if key in given)


def joblib_kind(module):
    """loky's processes, unless the file asks for threads; "unknown" where
    the backend is a variable or set by a config this file may not see."""
    kinds = set()
    for value in joblib_settings(module):
        if not isinstance(value, ast.Constant):
            kinds.add("unknown")
        elif value.value in {"threading", "threads", "sharedmem"}:
            kinds.add("thread")
        elif value.value in {"loky", "multiprocessing", "processes"}:
            kinds.add("process")
        elif value.value is not None:
            kinds.add("unknown")  # dask, ray, spark: other backends
    if len(kinds) == 1:
        return kinds.pop()
    return "unknown" if kinds else "process"


def start_method(module, handoff):
    """How the worker processes of handoff start, where the code says so:
    "fork", "spawn" or "forkserver" for a multiprocessing context, an
    executor's mp_context or set_start_method; "loky" for joblib with no
    backend named; else None (the platform's default decides: fork on
    Linux up to Python 3.13, forkserver since 3.14, spawn on macOS and
    Windows)."""
    if not isinstance(handoff, ast.Call):
        return None
    if module.call_name(handoff) == "joblib.delayed":
        named = all(isinstance(value, ast.Constant) and value.value in
                    {"loky", None} for value in joblib_settings(module))
        return "loky" if named else None
    if not isinstance(handoff.func, ast.Attribute):
        return None
    pool = executor_value(module, handoff.func.value)
    pool_name = module.call_name(pool) or ""
    context = None
    if pool_name.startswith("multiprocessing.get_context()"):
        context = pool.func.value  # get_context("spawn").Pool(), ctx.Pool()
    elif pool_name in {"multiprocessing.Pool", "multiprocessing.pool.Pool",
                       "concurrent.futures.ProcessPoolExecutor"}:
        context = next((k.value for k in pool.keywords
                        if k.arg == "mp_context"), None)
        if context is None:
            methods = {getattr(call.args[0], "value", None)
                       for call in module.calls if call.args and
                       module.call_name(call) ==
                       "multiprocessing.set_start_method"}
            return methods.pop() if len(methods) == 1 else None
    else:
        return None
    context = module.value_of(context)
    if module.call_name(context) != "multiprocessing.get_context" or \
            not context.args:
        return None
    method = getattr(context.args[0], "value", None)
    return method if method in {"fork", "spawn", "forkserver"} else None


# -- What several rules ask ---------------------------------------------------


def walked_once(walk):
    """A walk whose findings, (node, code, message), several rules share,
    each taking its own code: it runs once per module (and project), not
    once per rule."""
    def findings(module):
        project, found = module.walked.get(walk, (None, None))
        if found is None or project is not module.project:
            found = list(walk(module))
            module.walked[walk] = (module.project, found)
        return found
    findings.__name__, findings.__doc__ = walk.__name__, walk.__doc__
    return findings


def of_code(code, found):
    """(node, message) of each of a shared walk's findings of code."""
    return ((node, message) for node, this, message in found if this == code)


def seed_argument(module, call):
    """The expression a seeding call is given as its seed, if any."""
    if not isinstance(call, ast.Call):
        return None
    keyword = SEEDED_BY.get(module.call_name(call))
    if keyword is None and isinstance(call.func, ast.Attribute):
        method = call.func.attr
        if method == "reset":  # env.reset(seed=s)
            return next((k.value for k in call.keywords if k.arg == "seed"),
                        None)
        keyword = SEEDING_METHODS_ANY.get(method)
    if keyword is None:
        return None
    for given in call.keywords:
        if given.arg == keyword:
            return given.value
    return call.args[0] if call.args else None


def clock_or_id(module, expression):
    """True if the expression calls the clock, a process or thread id, a
    uuid, or hash()."""
    expression = module.value_of(expression) or expression
    return any(module.call_name(node) in CLOCKS_AND_IDS
               for node in ast.walk(expression)) or hashes(module, expression)


def hashes(module, expression):
    """True if the expression calls the built-in hash(), whose value for a
    str is salted per interpreter: the same in forked workers, another in
    each fresh one unless PYTHONHASHSEED is set."""
    expression = module.value_of(expression) or expression
    return any(isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
               and node.func.id == "hash" and "hash" not in module.functions
               for node in ast.walk(expression))


# What hash() of a str does in workers (measured in tests/test_rng_check.py).
HASHED = (" (a str's hash() takes a salt that forked and forkserver workers "
          "share and dask's workers fix, PYTHONHASHSEED=6640, so it is the "
          "same in each of them; spawn and loky workers draw a new salt "
          "unless PYTHONHASHSEED is set)")

SEEDING = {"seed", "set_state", "setstate"}


def own_seed(module, node, function):
    """Whether a seeding call gives its state a seed of the task's own (a
    parameter or a local name, not the clock's) or fresh entropy (no seed,
    or None)."""
    seed = node.args[0] if node.args else next(
        (k.value for k in node.keywords), None)
    if seed is None or (isinstance(seed, ast.Constant) and seed.value is None):
        return True
    # A parameter or a local name, or an expression of them: seed,
    # int(seed), seed % 2**32, args.seed + rank (RSP003 judges that one).
    return isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)) \
        and any(isinstance(node, ast.Name) and is_local(function, node.id)
                or is_kept_parameter(function, node)
                for node in ast.walk(seed)) \
        and not clock_or_id(module, seed)


def is_kept_parameter(function, node):
    """True when node is self.NAME and function set it from a parameter
    first: self.seed = seed; np.random.seed(self.seed)."""
    if not (isinstance(node, ast.Attribute) and
            isinstance(node.value, ast.Name) and node.value.id == "self"):
        return False
    parameters = {a.arg for a in function.args.posonlyargs +
                  function.args.args + function.args.kwonlyargs}
    return any(isinstance(inner, ast.Assign) and any(
                   isinstance(t, ast.Attribute) and t.attr == node.attr and
                   isinstance(t.value, ast.Name) and t.value.id == "self"
                   for t in inner.targets) and
               isinstance(inner.value, ast.Name) and
               inner.value.id in parameters
               for inner in ast.walk(function))


def reseeded_by_task(module, task, unset=()):
    """The global states ("numpy", "random") that a task, or what it calls,
    reseeds with a seed of its own or fresh entropy; not with a parameter
    of the task that its handoff leaves at None (unset), which a reseed
    under ``if seed is not None`` then skips."""
    states = set()
    for function in reachable(module, task):
        owner = module.owner(function)
        for node in calls_in(function):
            name = owner.call_name(node)
            seed = seed_argument(owner, node)
            if function is task and isinstance(seed, ast.Name) and \
                    seed.id in unset and guarded_by(owner, node, seed.id):
                continue  # if seed is not None: np.random.seed(seed)
            if name in {"numpy.random.seed", "random.seed"} and \
                    own_seed(owner, node, function):
                states.add(name.split(".")[0])
    return states


def guarded_by(module, node, name):
    """True when node runs under an ``if`` whose test names name (seed=None
    left as it is then skips it; np.random.seed(None) alone would not)."""
    branch = module.enclosing(node, (ast.If, *FUNCTIONS))
    while isinstance(branch, ast.If):
        if any(isinstance(inner, ast.Name) and inner.id == name
               for inner in ast.walk(branch.test)):
            return True
        branch = module.enclosing(branch, (ast.If, *FUNCTIONS))
    return False


def left_unset(module, expression, handoff, task):
    """The task's parameters that default to None and that its handoff
    surely does not fill: all but the first with pool.map(task, xs); those
    past the arguments given to submit(task, ...) or delayed(task)(...)."""
    if isinstance(task, ast.Lambda) or not isinstance(handoff, ast.Call):
        return set()
    arguments = task.args
    names = [a.arg for a in arguments.posonlyargs + arguments.args]
    if isinstance(expression, ast.Attribute) and names and \
            names[0] in {"self", "cls"}:
        names = names[1:]  # a bound method: self is given
    defaults = dict(zip(names[len(names) - len(arguments.defaults):],
                        arguments.defaults))
    method = handoff.func.attr if isinstance(handoff.func,
                                             ast.Attribute) else None
    if module.call_name(handoff) in DELAYED:  # delayed(task)(a, b)
        call = module.parent.get(handoff)
        if not (isinstance(call, ast.Call) and call.func is handoff):
            return set()
        given, keywords = call.args, call.keywords
    elif method in {"map", "imap", "imap_unordered", "map_async"} and \
            len(handoff.args) == 2 and not handoff.keywords:
        given, keywords = handoff.args[1:], []  # one value per task
    elif method == "submit":
        given, keywords = handoff.args[1:], handoff.keywords
    else:
        return set()
    if any(isinstance(a, ast.Starred) for a in given) or \
            any(k.arg is None for k in keywords):
        return set()  # *args, **kwargs: unknown
    named = {k.arg for k in keywords}
    return {name for position, name in enumerate(names)
            if position >= len(given) and name not in named and
            isinstance(defaults.get(name), ast.Constant) and
            defaults[name].value is None}


def seeding_parameters(module, function, depth=0):
    """The parameters of function that it hands to a seeding call, or, in
    a seed, to a function or class of the project that seeds with it:
    SharedNoiseTable(deltas, env_seed + 7), whose __init__ does
    RandomState(seed)."""
    module = module.owner(function)
    names = {a.arg for a in function.args.posonlyargs + function.args.args}
    found = set()
    for node in calls_in(function):
        seed = seed_argument(module, node)
        if isinstance(seed, ast.Subscript):  # np.random.seed(seeds[i])
            seed = seed.value
        if isinstance(seed, ast.Name) and seed.id in names:
            found.add(seed.id)
        elif seed is None and depth < 3 and isinstance(node.func, ast.Name):
            found |= handed_on_seeds(module, node, names, depth)
    return found


def handed_on_seeds(module, call, names, depth):
    """Which of names a call hands, alone or in arithmetic, to a seeding
    parameter of the project's function or class it calls."""
    found = set()
    for callee in called_functions(module, call.func):
        if isinstance(callee, ast.Lambda):
            continue
        params = [a.arg for a in callee.args.posonlyargs + callee.args.args]
        if getattr(callee, "class_name", None):
            params = params[1:]  # __init__'s self
        seeders = seeding_parameters(module, callee, depth + 1)
        given = list(zip(params, call.args)) + [
            (k.arg, k.value) for k in call.keywords if k.arg]
        for param, value in given:
            if param in seeders:
                found |= {node.id for node in ast.walk(value)
                          if isinstance(node, ast.Name) and node.id in names}
    return found


def calls_in(function):
    """The calls in a function's body (its inner functions' too), read
    once per function: every task that reaches it asks."""
    calls = getattr(function, "calls_inside", None)
    if calls is None:
        calls = function.calls_inside = [
            node for node in ast.walk(function) if isinstance(node, ast.Call)]
    return calls


def is_local(function, name):
    """True when name is a parameter of function or assigned inside it."""
    names = getattr(function, "local_names", None)
    if names is None:  # read once per function: rules ask again and again
        arguments = function.args
        parameters = arguments.posonlyargs + arguments.args + \
            arguments.kwonlyargs + [arguments.vararg, arguments.kwarg]
        names = {p.arg for p in parameters if p is not None}
        names |= {node.id for node in ast.walk(function)
                  if isinstance(node, ast.Name) and
                  isinstance(node.ctx, ast.Store)}
        function.local_names = names
    return name in names


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


def bound_in_loop(loop):
    """The names a loop or comprehension binds at each iteration."""
    if isinstance(loop, (ast.For, ast.AsyncFor)):
        nodes = [loop.target, *loop.body]
    else:
        nodes = [g.target for g in loop.generators]
    return {node.id for top in nodes for node in ast.walk(top)
            if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store)}


def source_of(node, limit=60):
    """The code of node, shortened; a stand-in when it is too deep."""
    try:
        text = ast.unparse(node)
    except RecursionError:
        return "a very long expression"
    return text if len(text) <= limit else text[:limit - 3] + "..."


@walked_once
def what_tasks_do(module):
    """What each task, and what it calls, does with a global state: RSP001
    (global_draw says what) and RSP005."""
    handoffs = []  # (expression, handoff, kind, start, tasks)
    starts = {}  # task -> how the processes of every executor it goes to start
    for expression, handoff in task_handoffs(module):
        kind = executor_kind(module, handoff)
        start = start_method(module, handoff) if kind == "process" else None
        tasks = task_functions(module, expression)
        handoffs.append((expression, handoff, kind, start, tasks))
        for task in tasks:
            starts.setdefault(task, set()).add(start)
    for expression, handoff, kind, start, tasks in handoffs:
        name = module.name_of(expression) if isinstance(
            expression, ast.Attribute) else None
        if name in GLOBAL_DRAWS:  # executor.submit(np.random.random, n)
            yield from global_draw(
                expression, name, f"the task {source_of(expression)} ",
                None, kind, module, start)
            continue
        for task in tasks:
            # One start where every executor the task goes to says the same;
            # else the message says what happens under each.
            start = next(iter(starts[task])) if len(starts[task]) == 1 \
                else None
            # A worker process's state, reseeded by the task with a seed of
            # its own or fresh entropy: what it then draws is the task's.
            own = reseeded_by_task(module, task, left_unset(
                module, expression, handoff, task)) \
                if kind == "process" else set()
            for function, subject, owner in reached_from(module, task):
                for node in calls_in(function):
                    name = owner.call_name(node)
                    if name in GLOBAL_DRAWS and name.split(".")[0] not in own:
                        yield from global_draw(node, name, subject,
                                               function, kind, owner, start)
                    seed = seed_argument(owner, node)
                    if seed is not None and clock_or_id(owner, seed):
                        yield node, "RSP005", (
                            f"{subject}seeds from the clock, a process id, "
                            "a uuid or hash(): no run can be repeated, and "
                            "tasks can get the same seed" + (
                                HASHED if hashes(owner, seed) else "")
                            + "; pass each task a spawned seed")


@walked_once
def hook_seeds(module):
    """RSP003 for a DataLoader's worker_init_fn that seeds with the worker
    id; RSP002 for a pool initializer that seeds with its initargs; RSP005
    for either that seeds from the clock, a pid, a uuid or hash()."""
    for call in module.calls:
        for keyword in call.keywords:
            if keyword.arg not in {"worker_init_fn", "initializer"}:
                continue
            for hook in hooks(module, call, keyword):
                owner = module.owner(hook)
                for node in ast.walk(hook):
                    seed = seed_argument(owner, node)
                    if seed is not None and clock_or_id(owner, seed):
                        yield node, "RSP005", (
                            f"the {keyword.arg}{hook_label(hook)} seeds from "
                            "the clock, a process id, a uuid or hash(): "
                            "workers started together can get the same "
                            "seed, and no run can be repeated" + (
                                HASHED if hashes(owner, seed) else "") +
                            "; seed with [worker id, root], a root that "
                            "changes per run and epoch")
                        continue
                    if seed is not None and seeds_alike(owner, seed, hook):
                        yield node, "RSP002", (
                            f"the {keyword.arg}{hook_label(hook)} seeds every "
                            f"worker with the same seed ({source_of(seed)})"
                            ": the workers start alike and repeat each "
                            "other; seed with [worker id, root], a root "
                            "that changes per run and epoch")
                        continue
                    if not (isinstance(seed, ast.Name) and
                            seed.id in seeding_parameters(module, hook)):
                        continue
                    if keyword.arg == "worker_init_fn":
                        yield node, "RSP003", (
                            f"the worker id ({seed.id}) is the seed: the "
                            "workers of every epoch, and of every run, draw "
                            "the same streams; seed with [worker id, root], "
                            "a root that changes per run and epoch")
                    elif not isinstance(hook, ast.Lambda):
                        yield node, "RSP002", (
                            f"the initializer '{hook.name}' seeds with its "
                            "initargs, which every worker gets alike: the "
                            "workers repeat each other; hand each worker "
                            "its own spawned seed, from a queue")


def hooks(module, call, keyword):
    """The functions a worker_init_fn= or initializer= argument runs: a
    lambda, a def of this file, or one imported from the project."""
    value = keyword.value
    if isinstance(value, ast.Lambda):
        return [value]
    if isinstance(value, ast.Call) and value.args and \
            module.name_of(value.func) == "functools.partial":
        value = value.args[0]
    if isinstance(value, ast.Name) and value.id in module.functions:
        return module.visible_functions(value)
    if isinstance(value, ast.Attribute):
        return method_functions(module, value) or \
            imported_functions(module, value)
    if isinstance(value, ast.Call) and isinstance(value.func, ast.Name):
        # worker_init_fn=get_seed_worker(seed): the hook it returns
        factories = module.visible_functions(value.func) or \
            imported_functions(module, value.func)
        return [hook for factory in factories
                for hook in returned_functions(module.owner(factory),
                                               factory)]
    return imported_functions(module, value)


def returned_functions(module, factory):
    """The lambdas and inner defs that a factory returns."""
    found = []
    for node in ast.walk(factory):
        if not isinstance(node, ast.Return) or node.value is None or \
                module.enclosing(node, FUNCTIONS) is not factory:
            continue
        if isinstance(node.value, ast.Lambda):
            found.append(node.value)
        elif isinstance(node.value, ast.Name):
            found += [inner for inner in module.visible_functions(node.value)
                      if inner is not factory]
    return found


def hook_label(hook):
    return " (a lambda)" if isinstance(hook, ast.Lambda) else \
        f" '{hook.name}'"


def seeds_alike(module, seed, hook, depth=0):
    """True when a hook's seed is the same in every worker: it calls
    nothing (torch.initial_seed() differs per worker), names none of the
    hook's parameters, nor locals bound to what differs, and is not None
    (fresh entropy)."""
    if isinstance(seed, ast.Constant) and seed.value is None:
        return False
    for node in ast.walk(seed):
        if isinstance(node, ast.Call):
            return False
        if isinstance(node, ast.Name) and is_local(hook, node.id):
            # worker_seed = seed (the closure's): alike; = worker_id: not
            values = module.bindings.get((hook, node.id), [])
            if depth > 4 or len(values) != 1 or \
                    not seeds_alike(module, values[0], hook, depth + 1):
                return False
    return True


# -- The rules ----------------------------------------------------------------


@dataclass(frozen=True)
class Rule:
    """A code, its name (kebab-case, as ruff names its rules), the function
    that finds it, and its documentation: that function's docstring, whose
    first paragraph is the summary (the module's docstring lists it, SARIF's
    rules say it) and the rest the four parts of ruff's rule pages: what it
    does, why is this bad, an example, what to use instead."""
    code: str
    name: str
    find: object  # module -> (node, message) for each finding; None: a file
    doc: str

    @property
    def summary(self):
        return " ".join(self.doc.split("\n\n")[0].split())


RULES = {}  # code -> Rule, in the order of the sections below: code order


def rule(code, name):
    """Register the function below as the rule that finds code; each
    (node, message) it yields is a finding of that code."""
    def register(find):
        if code in RULES or any(name == r.name for r in RULES.values()):
            raise ValueError(f"{code} {name}: a code, or a name, has one rule")
        RULES[code] = Rule(code, name, find, inspect.cleandoc(find.__doc__))
        return find
    return register


# -- RSP001 global-state-in-task ----------------------------------------------


@rule("RSP001", "global-state-in-task")
def global_state_in_task(module):
    """a parallel task draws from, or reseeds, a global random state

    What it does: finds a task (a function handed to joblib, multiprocessing,
    concurrent.futures, dask, pathos, pebble or Ray, or a thread), and what it
    calls across the project's files, that draws from NumPy's global state
    (np.random.rand...) or the random module's, or reseeds it.

    Why is this bad? No run can be repeated. Forked workers copy the parent's
    state and repeat each other once the parent has used numpy.random (NumPy 2
    makes the state at its first use); threads share one state and race for
    it. A process task that reseeds the worker's state with a seed of its own,
    or fresh entropy, is right and not reported; in threads it is. A reseed
    under ``if seed is not None`` counts where the handoff passes a seed:
    pool.map(task, sizes) leaves it at None, and the task draws unseeded.

    Example:
        def task(i):
            return np.random.randint(100, size=5)

    Use instead:
        def task(seed):
            return np.random.default_rng(seed).integers(100, size=5)
        seeds = np.random.SeedSequence(2024).spawn(n)
    """
    yield from of_code("RSP001", what_tasks_do(module))


# RSP001: what a draw from a global state does in worker processes whose
# start the code names (tests/test_checker_messages.py measures each).
KNOWN_STARTS = {
    "fork": {
        "numpy": "no run can be repeated, and the forked workers start from "
                 "copies of it and repeat each other once this process has "
                 "used numpy.random before the fork (NumPy 2 makes the state "
                 "at its first use)",
        "random": "forked workers reseed it (CPython's random does after a "
                  "fork), so they differ, but no run can be repeated"},
    "spawn": {
        "numpy": "spawn workers each seed their own from the OS, so they "
                 "differ, but no run can be repeated (a np.random.seed at "
                 "import would run again in each and make them alike)",
        "random": "spawn workers each seed it from the OS, so they differ, "
                  "but no run can be repeated (a random.seed at import "
                  "would run again in each and make them alike)"},
    "loky": {
        "numpy": "joblib's default backend, loky, starts workers that each "
                 "seed their own from the OS, so they differ, but no run can "
                 "be repeated",
        "random": "joblib's default backend, loky, starts workers that each "
                  "seed it from the OS, so they differ, but no run can be "
                  "repeated"},
}


def global_draw(node, name, subject, function, kind="unknown",
                module=None, start=None):
    """RSP001: what drawing from, or reseeding, a global state does, under
    the executor that runs the task (kind: "process", "thread", or
    "unknown" when the code does not say; start: how its processes start,
    when the code says, as start_method finds it)."""
    numpy = name.startswith("numpy.")
    short = name.replace("numpy.random.", "np.random.")
    state = "NumPy's global random state" if numpy else \
        "the random module's global state"
    if name.rsplit(".", 1)[1] not in SEEDING:
        if kind == "thread":
            happens = ("the threads share it and race for it, so no run "
                       "can be repeated")
        elif start in KNOWN_STARTS:
            happens = KNOWN_STARTS[start]["numpy" if numpy else "random"]
        elif numpy:
            happens = (
                "no run can be repeated, and forked workers start from "
                "copies of it and repeat each other once the parent has "
                "used numpy.random before the fork (NumPy 2 makes the "
                "state at its first use); spawn, forkserver, loky, dask "
                "and Ray workers each seed their own, unless a "
                "np.random.seed at import runs again in each (RSP004), and "
                "threads share it")
        else:
            happens = (
                "forked workers reseed it and fresh ones seed it from the "
                "OS, so workers differ and no run can be repeated, unless a "
                "random.seed at import runs again in each worker, as in "
                "spawn and dask workers (dask's nanny reseeds NumPy, not "
                "random), which then start alike")
        fix = "pass each task a seed and make its generator from it"
        if not numpy:
            fix = "pass each task a seed and draw from random.Random(seed)"
        yield node, "RSP001", f"{subject}draws from {state} ({short}): " \
            f"{happens}; {fix}"
        return
    if isinstance(node, ast.Call) and own_seed(module, node, function):
        seed = node.args[0] if node.args else \
            (node.keywords[0].value if node.keywords else None)
        own = seed is not None and not isinstance(seed, ast.Constant)
        if kind == "process":
            return  # a worker process's own state, seeded per task: right
        what = "its own seed" if own else "fresh entropy"
        happens = (f"seeded with {what}, it is right in worker processes "
                   "that run one task at a time, but threads share that "
                   "state and race for it")
        if kind == "thread":
            happens = (f"the task runs in threads, which share that state "
                       f"and race for it: seeding it with {what} does not "
                       "make the draws the task's own")
        else:
            happens += (" (the executor is not known here: a backend "
                        "passed in, or a parallel_config elsewhere, may "
                        "make it threads)")
    else:
        happens = "every task seeded alike repeats the others"
    generator = "np.random.default_rng(seed)" if numpy else \
        "random.Random(seed)"
    yield node, "RSP001", f"{subject}reseeds {state} ({short}): " \
        f"{happens}; draw from {generator} instead"


# -- RSP002 shared-generator --------------------------------------------------


@rule("RSP002", "shared-generator")
def shared_generator(module):
    """one generator reaches every task: passed to each, made at module level
    or kept on self; or a pool initializer or worker_init_fn seeds every worker
    alike

    What it does: finds one generator object given to every task (an
    argument, partial(), itertools.repeat, [rng] * n), made at module level
    (in this file or one it imports) or kept on self and used by a method
    handed to a pool; a Dataset whose __getitem__ draws from a generator
    made in its __init__ (its own, or a transform's), handed to a
    DataLoader with workers; and a pool initializer or worker_init_fn that
    seeds every worker alike.

    Why is this bad? Processes unpickle copies in the same state and repeat
    each other; threads race for the one object. Ray actors each hold their
    own: not reported.

    Example:
        rng = np.random.default_rng(0)
        Parallel(n_jobs=2)(delayed(task)(rng) for _ in range(n))

    Use instead:
        Parallel(n_jobs=2)(delayed(task)(child) for child in rng.spawn(n))
    """
    message = ("the generator {} goes to every task: copies in processes "
               "repeat the same numbers, threads race for it; spawn one "
               "per task with generator.spawn(n)")
    for name, task, where in module_generators_in_tasks(module):
        yield name, (
            f"task {label(task)} draws from {source_of(name)}, a generator "
            f"made {where}: loky and spawn workers each get a copy in the "
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
                yield argument, message.format(argument.id)
    for node in module.nodes:
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mult):
            # [generator] * n
            for side in (node.left, node.right):
                if isinstance(side, ast.List) and len(side.elts) == 1 and \
                        is_generator(module, side.elts[0],
                                     module.scope_of.get(node, module.tree)):
                    yield side.elts[0], message.format(
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
                yield argument, message.format(argument.id)
    yield from of_code("RSP002", hook_seeds(module))
    yield from dataset_generators(module)


DATA_LOADERS = {"torch.utils.data.DataLoader",
                "torch.utils.data.dataloader.DataLoader"}


def dataset_generators(module):
    """RSP002: a Dataset whose __getitem__ (or a transform it calls) draws
    from a generator made once in __init__, handed to a DataLoader with
    worker processes. PyTorch reseeds torch, random and NumPy's global
    state in each worker (torch/utils/data/_utils/worker.py), not that."""
    for call in module.calls:
        if module.call_name(call) not in DATA_LOADERS:
            continue
        given = {k.arg: k for k in call.keywords if k.arg}
        workers = given["num_workers"].value if "num_workers" in given \
            else None
        if workers is None or isinstance(workers, ast.Constant) and \
                workers.value in (0, None):
            continue  # no workers: the dataset is not copied
        if "worker_init_fn" in given and any(
                "get_worker_info" in ast.unparse(hook)
                for hook in hooks(module, call, given["worker_init_fn"])):
            continue  # the hook reaches the worker's copy: it may remake it
        dataset = call.args[0] if call.args else \
            getattr(given.get("dataset"), "value", None)
        for method in dataset_methods(module, dataset):
            for function in reachable(module, method):
                owner = module.owner(function)
                for node in calls_in(function):
                    used = node.func.value if isinstance(
                        node.func, ast.Attribute) else None
                    if isinstance(used, ast.Attribute) and \
                            module_level_generator(owner, used, function) \
                            == "once and kept on the instance":
                        yield used, (
                            f"the DataLoader's workers each get a copy of "
                            f"the dataset and of {source_of(used)}, a "
                            "generator made once in __init__, in the same "
                            "state: they draw the same numbers (PyTorch "
                            "reseeds torch, random and NumPy's global state "
                            "in each worker, not this); draw from those, or "
                            "make the generator in worker_init_fn from "
                            "torch.initial_seed()")


def dataset_methods(module, dataset):
    """The __getitem__ (or __iter__) of the dataset's class, when the code
    makes it here: DS(...), or a name bound once to DS(...)."""
    value = module.value_of(dataset) if isinstance(dataset, ast.Name) \
        else dataset
    if not (isinstance(value, ast.Call) and isinstance(value.func, ast.Name)):
        return []
    return [method for classdef in classes_named(module, value.func)
            for name in ("__getitem__", "__getitems__", "__iter__")
            for method in methods_of(classdef, name)]


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


def module_generators_in_tasks(module):
    """(node, name) where a task uses a generator made at module level."""
    for expression, handoff in task_handoffs(module):
        for task in task_functions(module, expression):
            if isinstance(handoff, ast.ClassDef):
                continue  # a Ray actor: each holds its own instance
            for function in reachable(module, task):
                owner = module.owner(function)
                for node in ast.walk(function):
                    if not isinstance(node, ast.Attribute) or \
                            node.attr in SPAWN_PATH | {"spawn"}:
                        continue  # RSP006 reports spawning
                    name = node.value
                    if isinstance(name, ast.Name) and \
                            not isinstance(function, ast.Lambda) and \
                            is_local(function, name.id):
                        continue
                    where = module_level_generator(owner, name, function)
                    if where:
                        yield name, task, where


def module_level_generator(module, node, function):
    """Where the generator that node names was made, if it is one that
    every task shares: "at module level" (here, or in a module of the
    project it is imported from), "in __init__" (self.rng, a method's
    task); else None."""
    if isinstance(node, ast.Name):
        values = module.bindings.get((module.tree, node.id), [])
        if len(values) == 1 and module.call_name(values[0]) in GENERATORS:
            return "at module level"
        if values:
            return None
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) \
            and node.value.id == "self":
        values = attribute_values(module, node)
        if len(values) == 1 and module.call_name(values[0]) in GENERATORS \
                and module.enclosing(values[0], FUNCTIONS) is not function:
            return "once and kept on the instance"
        return None
    if isinstance(node, (ast.Name, ast.Attribute)):
        owner, values = module.imported(node)
        if owner is not None and len(values) == 1 and \
                owner.call_name(values[0]) in GENERATORS:
            return f"at module level in {owner.name}"
    return None


# -- RSP003 derived-seed ------------------------------------------------------


@rule("RSP003", "derived-seed")
def derived_seed(module):
    """a seed made by arithmetic on another seed, the loop counter or a rank,
    or the bare loop counter, MPI rank or DataLoader worker id

    What it does: finds seeds made by arithmetic on another seed, the loop
    counter or a rank (seed + i, seed + rank in torch.manual_seed, env.seed,
    env.reset(seed=...), tf.random.set_seed), a loop counter as the seed, and
    a worker_init_fn that seeds with the worker id. Arithmetic on a root
    drawn at random (torch.initial_seed() % 2**32 + worker_id in a
    worker_init_fn) is not reported.

    Why is this bad? Runs with nearby roots share streams: run 1's task 0 is
    run 0's task 1. A worker id as the seed gives every epoch the same
    streams.

    Example:
        torch.manual_seed(args.seed + rank)

    Use instead:
        child = np.random.SeedSequence([rank, args.seed])
        torch.manual_seed(int(child.generate_state(1)[0]))
    """
    for node in module.calls:
        seed = seed_argument(module, node)
        if seed is None:
            continue
        value = unwrapped(module.value_of(seed))
        if is_arithmetic(value) and not clock_or_id(module, value) and \
                not random_root(module, value):
            # (arithmetic on the clock is RSP005's)
            yield node, ARITHMETIC_SEED.format(source_of(value))
        elif isinstance(seed, ast.Name) and \
                seed.id in loop_counters(module, node):
            yield node, (
                f"the loop counter {seed.id} is the seed: every loop seeded "
                "this way repeats the same streams; use "
                "SeedSequence(root).spawn(n) or default_rng([i, root])")
        elif is_mpi_rank(module, value):
            yield node, (
                f"the MPI rank ({source_of(seed)}) is the seed: every run, "
                "and every program seeded this way, draws the same streams "
                "on each rank; seed with [rank, root], a root that changes "
                "per run, or scatter children of SeedSequence(root).spawn("
                "comm.size)")
    yield from seeds_handed_to_tasks(module)
    yield from of_code("RSP003", hook_seeds(module))
    yield from seeds_given_to_seeders(module)


ARITHMETIC_SEED = ("seed made by arithmetic, {}: runs with nearby roots "
                   "share streams; use SeedSequence(root).spawn(n) or "
                   "default_rng([i, root]) (where an int is needed, as in "
                   "torch.manual_seed or env.seed: "
                   "SeedSequence([i, root]).generate_state(1)[0])")

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


# A root drawn at random, or a DataLoader worker's own seed (base_seed +
# worker id, a new base_seed each epoch): arithmetic on it is not a
# nearby root shared by runs.
RANDOM_ROOTS = {"torch.initial_seed", "torch.seed", "torch.randint",
                "numpy.random.randint", "random.randint", "random.randrange",
                "random.getrandbits", "secrets.randbits", "secrets.randbelow"}


def random_root(module, value):
    """True when the seed's arithmetic starts from a random draw:
    torch.initial_seed() % 2**32 + worker_id in a worker_init_fn,
    torch.randint(...).item() + worker_id, rng.integers(2**32) + i."""
    return any(isinstance(node, ast.Call) and (
                   module.call_name(node) in RANDOM_ROOTS or
                   isinstance(node.func, ast.Attribute) and
                   node.func.attr in {"integers", "randint", "getrandbits"})
               for node in ast.walk(value))


def unwrapped(value):
    """The seed inside int(...), abs(...) or ... % 2**32."""
    for _ in range(4):
        if isinstance(value, ast.Call) and len(value.args) == 1 and \
                isinstance(value.func, ast.Name) and \
                value.func.id in {"int", "abs"}:
            value = value.args[0]
        elif isinstance(value, ast.BinOp) and isinstance(value.op, ast.Mod):
            value = value.left
        else:
            break
    return value


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


def is_mpi_rank(module, expression):
    """True for mpi4py's comm.Get_rank() or comm.rank, or a name bound to
    one, as a whole seed (not inside arithmetic: that is the other case)."""
    if isinstance(expression, ast.Call):
        name = module.call_name(expression) or ""
        return name.startswith("mpi4py.") and name.endswith(".Get_rank")
    if isinstance(expression, ast.Attribute) and expression.attr == "rank":
        base = module.name_of(expression.value) or module.name_of(
            module.value_of(expression.value) or expression.value) or ""
        return base.startswith("mpi4py.")
    return False


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
                        yield values.elt, ARITHMETIC_SEED.format(
                            source_of(values.elt))
                if is_arithmetic(given):
                    yield given, ARITHMETIC_SEED.format(
                        source_of(given))
                elif isinstance(given, ast.Name):
                    # for s in seeds, or the whole list: task(seeds, i)
                    values = comprehension_of(module, loop, given.id) \
                        if loop is not None else None
                    if values is None:
                        values = module.value_of(given)
                    if isinstance(values, (ast.ListComp, ast.GeneratorExp)) \
                            and is_arithmetic(values.elt):
                        yield values.elt, ARITHMETIC_SEED.format(
                            source_of(values.elt))


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


def seeds_given_to_seeders(module):
    """RSP003: arithmetic handed to a function of the project that seeds
    with that parameter: set_seed(args.seed + rank), where set_seed, in
    this file or another, calls np.random.seed(seed)."""
    cache = module.project.seeders if module.project else {}
    for call in module.calls:
        if not (call.args or call.keywords) or \
                not isinstance(call.func, (ast.Name, ast.Attribute)):
            continue
        derived = [derived_value(module, argument) for argument in call.args]
        if not any(derived) and not any(derived_value(module, k.value)
                                        for k in call.keywords):
            continue
        func = call.func
        if isinstance(func, ast.Attribute) and func.attr == "remote":
            func = func.value  # a Ray task: task.remote(seed + i)
        # a class too: Table(seed + i), a Ray actor's Worker.remote(...)
        functions = called_functions(module, func) \
            if isinstance(func, ast.Name) else imported_functions(module, func)
        for function in functions:
            if isinstance(function, ast.Lambda):
                continue
            if id(function) not in cache:
                cache[id(function)] = seeding_parameters(module, function)
            names = [a.arg for a in function.args.posonlyargs +
                     function.args.args]
            if getattr(function, "class_name", None):
                names = names[1:]  # __init__'s self
            for position, argument in enumerate(call.args):
                if position < len(names) and \
                        names[position] in cache[id(function)] and \
                        derived[position] is not None:
                    yield argument, ARITHMETIC_SEED.format(
                        source_of(derived[position]))
            for keyword in call.keywords:  # Table(noise, seed=seed + 3)
                value = derived_value(module, keyword.value)
                if keyword.arg in cache[id(function)] and value is not None:
                    yield keyword.value, ARITHMETIC_SEED.format(
                        source_of(value))


def derived_value(module, argument):
    """The arithmetic an argument is, or a name bound once to: seed + rank
    in f(seed + rank), or seed = args.seed + rank; f(seed). None for
    anything else, and for arithmetic on the clock or a random root."""
    value = unwrapped(module.value_of(argument)) \
        if isinstance(argument, ast.Name) else argument
    if is_arithmetic(value) and not clock_or_id(module, value) and \
            not random_root(module, value):
        return value
    return None


# -- RSP004 global-state-at-import --------------------------------------------


@rule("RSP004", "global-state-at-import")
def global_state_at_import(module):
    """a global state seeded or drawn at import, in a module whose tasks draw
    from it in processes that start from it

    What it does: finds np.random.seed(...), random.seed(...) or a draw at a
    module's top level where the module starts processes whose tasks draw
    on that state; and a seed at the top of a module whose functions other
    modules hand to worker processes, which import it to run them.

    Why is this bad? Workers that run the script again (spawn, older
    forkserver) or copy a process that ran it (fork) start alike and repeat
    each other. dask's nanny reseeds NumPy, not random; loky's workers do not
    run the main script.

    Example:
        np.random.seed(0)                # at import
        with Pool() as pool: pool.map(task, range(n))

    Use instead: seed nothing at import; pass each task a spawned seed.
    """
    # A generator made at import and used in a task is RSP002; a
    # SeedSequence made at import draws no entropy and is the same in
    # every process.
    yield from seeded_where_tasks_live(module)
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
            happens = at_import(name)
            if happens:
                short = name.replace("numpy.random.", "np.random.")
                yield node, (
                    f"{short} runs at import in a module whose tasks draw "
                    f"from that state in worker processes: {happens}; seed "
                    "nothing at import, and pass each task a spawned seed")


# RSP004 for a module that other modules' process tasks live in: workers
# import it to unpickle a task, so its seed at import runs in each of them
# (tests/test_checker_messages.py measures fork, forkserver, spawn, loky
# and dask, with the module imported under the main script's guard).
IMPORTED_SEED = {
    "numpy": ("each worker process that imports the module to run one "
              "seeds it again (spawn, forkserver, loky, Ray, and dask, "
              "whose nanny reseeds NumPy only before that import), and "
              "forked workers copy the state it leaves, so they start "
              "alike and repeat each other"),
    "random": ("each worker process that imports the module to run one "
               "seeds it again (spawn, forkserver, loky, dask, Ray), so "
               "they start alike and repeat each other (forked workers "
               "reseed random)"),
}


def seeded_where_tasks_live(module):
    """RSP004: np.random.seed(...) or random.seed(...) with a seed, at the
    top of a module whose functions other modules hand to worker
    processes, and which draw from that state."""
    if module.project is None:
        return
    drawn = process_task_states(module.project).get(id(module), set())
    if not drawn:
        return
    for node in module.tree.body:
        call = node.value if isinstance(node, ast.Expr) else None
        name = module.call_name(call) or ""
        state = name.split(".")[0]
        if name not in {"numpy.random.seed", "random.seed"} or \
                state not in drawn or not call.args:
            continue
        if isinstance(call.args[0], ast.Constant) and \
                call.args[0].value is None:
            continue  # fresh entropy: each import seeds it anew
        short = name.replace("numpy.random.", "np.random.")
        yield call, (
            f"{short} runs at import in a module whose functions other "
            f"modules run as tasks in worker processes: {IMPORTED_SEED[state]}"
            "; seed nothing at import, and pass each task a spawned seed")


def process_task_states(project):
    """id(module) -> the global states that functions of that module draw
    from when another module hands them (or what calls them) to worker
    processes. Read once per project."""
    if project.task_states is not None:
        return project.task_states
    found = project.task_states = {}
    for module in project.modules:
        for expression, handoff in task_handoffs(module):
            if executor_kind(module, handoff) == "thread":
                continue
            for task in task_functions(module, expression):
                for function in reachable(module, task):
                    owner = module.owner(function)
                    if owner is module:
                        continue  # starts_processes judges its own module
                    found.setdefault(id(owner), set()).update(
                        owner.call_name(node).split(".")[0]
                        for node in calls_in(function)
                        if owner.call_name(node) in GLOBAL_DRAWS)
    return found


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
                owner = module.owner(function)
                drawn |= {owner.call_name(node).split(".")[0]
                          for node in ast.walk(function)
                          if owner.call_name(node) in GLOBAL_DRAWS}
    return drawn


def at_import(name):
    """What a global state seeded or drawn at import does in workers, per
    start method and executor (measured in tests/test_rng_check.py); None
    where no worker repeats another."""
    seeds = name.rsplit(".", 1)[1] in SEEDING
    if name.startswith("numpy."):
        return ("forked workers start from copies of the state it leaves, "
                "and so do forkserver workers from Python 3.14.1 and 3.13.8"
                + (", and spawn and older forkserver workers run it again, "
                   "so they all start alike and repeat each other (dask's "
                   "workers reseed NumPy after the import, and loky's do "
                   "not run the main script)" if seeds else
                   ", alike: they repeat each other"))
    if seeds:  # random reseeds itself in forked workers
        return ("spawn and dask workers run it again, as forkserver workers "
                "did before Python 3.14.1 and 3.13.8, so they start alike "
                "and repeat each other (forked workers reseed random, and "
                "loky's do not run the main script)")
    return None  # a draw from random: forked workers reseed it


# -- RSP005 seed-from-clock-or-id ---------------------------------------------


@rule("RSP005", "seed-from-clock-or-id")
def seed_from_clock_or_id(module):
    """a task or a worker's hook seeds with the time, a process id, a uuid or
    hash()

    What it does: finds a task, pool initializer or worker_init_fn (lambdas
    too) that seeds from time.time(), os.getpid(), uuid4() or hash().

    Why is this bad? Tasks started in one clock tick, or run in one reused
    worker, get the same seed; no run can be repeated. A str's hash() is the
    same in forked and dask workers, and new in each spawn or loky worker.

    Example:
        worker_init_fn=lambda _: np.random.seed(int(time.time()))

    Use instead:
        worker_init_fn=lambda _: np.random.seed(torch.initial_seed() % 2**32)
    """
    yield from of_code("RSP005", what_tasks_do(module))
    yield from of_code("RSP005", hook_seeds(module))


# -- RSP006 spawn-from-shared-parent ------------------------------------------


@rule("RSP006", "spawn-from-shared-parent")
def spawn_from_shared_parent(module):
    """a task spawns children from a parent that every task shares

    What it does: finds a task that calls .spawn() on a SeedSequence or
    generator that every task shares.

    Why is this bad? Threads that spawn at once can get the same child;
    processes spawn from copies, which give every task the same children.

    Example:
        ROOT = np.random.SeedSequence(2024)
        def task(i):
            return np.random.default_rng(ROOT.spawn(1)[0]).random()

    Use instead: spawn in the parent, ROOT.spawn(n), and hand each task one.
    """
    # The parent: one made at module level, or one object passed to
    # every task.
    handoffs = [*task_handoffs(module), *thread_targets(module)]
    for expression, handoff in handoffs:
        for task in task_functions(module, expression):
            if isinstance(task, ast.Lambda):
                continue
            names = [a.arg for a in task.args.posonlyargs + task.args.args]
            for function in reachable(module, task):
                owner = module.owner(function)
                for node in ast.walk(function):
                    parent = spawned_parent(node)
                    if parent is None:
                        continue
                    if isinstance(function, ast.Lambda):
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
                        shared = is_spawner(owner, parent,
                                            owner.scope_of.get(function))
                    if shared:
                        yield node, (
                            f"task {label(task)} spawns from {parent.id}, "
                            "which every task shares: threads that spawn "
                            "at once can get the same child, and processes "
                            "spawn from copies that give each task the same "
                            "children; spawn them before the tasks start "
                            "and pass each task its own")


SPAWNERS = GENERATORS | {"numpy.random.SeedSequence"}


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


def thread_targets(module):
    """(target, call) for threading.Thread(target=...), a task too, and
    the run() of a threading.Thread subclass."""
    yield from subclass_runs(module, {"threading.Thread"})
    for node in module.calls:
        if module.call_name(node) == "threading.Thread":
            for keyword in node.keywords:
                if keyword.arg == "target":
                    yield keyword.value, node


# -- RSP007 narrow-random-seed ------------------------------------------------


@rule("RSP007", "narrow-random-seed")
def narrow_random_seed(module):
    """many tasks get random seeds drawn from 2**32 values or fewer, which two
    tasks share sooner than one expects (the birthday bound)

    What it does: finds seeds drawn at random from 2**32 values or fewer for
    many tasks: randint(2**31 - 1, size=n), randrange(2**32) in a loop.
    Where size is a constant, it reports a chance of 1% or more only
    (joblib's example draws 5 seeds: a chance of about 1e-8).

    Why is this bad? Two of n tasks share a seed with a chance of about
    n**2 / 2**33 (the birthday bound): 1% at about 9,300 tasks.

    Example:
        seeds = rng.integers(2**32, size=n)

    Use instead:
        seeds = np.random.SeedSequence(root).spawn(n)
    """
    for expression in seed_positions(module):
        draw = drawn_seeds(module, expression)
        if draw is None:
            continue
        space, _ = seed_space(module, draw)
        count = constant(module, size_of(draw))
        if count is not None and shared_seed_chance(count, space) < 0.01:
            continue  # a few seeds, counted: joblib's example draws 5
        one, half = birthday_figures(space)
        twice = f"2**{space.bit_length()}" if space & (space - 1) == 0 \
            else f"(2 * ({spelled(space)}))"
        yield draw, (
            f"random seeds drawn from {spelled(space)} values, one per task "
            f"({source_of(draw)}): two of n tasks share a seed, and draw the "
            f"same numbers, with a chance of about n**2 / {twice} (the "
            f"birthday bound): 1% at about {one} tasks, 50% at about {half}; "
            "hand each task a child of SeedSequence(root).spawn(n) instead")


# RSP007: seeds drawn at random from 2**32 values or fewer, one per task.
# The widest space it reports: beyond 2**32 a collision takes billions of
# tasks. The narrowest: any, for only values used as seeds are looked at,
# and 1,000 values are worse than 2**32.
NARROW_SEEDS = (2, 2**32)

LOOPS = (ast.For, ast.AsyncFor, ast.While, ast.ListComp, ast.SetComp,
         ast.DictComp, ast.GeneratorExp)

INT_DTYPES = {"int16": 2**15 - 1, "uint16": 2**16 - 1, "int32": 2**31 - 1,
              "uint32": 2**32 - 1, "int64": 2**63 - 1, "uint64": 2**64 - 1}

SEEDING_METHODS = {"manual_seed", "manual_seed_all", "set_seed"}

SEED_LIKE = re.compile(r"seed|random_state", re.IGNORECASE)


def seed_positions(module):
    """Every expression used as a seed: a seeding call's seed, a
    random_state= or seed= argument, a manual_seed(), and a task's
    argument where the task's parameter, or the argument, is named like a
    seed."""
    for call in module.calls:
        yield seed_argument(module, call)
        for keyword in call.keywords:
            if keyword.arg in {"random_state", "seed"}:
                yield keyword.value
        if isinstance(call.func, ast.Attribute) and call.args and \
                call.func.attr in SEEDING_METHODS:
            yield call.args[0]
    for expression, handoff in task_handoffs(module):
        if not isinstance(handoff, ast.Call):
            continue
        tasks = task_functions(module, expression)
        names = [[a.arg for a in task.args.posonlyargs + task.args.args]
                 for task in tasks if not isinstance(task, ast.Lambda)]
        if isinstance(handoff.func, ast.Attribute) and \
                handoff.func.attr in TASK_METHODS - {"submit", "apply",
                                                     "apply_async"} and \
                len(handoff.args) > 1:  # pool.map(task, seeds)
            values = handoff.args[1]
            if any(params and SEED_LIKE.search(params[0])
                   for params in names) \
                    or SEED_LIKE.search(source_of(values)):
                yield values
            continue
        for position in range(max(map(len, names), default=0) or 4):
            given, _ = argument_at(module, handoff, position)
            if given is None:
                continue
            if any(position < len(params) and
                   SEED_LIKE.search(params[position]) for params in names) \
                    or SEED_LIKE.search(source_of(given)):
                yield given


def drawn_seeds(module, expression, depth=0):
    """The call that drew expression's value, when that call draws random
    integers from a narrow range for many tasks; else None."""
    if depth > 8 or expression is None:
        return None
    if isinstance(expression, ast.Call):
        space = seed_space(module, expression)
        if space:
            low, high = NARROW_SEEDS
            return expression if low <= space[0] <= high and space[1] \
                else None
        func = expression.func
        if isinstance(func, ast.Name) and func.id in {"int", "list",
                                                      "tuple"} or \
                module.call_name(expression) in {"numpy.asarray",
                                                 "numpy.array"}:
            return drawn_seeds(module, expression.args[0], depth + 1) \
                if expression.args else None
        if isinstance(func, ast.Attribute) and func.attr in {
                "tolist", "item", "astype", "copy"}:
            return drawn_seeds(module, func.value, depth + 1)
        return None
    if isinstance(expression, ast.Subscript):
        return drawn_seeds(module, expression.value, depth + 1)
    if isinstance(expression, (ast.ListComp, ast.GeneratorExp)):
        return drawn_seeds(module, expression.elt, depth + 1)
    if isinstance(expression, ast.Name):
        # A comprehension's or loop's own name comes first: `s` in
        # `for s in seeds` is not the `s = ...` elsewhere in the function.
        value = loop_source(module, expression)
        if value is None:
            value = module.value_of(expression)
        if value is expression:
            return None
        return drawn_seeds(module, value, depth + 1)
    return None


def seed_space(module, call):
    """(how many values, whether it draws many) for a call that draws
    random integers from a constant range; None for any other call."""
    if not isinstance(call, ast.Call):
        return None
    name = module.call_name(call) or ""
    method = call.func.attr if isinstance(call.func, ast.Attribute) else ""
    given = dict(enumerate(call.args))
    keywords = {k.arg: k.value for k in call.keywords if k.arg}
    python = name.startswith(("random.", "secrets.")) or \
        isinstance(call.func, ast.Attribute) and is_generator(
            module, call.func.value, module.scope_of.get(call, module.tree),
            {"random.Random"})
    if name in {"random.getrandbits", "secrets.randbits"} or \
            method == "getrandbits":
        bits = constant(module, given.get(0, keywords.get("k")))
        return (2**bits, in_a_loop(module, call)) if bits else None
    if name == "secrets.randbelow":
        space = constant(module, given.get(
            0, keywords.get("exclusive_upper_bound")))
        return (space, in_a_loop(module, call)) if space else None
    if method not in {"randint", "randrange", "integers"}:
        return None
    first = given.get(0, keywords.get("low", keywords.get("a",
                                      keywords.get("start"))))
    second = given.get(1, keywords.get("high", keywords.get("b",
                                       keywords.get("stop"))))
    low, high = constant(module, first), constant(module, second)
    if second is None:
        low, high = 0, low
    if low is None or high is None:
        return None
    endpoint = keywords.get("endpoint")
    inclusive = (python and method == "randint") or (
        isinstance(endpoint, ast.Constant) and endpoint.value is True)
    space = high - low + inclusive
    many = not python and ("size" in keywords or 2 in given)
    return space, many or in_a_loop(module, call)


def constant(module, node, depth=0):
    """The int a constant expression stands for: 2**32, 2**31 - 1,
    0xFFFFFFFF, np.iinfo(np.int32).max, or a name bound once to one."""
    if depth > 8 or node is None:
        return None
    if isinstance(node, ast.Constant):
        return node.value if type(node.value) is int else None
    if isinstance(node, ast.Name):
        value = module.value_of(node)
        return None if value is None or value is node \
            else constant(module, value, depth + 1)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        value = constant(module, node.operand, depth + 1)
        return None if value is None else -value
    if isinstance(node, ast.BinOp):
        left = constant(module, node.left, depth + 1)
        right = constant(module, node.right, depth + 1)
        if left is None or right is None:
            return None
        if isinstance(node.op, (ast.Pow, ast.LShift)) and \
                not 0 <= right <= 128:
            return None
        operations = {ast.Add: int.__add__, ast.Sub: int.__sub__,
                      ast.Mult: int.__mul__, ast.Pow: int.__pow__,
                      ast.LShift: int.__lshift__, ast.FloorDiv: None}
        if type(node.op) is ast.FloorDiv:
            return left // right if right else None
        operation = operations.get(type(node.op))
        return operation(left, right) if operation else None
    if isinstance(node, ast.Attribute) and node.attr == "max" and \
            isinstance(node.value, ast.Call) and node.value.args and \
            module.call_name(node.value) == "numpy.iinfo":
        dtype = node.value.args[0]
        name = dtype.value if isinstance(dtype, ast.Constant) else \
            (module.name_of(dtype) or "")
        return INT_DTYPES.get(str(name).removeprefix("numpy."))
    return None


def in_a_loop(module, node):
    """Whether node runs again and again: in a loop or a comprehension of
    its function."""
    while node in module.parent:
        node = module.parent[node]
        if isinstance(node, FUNCTIONS):
            return False
        if isinstance(node, LOOPS):
            return True
    return False


def loop_source(module, name):
    """What a loop variable iterates over: seeds in ``for s in seeds``,
    ``for i, s in enumerate(seeds)`` or ``zip(xs, seeds)``."""
    node = name
    while node in module.parent:
        child, node = node, module.parent[node]
        if isinstance(node, FUNCTIONS):
            return None
        if isinstance(node, (ast.For, ast.AsyncFor)) and \
                child is not node.iter:
            pairs = [(node.target, node.iter)]
        elif isinstance(node, (ast.ListComp, ast.SetComp, ast.DictComp,
                               ast.GeneratorExp)):
            pairs = [(g.target, g.iter) for g in node.generators]
        else:
            continue
        for target, iterable in pairs:
            if isinstance(target, ast.Name) and target.id == name.id:
                return iterable
            if isinstance(target, ast.Tuple) and \
                    isinstance(iterable, ast.Call):
                for position, element in enumerate(target.elts):
                    if not (isinstance(element, ast.Name) and
                            element.id == name.id):
                        continue
                    wrapper = getattr(iterable.func, "id", None)
                    if wrapper == "enumerate" and position == 1 and \
                            iterable.args:
                        return iterable.args[0]
                    if wrapper == "zip" and position < len(iterable.args):
                        return iterable.args[position]
    return None


def size_of(call):
    """The size given to a NumPy draw of integers: size=n, or its third
    argument."""
    keywords = {k.arg: k.value for k in call.keywords if k.arg}
    return keywords.get("size", call.args[2] if len(call.args) > 2 else None)


def shared_seed_chance(count, space):
    """The chance that two of count seeds drawn from space values are the
    same (the birthday bound)."""
    return 1 - math.exp(-count * (count - 1) / (2 * space))


def birthday_figures(space):
    """Tasks at which two share a seed with probability 1%, and 50%:
    n = sqrt(2 * space * ln(1 / (1 - p))), rounded to two digits."""
    def tasks(p):
        n = math.sqrt(2 * space * math.log(1 / (1 - p)))
        digits = max(len(str(int(n))) - 2, 0)
        return f"{round(n, -digits):,.0f}"
    return tasks(0.01), tasks(0.5)


def spelled(space):
    for power in range(16, 33):
        if space == 2**power:
            return f"2**{power}"
        if space == 2**power - 1:
            return f"2**{power} - 1"
    return f"{space:,}"


# -- RSP008 unseeded-library-call ---------------------------------------------


@rule("RSP008", "unseeded-library-call")
def unseeded_library_call(module):
    """a task calls a library function or class that draws from NumPy's global
    random state when its random_state is left at None (scikit-learn, SciPy)

    What it does: finds, in a process task, a scikit-learn class or function
    or a SciPy distribution's rvs that draws from NumPy's global state when
    its random_state is left unset or None (KFold and the like only with
    shuffle=True). The list is read from the libraries' signatures
    (LIBRARY_RANDOM, written by tools/make_library_list.py).

    Why is this bad? As RSP001: the draws come from the worker's global state.
    A list cannot see your own wrappers, other libraries or SciPy's rng=
    functions: the guard (rng_guard.py) sees those at run time.

    Example:
        def task(X):
            return KMeans(3).fit(X)

    Use instead:
        def task(X, seed):
            return KMeans(3, random_state=seed).fit(X)
    """
    for expression, handoff in task_handoffs(module):
        kind = executor_kind(module, handoff)
        if kind == "thread":
            continue
        for task in task_functions(module, expression):
            if "numpy" in reseeded_by_task(module, task):
                continue  # the worker's own state, reseeded by the task
            for function, subject, owner in reached_from(module, task):
                for node in ast.walk(function):
                    if type(node) is not ast.Call:
                        continue
                    name = (owner.call_name(node) or "").replace("().", ".")
                    found = LIBRARY_RANDOM.get(name)
                    if found is None or not leaves_unset(node, *found):
                        continue
                    yield node, library_message(
                        subject, name, found[0])


def leaves_unset(call, keyword, condition):
    """True when call leaves keyword unset (or None), and, for a call that
    draws only under a condition (KFold's shuffle), sets it."""
    given = {k.arg: k.value for k in call.keywords}
    if None in given:  # **kwargs: cannot tell
        return False
    if condition:
        value = given.get(condition)
        if not (isinstance(value, ast.Constant) and value.value is True):
            return False
    for name in {keyword, "rng"}:  # SciPy takes either (SPEC 7)
        value = given.get(name)
        if value is not None and not (isinstance(value, ast.Constant)
                                      and value.value is None):
            return False
    return True


def library_message(subject, name, keyword):
    short = name.rsplit(".", 2)[-2] + "." + name.rsplit(".", 1)[-1] \
        if name.endswith(".rvs") else name.rsplit(".", 1)[-1]
    return (
        f"{subject}calls {short}() with {keyword} left at None: it draws "
        "from NumPy's global random state, so no run can be repeated, and "
        "forked workers repeat each other once the parent has used "
        "numpy.random; pass "
        f"{keyword}=np.random.RandomState(seed) with a seed of the task's "
        "own. At run time the guard (rng_guard.py) reports the task as "
        "drawing from NumPy's global random state and names this call; "
        "this list (from scikit-learn "
        f"{LIBRARY_VERSIONS['scikit-learn']} and SciPy "
        f"{LIBRARY_VERSIONS['SciPy']}) cannot see other libraries, your "
        "own wrappers, or SciPy's functions that take rng=: the guard can")


# -- RSP900 unreadable-file, RSP901 unparsable-file ---------------------------


# A file that cannot be checked is a finding too, as flake8's E902 and E999
# are: --select and --ignore take these codes like the others. parse()
# raises them (CheckError); no rule looks for them.
FILE_RULES = {code: Rule(code, name, None, inspect.cleandoc(doc))
              for code, name, doc in [
    ("RSP900", "unreadable-file", """
    a file that cannot be read

    As flake8's E902."""),
    ("RSP901", "unparsable-file", """
    a file that cannot be parsed (a syntax error, not Python, not a notebook)

    As flake8's E999: a syntax error, syntax newer than the Python running
    the checker, not Python, or not a notebook."""),
]}


# -- Running the rules --------------------------------------------------------


# Where the site explains each code; one line per code, as the docstring
# lists them (SARIF's rules say it).
CODES = {code: f"{PAGE}#{code.lower()}" for code in RULES}
FILE_CODES = {code: f"{PAGE}#running-the-checker" for code in FILE_RULES}
SUMMARIES = {code: entry.summary
             for code, entry in (RULES | FILE_RULES).items()}


def findings_of(project, select=(), ignore=()):
    """Every finding of the project's modules, sorted. A finding sits in the
    file of the node it names, which may be another module than the one
    whose task reached it."""
    findings = set()
    texts = {}  # module -> (lines, silenced)
    for module in project.modules:
        for code, checked in RULES.items():
            wanted = reported(code, select, ignore)
            for node, message in checked.find(module):
                if not wanted:
                    continue
                owner = module.owner(node)
                if owner not in texts:
                    source = owner.source
                    texts[owner] = (re.split(r"\r\n|\r|\n", source),
                                    noqa_comments(source)
                                    if "noqa" in source.lower() else {})
                lines, silenced = texts[owner]
                line = node.lineno
                # col_offset counts UTF-8 bytes; editors count characters.
                text = lines[line - 1] if line <= len(lines) else ""
                column = len(text.encode()[:node.col_offset].decode(
                    "utf-8", "replace")) + 1
                codes = silenced.get(line, ())
                if codes is ALL or code in codes:
                    continue
                cell, line = locate(owner.cells, line)
                findings.add(Finding(owner.path, line, column, code,
                                     message, cell))
    return sorted(findings, key=lambda f: (f.path, f.cell, f.line, f.column,
                                           f.code))


def check_file(path, select=(), ignore=()):
    """The findings in one file, sorted; raises CheckError if unreadable."""
    project = Project()
    load(path, project)
    return findings_of(project, select, ignore)


def check_paths(paths, select=(), ignore=()):
    """The findings in files and folders checked as one project: a task in
    one file that calls a helper, or draws from a generator, of another is
    followed there. (findings, number of files); a file that cannot be
    read or parsed is its RSP900 or RSP901 finding."""
    # The project's syntax trees stay in memory until every rule has run:
    # millions of objects that the cyclic garbage collector would scan
    # again and again (a third of the time) and never free. It is off
    # meanwhile, and frees the project's few cycles once it is back on.
    collecting = gc.isenabled()
    gc.disable()
    try:
        return check_project(paths, select, ignore)
    finally:
        if collecting:
            gc.enable()


def check_project(paths, select=(), ignore=()):
    project, broken, files = Project(), [], 0
    for path in paths:
        path = Path(path)
        root = path if path.is_dir() else path.parent
        for file in python_files(path):
            files += 1
            try:
                load(file, project, root)
            except CheckError as error:
                broken.append(error.finding(file))
            except (RecursionError, MemoryError):
                broken.append(CheckError(
                    "RSP901", "cannot check: too deeply nested").finding(file))
    try:
        found = findings_of(project, select, ignore)
    except RecursionError:  # a rule on a deeply nested file: check alone
        found = []
        for module in project.modules:
            alone = Project()
            alone.add(module, module.path)
            module.project = alone
            try:
                found += findings_of(alone, select, ignore)
            except (RecursionError, MemoryError):
                found.append(CheckError(
                    "RSP901", "cannot check: too deeply nested"
                ).finding(module.path))
    found += [f for f in broken if reported(f.code, select, ignore)]
    found.sort(key=lambda f: (f.path, f.cell, f.line, f.column, f.code))
    return found, files


def reported(code, select, ignore):
    """Whether --select and --ignore let code through."""
    return (not select or code.startswith(tuple(select))) and \
        not code.startswith(tuple(ignore))


class Flake8Checker:
    """flake8's plugin: ``flake8 --select RSP`` reports these codes where
    flake8 runs. flake8 gives a plugin one file at a time, so a task that
    draws in another module, or a helper imported from one, is found only
    by ``rng-check`` run on the folders (the project)."""

    name = "rng-check"
    version = "0.1.0"

    def __init__(self, tree, filename="", lines=()):
        self.tree, self.filename, self.lines = tree, filename, list(lines)

    def run(self):
        project = Project()
        name, package = module_name(self.filename or "snippet.py",
                                    Path(self.filename or ".").parent)
        module = Module(self.tree, name, package, project)
        module.path, module.source = self.filename, "".join(self.lines)
        project.add(module, self.filename)
        for finding in findings_of(project):
            yield (finding.line, finding.column - 1,
                   f"{finding.code} {finding.message}", type(self))


# -- Output formats -----------------------------------------------------------


def link(code):
    """The address that explains code, or "" with no SITE_URL."""
    page = CODES.get(code) or FILE_CODES[code]
    return f"{SITE_URL.rstrip('/')}/{page}" if SITE_URL else ""


def escape_data(text):
    """A workflow command's message, escaped as GitHub's toolkit does:
    escapeData in actions/toolkit, packages/core/src/command.ts (commit
    a944251692e50709e44d95e64d43c80236b9f6af)."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text):
    """A workflow command's property value: escapeProperty, same file."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def as_json(finding):
    fields = {"path": finding.path, "line": finding.line,
              "column": finding.column, "code": finding.code,
              "message": finding.message}
    if finding.cell:
        fields["cell"] = finding.cell
    if SITE_URL:
        fields["url"] = link(finding.code)
    return fields


def as_github(finding):
    """One ::warning (::error for a file not checked) workflow command.
    A notebook's line is in a cell, not in the file: it goes in the
    message, and the annotation marks the file. GitHub shows 10 warning
    and 10 error annotations of a step, 50 of a job (actions/toolkit,
    docs/problem-matchers.md, "Limitations"): hence the stable order."""
    kind = "error" if finding.code in FILE_CODES else "warning"
    where = {"file": finding.path}
    message = f"{finding.code} {finding.message}"
    if finding.cell:
        message = (f"{finding.code} cell {finding.cell}:{finding.line}:"
                   f"{finding.column}: {finding.message}")
    else:
        where |= {"line": finding.line, "col": finding.column}
    if SITE_URL:
        message += f" ({link(finding.code)})"
    properties = ",".join(f"{key}={escape_property(str(value))}"
                          for key, value in where.items())
    return f"::{kind} {properties}::{escape_data(message)}"


def artifact_uri(path):
    """A relative URI for a path under the current folder (what code
    scanning resolves against the checkout), else an absolute file URI."""
    absolute = Path(path).resolve()
    try:
        relative = absolute.relative_to(Path.cwd().resolve())
    except ValueError:
        return absolute.as_uri()
    return urllib.parse.quote(relative.as_posix())


def as_sarif(findings):
    """A SARIF 2.1.0 log of one run, as GitHub code scanning reads it."""
    rules = [*CODES, *FILE_CODES]
    driver = {"name": "rng-check", "rules": [
        {"id": code, "name": code,
         "shortDescription": {"text": SUMMARIES[code]},
         "defaultConfiguration": {
             "level": "error" if code in FILE_CODES else "warning"},
         **({"helpUri": link(code)} if SITE_URL else {})}
        for code in rules]}
    if SITE_URL:
        driver["informationUri"] = SITE_URL
    results = []
    for finding in findings:
        location = {"artifactLocation": {"uri": artifact_uri(finding.path)}}
        text = finding.message
        if finding.cell:  # lines of a cell, not of the notebook's JSON
            text = f"cell {finding.cell}:{finding.line}:{finding.column}: " \
                + text
        else:
            location["region"] = {"startLine": finding.line,
                                  "startColumn": finding.column}
        results.append({
            "ruleId": finding.code, "ruleIndex": rules.index(finding.code),
            "level": "error" if finding.code in FILE_CODES else "warning",
            "message": {"text": text},
            "locations": [{"physicalLocation": location}]})
    return {"$schema": "https://json.schemastore.org/sarif-2.1.0.json",
            "version": "2.1.0",
            "runs": [{"tool": {"driver": driver},
                      "columnKind": "unicodeCodePoints",
                      "results": results}]}


# -- The command line ---------------------------------------------------------


def code_list(text):
    codes = [code.strip().upper() for code in text.split(",") if code.strip()]
    known = [*CODES, *FILE_CODES]
    unknown = [code for code in codes
               if not any(name.startswith(code) for name in known)]
    if unknown:
        raise argparse.ArgumentTypeError(
            f"unknown code {', '.join(unknown)} (known: {', '.join(known)})")
    return codes


def explained(code_or_name):
    """The Rule of a code (rsp001 too) or of a rule's name, or None."""
    every = RULES | FILE_RULES
    wanted = code_or_name.strip()
    return every.get(wanted.upper()) or next(
        (entry for entry in every.values() if entry.name == wanted.lower()),
        None)


FORMATS = ["text", "json", "github", "sarif"]


def main(argv=None):
    parser = argparse.ArgumentParser(
        # rng-check once installed with pip (pyproject.toml)
        prog="rng-check" if Path(sys.argv[0]).name == "rng-check"
        else "rng_check.py",
        description="Find the random-state mistakes of parallel Python "
        "code. Exit status: 0 if nothing was found, 1 if something was "
        "(a file that cannot be read or parsed is RSP900 or RSP901), 2 on "
        "a usage error.",
        epilog="Codes: " + "; ".join(
            f"{code}, {link(code)}" for code in CODES)
        if SITE_URL else "Each code is explained on the page 'Check your "
        "own code for these mistakes' of the site this file comes from.")
    parser.add_argument("paths", nargs="*", metavar="PATH", type=Path,
                        help="a Python file or notebook, or a folder; "
                        "folders and files given together are checked as "
                        "one project, whose imports are followed")
    parser.add_argument("--explain", metavar="CODE",
                        help="print the documentation of a code, or of a "
                        "rule named as ruff names them (global-state-in-task)"
                        ", and exit")
    parser.add_argument("--select", type=code_list, default=[],
                        help="report only these codes (comma-separated)")
    parser.add_argument("--ignore", type=code_list, default=[],
                        help="do not report these codes (comma-separated)")
    parser.add_argument(
        "--format", choices=FORMATS, default="text",
        help="text: path:line:column: CODE message (the default); json: a "
        "list of objects; github: GitHub Actions workflow commands, "
        "which annotate the code (GitHub shows only the first 10 warnings "
        "and 10 errors of a step, 50 of a job; the rest stay in the log); "
        "sarif: SARIF 2.1.0, for GitHub code scanning's upload-sarif. "
        "Findings are sorted by path, line, column and code")
    arguments = parser.parse_args(argv)
    if arguments.explain:
        entry = explained(arguments.explain)
        if entry is None:
            parser.error(f"unknown code {arguments.explain} (known: "
                         + ", ".join(f"{code} {entry.name}" for code, entry
                                     in (RULES | FILE_RULES).items()) + ")")
        print(f"{entry.code} {entry.name}\n\n{entry.doc}")
        if SITE_URL:
            print(f"\nMore: {link(entry.code)}")
        return 0
    if not arguments.paths:
        parser.error("the following arguments are required: PATH")
    missing = [str(path) for path in arguments.paths if not path.exists()]
    if missing:
        parser.error(f"no such file or folder: {', '.join(missing)}")

    select, ignore = arguments.select, arguments.ignore
    found, files = check_paths(arguments.paths, select, ignore)
    if not files:
        print(f"{parser.prog}: no Python files in "
              f"{', '.join(map(str, arguments.paths))}", file=sys.stderr)
    if arguments.format == "text":
        for finding in found:
            print(finding)
    elif arguments.format == "json":
        print(json.dumps([as_json(finding) for finding in found], indent=2))
    elif arguments.format == "github":
        for finding in found:
            print(as_github(finding))
    elif arguments.format == "sarif":
        print(json.dumps(as_sarif(found), indent=2))
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
