"""The checker reads a project, not a file (issue 31): a task handed to a
pool in one module and defined in another, a helper or a generator
imported from elsewhere, a worker_init_fn kept in a utilities module; and
the executors, seeders and shapes that real projects use (pathos, Ray,
gym's env.seed, self.rng, pools on self, closing()).

Each project below is cut down from real public code, named with its
repository, path and commit (the stored copy read for this file); lines
the checker must report end with ``# expect: CODE``, as in
checker_corpus.py. Code that is not from a public repository is said to
be a reader's shape.
"""

import importlib.util
import inspect
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from conftest import CHECKER

spec = importlib.util.spec_from_file_location("rng_check", CHECKER)
checker = importlib.util.module_from_spec(spec)
spec.loader.exec_module(checker)

EXPECT = re.compile(r"# expect: (RSP\d{3}(?:, RSP\d{3})*)")

PROJECTS = {
    # marceloFA/sapso: pathos_psapso.py @ f0bee517d8f4851283a96d3746ff5c66d907536a
    # hands sapso(), defined in sapso.py @ 5cdf396b7c70391c3f4b9a5cf2e2bf6e1d85e0e4,
    # to a pathos ProcessingPool; sapso() draws from NumPy's global state.
    "pathos pool runs a task imported from another module": {
        "pathos_psapso.py": """
            from pathos import multiprocessing as mp
            from pprint import pprint
            from test_parameters import parameters
            from sapso import sapso

            n_iterations = 10
            results = mp.ProcessingPool().map(sapso, [parameters]*n_iterations)
            pprint(results)
        """,
        "test_parameters.py": """
            parameters = dict(n=10, m=100)
        """,
        "sapso.py": """
            import numpy as np


            def sapso(n, m, n_dimensions=2, min_=-5, max_=5):
                swarm = np.zeros((n, n_dimensions))
                for k in range(n):
                    swarm[k] = np.array([min_ + np.random.uniform()*(max_-min_) for i in range(n_dimensions)])  # expect: RSP001
                for i in range(m):
                    for k in range(n):
                        phi_1 = np.random.uniform(size=n_dimensions)  # expect: RSP001
                return swarm
        """,
    },
    # OSH-2023/x-Eris: lab4/matrix.py @ c60f8ef4ba55f8a1b3cfd888767e6c79c04ed672
    "a Ray remote function draws from NumPy's global state": {
        "matrix.py": """
            import numpy as np
            import time
            import ray

            ray.init(address="192.168.122.128:6379")

            def f1():
                n = 1200
                a = np.random.randint(0, 10, (n, n))
                b = np.linalg.pinv(a)

            @ray.remote
            def f2():
                n = 1200
                a = np.random.randint(0, 10, (n, n))  # expect: RSP001
                b = np.linalg.pinv(a)

            time1=time.time()
            [ f1() for _ in range(8)]
            print(time.time()-time1)

            time2=time.time()
            ray.get([ f2.remote() for _ in range(8)])
            print(time.time()-time2)
        """,
    },
    # scalingpythonml/scaling-python-with-ray: ray/remote/nested_parallelism.py
    # @ 82d1c7c9f92fe66dad5e75c79e0cbead6f663041: each Ray task reseeds the
    # worker's random with the seed it is given before it draws: right.
    "a Ray task reseeds with its own seed": {
        "nested_parallelism.py": """
            import ray
            from time import sleep
            from random import seed
            from random import randint

            ray.init()

            @ray.remote
            def generate_number(s: int, limit: int) -> int :
                seed(s)
                sleep(.1)
                return randint(0, limit)

            @ray.remote
            def remote_values():
                results = []
                for n in range(4):
                    results.append(generate_number.remote(n, 10*n))
                return ray.get(results)

            print(ray.get(remote_values.remote()))
        """,
    },
    # rystrauss/interact: interact/common/parallel_env/util.py
    # @ 42b752686951d12aed618bf3ff6274f759919c46: gym's env.seed(seed + rank).
    "gym environments seeded with seed + rank": {
        "interact/common/parallel_env/util.py": """
            import gym

            from interact.common.parallel_env.subprocess_parallel_env import SubprocessParallelEnv
            from interact.common.wrappers import Monitor


            def make_parallelized_env(env_id, num_workers, seed):
                def make_env(rank):
                    def _thunk():
                        env = gym.make(env_id)
                        env.seed(seed + rank)  # expect: RSP003
                        env = Monitor(env)
                        return env

                    return _thunk

                return SubprocessParallelEnv([make_env(i) for i in range(num_workers)])
        """,
    },
    # Jennifercheukyin/High-Speed-Pedestrian-Crossing-Prediction:
    # my_utils/others.py: the worker_init_fn of PyTorch's FAQ before 1.9,
    # seed + worker id; its loader (a reader's shape) imports it.
    "a worker_init_fn kept in a utilities module": {
        "my_utils/__init__.py": "",
        "my_utils/others.py": """
            import numpy as np

            def worker_init_fn(worker_id):
                np.random.seed(np.random.get_state()[1][0] + worker_id)  # expect: RSP003
        """,
        "train.py": """
            from torch.utils.data import DataLoader
            from my_utils.others import worker_init_fn

            def loader(dataset):
                return DataLoader(dataset, num_workers=4,
                                  worker_init_fn=worker_init_fn)
        """,
    },
    # A reader's shape: a helper module holds the generator and the draw;
    # the tasks reach them through a relative import.
    "a package's helper draws from a generator made in another module": {
        "sim/__init__.py": "",
        "sim/config.py": """
            import numpy as np

            rng = np.random.default_rng(42)
        """,
        "sim/noise.py": """
            from .config import rng

            def jitter(x):
                return x + rng.normal()  # expect: RSP002
        """,
        "sim/run.py": """
            from joblib import Parallel, delayed
            from . import noise

            def one(x):
                return noise.jitter(x)

            def main():
                return Parallel(n_jobs=2)(delayed(one)(x) for x in range(8))
        """,
    },
    # A reader's shape: a generator on self, a method handed to joblib, a
    # pool on self and closing().
    "an instance's generator reaches every task through its method": {
        "model.py": """
            import numpy as np
            from contextlib import closing
            from multiprocessing import Pool
            from joblib import Parallel, delayed

            class Bootstrap:
                def __init__(self, seed):
                    self.rng = np.random.default_rng(seed)
                    self.pool = Pool(4)

                def resample(self, data):
                    return self.rng.choice(data, len(data))  # expect: RSP002

                def noisy(self, x):
                    return x + np.random.normal()  # expect: RSP001

                def run(self, data):
                    Parallel(n_jobs=2)(delayed(self.resample)(data) for _ in range(9))
                    return self.pool.map(self.noisy, data)

            def shuffled(x):
                return np.random.permutation(x)  # expect: RSP001

            def main(xs):
                with closing(Pool(2)) as pool:
                    return pool.map(shuffled, xs)
        """,
    },
    # LePhilippeDucTai/CreditRiskMC: monte_carlo_credit.py. An engine holds
    # the model, whose generator its method draws from; the engine's pool
    # runs that method (self.model.compute): each chunk of tasks unpickles
    # the model in the same state and repeats the chunk before it.
    "an engine's pool runs the method of a model it holds": {
        "models.py": """
            import numpy as np

            class VasicekModel:
                def __init__(self, seed, data, rho):
                    self.rng = np.random.RandomState(seed)
                    self.data, self.rho = data, rho

                def compute(self, *args):
                    eps = self.rng.standard_normal(len(self.data))  # expect: RSP002
                    return sum(eps < self.rho)
        """,
        "engine.py": """
            import multiprocessing

            class MonteCarloEngine:
                def __init__(self, model, n_scenarios):
                    self.model, self.n_scenarios = model, n_scenarios

                def simulate_parallel(self):
                    pool = multiprocessing.Pool(multiprocessing.cpu_count())
                    return pool.map(self.model.compute, range(self.n_scenarios))
        """,
        "main.py": """
            from engine import MonteCarloEngine
            from models import VasicekModel

            if __name__ == "__main__":
                model = VasicekModel(42, [100.0, 200.0, 50.0], rho=0.2)
                losses = MonteCarloEngine(model, 1000).simulate_parallel()
        """,
    },
    # regicid/modelv3: run_parallel.py hands get_pop to a multiprocess pool;
    # get_pop builds a Population (model.py), whose __init__ draws from
    # NumPy's global state, as its methods do: forked workers draw alike.
    "a task builds an object whose __init__ draws": {
        "model.py": """
            import numpy as np

            class Population:
                def __init__(self, mu, sigma=4, N=10**5):
                    self.mu, self.sigma, self.N = mu, sigma, N
                    self.states = np.random.normal(loc=mu, scale=sigma, size=N)  # expect: RSP001

                def round(self, n):
                    for _ in range(n):
                        self.states = np.random.normal(self.mu, self.sigma, self.N)  # expect: RSP001
        """,
        "run_parallel.py": """
            import multiprocess as mtp
            import numpy as np
            from model import Population
            MU = np.linspace(10, 16, 4)

            def get_pop(mu):
                P = Population(mu)
                P.round(20)
                return P

            l = mtp.Pool(processes=10)
            runs = l.map_async(get_pop, MU)
        """,
    },
    # modestyachts/ARS: code/ars.py @ 95c4c81. Ray actors seeded seed + 7 * i
    # through their constructor: runs with roots 237 and 244 share all but
    # one worker's streams. Each also seeds its noise table, a class that
    # code/shared_noise.py defines and ars.py star-imports, with
    # env_seed + 7: worker i's noise seed is worker i + 1's env seed.
    "Ray actors seeded seed + 7 * i through __init__": {
        "ars.py": """
            import gym
            import ray
            from shared_noise import *

            @ray.remote
            class Worker(object):
                def __init__(self, env_seed, env_name='', deltas=None):
                    self.env = gym.make(env_name)
                    self.env.seed(env_seed)
                    self.deltas = SharedNoiseTable(deltas, env_seed + 7)  # expect: RSP003

            class ARSLearner(object):
                def __init__(self, env_name='HalfCheetah-v1', num_workers=32, seed=123):
                    deltas_id = create_shared_noise.remote()
                    self.deltas = SharedNoiseTable(ray.get(deltas_id), seed = seed + 3)  # expect: RSP003
                    self.workers = [Worker.remote(seed + 7 * i,  # expect: RSP003
                                                  env_name=env_name, deltas=deltas_id)
                                    for i in range(num_workers)]
        """,
        "shared_noise.py": """
            import numpy as np
            import ray

            @ray.remote
            def create_shared_noise():
                seed = 12345
                return np.random.RandomState(seed).randn(250000000)

            class SharedNoiseTable(object):
                def __init__(self, noise, seed = 11):
                    self.rg = np.random.RandomState(seed)
                    self.noise = noise
        """,
    },
    # hpcaitech/Open-Sora: opensora/datasets/dataloader.py @ 70ca63f. The
    # worker_init_fn comes from a factory, and seeds every worker, in every
    # epoch, with the same seed (1024); at 01b1b8e the same hook was nested
    # in prepare_dataloader. Both copy the seed to a local first.
    "a worker_init_fn made by a factory seeds every worker alike": {
        "dataloader.py": """
            import random

            import numpy as np
            import torch
            from torch.utils.data import DataLoader

            def get_seed_worker(seed):
                def seed_worker(worker_id):
                    worker_seed = seed
                    np.random.seed(worker_seed)  # expect: RSP002
                    torch.manual_seed(worker_seed)  # expect: RSP002
                    random.seed(worker_seed)  # expect: RSP002

                return seed_worker

            def prepare_dataloader(dataset, batch_size=None, seed=1024, num_workers=0):
                return DataLoader(dataset, batch_size=batch_size,
                                  worker_init_fn=get_seed_worker(seed),
                                  num_workers=num_workers)

            def prepare_nested(dataset, batch_size, seed=1024, num_workers=0):
                def seed_worker(worker_id):
                    worker_seed = seed
                    np.random.seed(worker_seed)  # expect: RSP002

                return DataLoader(dataset, batch_size=batch_size,
                                  worker_init_fn=seed_worker, num_workers=num_workers)
        """,
    },
    # DeepSenseCA/echofilter: echofilter/data/utils.py. The worker id added to
    # a root drawn in the worker (torch.randint, from the worker's own seed,
    # new each epoch) is right; so is PyTorch's recipe with initial_seed().
    "a worker_init_fn adds the worker id to a root drawn in the worker": {
        "utils.py": """
            import random

            import numpy as np
            import torch

            def worker_seed_fn(worker_id):
                np.random.seed((torch.randint(0, 4294967296, (1,)).item() + worker_id) % 4294967296)
                random.seed(torch.randint(0, 4294967296, (1,)).item() + worker_id)

            def seed_worker(worker_id):
                np.random.seed(torch.initial_seed() % 2**32 + worker_id)
        """,
        "train.py": """
            from torch.utils.data import DataLoader
            from utils import seed_worker, worker_seed_fn

            def loaders(train_set, val_set):
                return (DataLoader(train_set, num_workers=4, worker_init_fn=worker_seed_fn),
                        DataLoader(val_set, num_workers=4, worker_init_fn=seed_worker))
        """,
    },
    # openai/random-network-distillation: run_atari.py binds the seed to a
    # name, then hands it to baselines' set_global_seeds, which seeds
    # NumPy, random and TensorFlow with it (cut down to NumPy here).
    "seed + rank bound to a name, then handed to a seeding helper": {
        "utils.py": """
            import random

            import numpy as np

            def set_global_seeds(i):
                np.random.seed(i)
                random.seed(i)
        """,
        "run_atari.py": """
            from mpi4py import MPI
            from utils import set_global_seeds

            def main(args):
                seed = args.seed + MPI.COMM_WORLD.Get_rank()
                set_global_seeds(seed)  # expect: RSP003
        """,
    },
    # dermen/resonet: sims/runme_joblib.py hands the whole list of seeds to
    # each job, which seeds with seeds[jid]: the clock plus the job number,
    # so a run started a second later repeats all but one of its jobs.
    "the whole list of seeds goes to each task, which indexes it": {
        "main.py": """
            import numpy as np

            def run(jid, njobs, seeds):
                np.random.seed(seeds[jid])
                return np.random.random(3)
        """,
        "runme_joblib.py": """
            import time
            from joblib import Parallel, delayed
            from main import run

            if __name__ == "__main__":
                njobs = 8
                seed_time = int(time.time())
                seeds = [seed_time + j for j in range(njobs)]  # expect: RSP003
                Parallel(n_jobs=njobs)(delayed(run)(j, njobs, seeds) for j in range(njobs))
        """,
    },
    # A reader's shape: scikit-learn asks third-party estimators to use its
    # own Parallel and delayed (sklearn.utils.parallel), which are joblib's.
    "an estimator's tasks run through sklearn.utils.parallel": {
        "kmodes.py": """
            import numpy as np
            from sklearn.utils.parallel import Parallel, delayed

            class KModes:
                def _single_run(self, X):
                    return X[np.random.permutation(len(X))[:3]]  # expect: RSP001

                def fit(self, X):
                    return Parallel(n_jobs=2)(delayed(self._single_run)(X) for _ in range(10))
        """,
    },
    # A reader's shape, as dmezzogori/simulatte (simulatte/utils/runner.py)
    # draws seeds: 40 tasks seeded from 1,000 values share a seed in more
    # than half of the runs.
    "seeds drawn from 1,000 values": {
        "runner.py": """
            import random
            from multiprocessing import Pool

            import numpy as np

            def worker(seed):
                np.random.seed(seed)
                return np.random.exponential(1.0, 100).mean()

            if __name__ == "__main__":
                seeds = [random.randint(1, 1000) for _ in range(40)]  # expect: RSP007
                with Pool(4) as pool:
                    print(pool.map(worker, seeds))
        """,
    },
    # KwatMDPhD/ccal: ccal/multiprocess.py @ 6e2b88d seeds the parent, then
    # runs the function it is given in a pool; other modules hand it their
    # tasks. A task that reseeds with a seed of its own, as ccal's do, is
    # right (here each gets its own); a reader's task that only shuffles
    # repeats in every forked worker.
    "a helper module runs the tasks that other modules hand it": {
        "pkg/__init__.py": "",
        "pkg/multiprocess.py": """
            from multiprocessing.pool import Pool
            from numpy.random import seed

            def multiprocess(function, arguments, n_job, random_seed=20121020):
                seed(random_seed)
                with Pool(n_job) as process:
                    return process.starmap(function, arguments)
        """,
        "pkg/permute.py": """
            from numpy.random import seed, shuffle

            def permute(target, n):
                for _ in range(n):
                    shuffle(target)  # expect: RSP001
                return target

            def permute_seeded(target, n, random_seed):
                seed(random_seed)
                for _ in range(n):
                    shuffle(target)
                return target
        """,
        "pkg/stats.py": """
            from numpy.random import SeedSequence

            from .multiprocess import multiprocess
            from .permute import permute, permute_seeded

            def stats(target, n_job):
                seeds = SeedSequence(20121020).generate_state(n_job)
                multiprocess(permute_seeded, ((target, 10, int(s)) for s in seeds), n_job)
                return multiprocess(permute, ((target, 10) for _ in range(n_job)), n_job)
        """,
    },
    # A reader's shape, as wolny/pytorch-3dunet's augmentations were (issue
    # 32: the workers "share the common instance of the Dataset which was
    # initialized with a fixed seed"): each DataLoader worker copies the
    # dataset, and its transform's RandomState, in one state. PyTorch
    # reseeds NumPy's global state in each worker: np.random is right here,
    # and so is a worker_init_fn that remakes the copy's generator.
    "a Dataset's generator, made in __init__, copied into each worker": {
        "augment.py": """
            import numpy as np

            class RandomFlip:
                def __init__(self, seed):
                    self.random_state = np.random.RandomState(seed)

                def __call__(self, m):
                    if self.random_state.uniform() > 0.5:  # expect: RSP002
                        return m[::-1]
                    return m
        """,
        "datasets.py": """
            import numpy as np
            import torch
            from torch.utils.data import DataLoader, Dataset
            from augment import RandomFlip

            class VolumeDataset(Dataset):
                def __init__(self, volumes, seed=47):
                    self.volumes = volumes
                    self.transform = RandomFlip(seed)
                    self.rng = np.random.default_rng(seed)

                def __getitem__(self, i):
                    noise = self.rng.normal()  # expect: RSP002
                    return self.transform(self.volumes[i]) + noise + np.random.normal()

                def __len__(self):
                    return len(self.volumes)

            def remake(worker_id):
                info = torch.utils.data.get_worker_info()
                info.dataset.rng = np.random.default_rng(info.seed)
                info.dataset.transform = RandomFlip(info.seed % 2**32)

            def loaders(volumes):
                train = DataLoader(VolumeDataset(volumes), batch_size=2, num_workers=4)
                serial = DataLoader(VolumeDataset(volumes), batch_size=2)
                remade = DataLoader(VolumeDataset(volumes), num_workers=4, worker_init_fn=remake)
                return train, serial, remade
        """,
    },
    # berkeley-stat243/stat243-fall-2023: labs/06/boot.py seeds NumPy at its
    # top; labs/06/boot_dist.py maps boot.bootstrapLM on a dask cluster.
    # Each worker imports boot to unpickle the task, after the nanny's
    # reseed, so every worker draws the same bootstrap samples.
    "a dask cluster runs the task of a module seeded at its top": {
        "boot.py": """
            import numpy as np
            from sklearn.linear_model import LinearRegression

            np.random.seed(1)  # expect: RSP004
            n = 2000
            X = np.random.normal(size=(n, 40))
            Y = -10 + 3 * X[:, 0] + np.random.normal(size=n)

            def bootstrapLM(i):
                bootstrap_sample = np.random.randint(n, size=n)  # expect: RSP001
                reg = LinearRegression().fit(X[bootstrap_sample, :], Y[bootstrap_sample])
                return (reg.intercept_, reg.coef_)
        """,
        "boot_dist.py": """
            import boot
            from dask.distributed import Client, LocalCluster

            cluster = LocalCluster(n_workers=4)
            c = Client(cluster)
            results = c.gather(c.map(boot.bootstrapLM, range(10)))
        """,
    },
    # A reader's shape, as DDP training scripts write it: a seeding helper
    # in utils.py, given seed + rank by the script.
    "a seeding helper in another module is given seed + rank": {
        "utils.py": """
            import random
            import numpy as np
            import torch

            def init_seed(seed):
                random.seed(seed)
                np.random.seed(seed)
                torch.manual_seed(seed)
                torch.cuda.manual_seed_all(seed)
        """,
        "main.py": """
            import os
            from utils import init_seed

            def main(args):
                rank = int(os.environ["RANK"])
                init_seed(args.seed + rank)  # expect: RSP003
                init_seed(args.seed)
        """,
    },
    # A reader's shape: Ray actors each hold their own generator: right.
    "Ray actors seeded apart": {
        "actors.py": """
            import numpy as np
            import ray

            @ray.remote
            class RngActor:
                def __init__(self, seed):
                    self.rng = np.random.default_rng(seed)

                def draw(self, n):
                    return self.rng.integers(0, 10, size=n)

            seeds = np.random.SeedSequence(1).spawn(4)
            actors = [RngActor.remote(s) for s in seeds]
        """,
    },
}


def write_project(folder, files):
    for name, source in files.items():
        path = Path(folder, name)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(source).lstrip("\n"))


def expected(folder, files):
    found = set()
    for name in files:
        for number, line in enumerate(Path(folder, name).read_text().splitlines(), start=1):
            if match := EXPECT.search(line):
                found |= {(name, number, code) for code in match[1].split(", ")}
    return found


@pytest.mark.parametrize("name", PROJECTS)
def test_each_project_gets_exactly_its_findings(name, tmp_path):
    files = PROJECTS[name]
    write_project(tmp_path, files)
    findings, count = checker.check_paths([tmp_path])
    assert count == len(files)
    got = {(Path(f.path).relative_to(tmp_path).as_posix(), f.line, f.code) for f in findings}
    assert got == expected(tmp_path, files)


def test_a_file_alone_does_not_follow_imports_outside_the_given_paths(tmp_path):
    files = PROJECTS["pathos pool runs a task imported from another module"]
    write_project(tmp_path, files)
    alone, _ = checker.check_paths([tmp_path / "pathos_psapso.py"])
    assert alone == []
    both, _ = checker.check_paths([tmp_path / "pathos_psapso.py", tmp_path / "sapso.py"])
    assert {f.code for f in both} == {"RSP001"}


def test_the_command_line_checks_folders_as_one_project(tmp_path):
    write_project(tmp_path, PROJECTS["a package's helper draws from a generator made in another module"])
    result = subprocess.run([sys.executable, str(CHECKER), "sim"], cwd=tmp_path,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 1
    assert result.stdout.startswith("sim/noise.py:4:")
    assert "made at module level in sim.config" in result.stdout


# -- flake8's plugin, and --explain ------------------------------------------------


def test_flake8_select_rsp_runs_the_checker_on_each_file(tmp_path):
    """flake8 loads the checker as a plugin (here as a local plugin; pip
    install declares the same class in pyproject.toml's flake8.extension)
    and reports what the checker reports in that file alone; a task whose
    draw is in another module needs rng-check on the folder."""
    import tomllib

    entry = tomllib.loads((CHECKER.parents[1] / "pyproject.toml").read_text())["project"]["entry-points"]
    assert entry["flake8.extension"] == {"RSP": "rng_check:Flake8Checker"}
    write_project(tmp_path, PROJECTS["an instance's generator reaches every task through its method"])
    write_project(tmp_path, PROJECTS["a package's helper draws from a generator made in another module"])
    (tmp_path / "setup.cfg").write_text(
        f"[flake8:local-plugins]\nextension =\n    RSP = rng_check:Flake8Checker\npaths = {CHECKER.parent}\n")
    flake8 = [str(Path(sys.executable).with_name("flake8")), "--select", "RSP"]
    result = subprocess.run([*flake8, "model.py", "sim"], cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert result.returncode == 1, result.stderr
    found = {(line.split(":")[0], int(line.split(":")[1]), line.split()[1]) for line in result.stdout.splitlines()}
    alone = {(f.path, f.line, f.code) for f in checker.check_file(tmp_path / "model.py")}
    assert found == {(Path(path).name, line, code) for path, line, code in alone} and len(found) == 3
    # The draw in sim/noise.py is reached from sim/run.py: not file by file.
    assert not any(path.startswith("sim") for path, _, _ in found)


def test_explain_prints_each_codes_documentation():
    for code in checker.CODES:
        result = subprocess.run([sys.executable, str(CHECKER), "--explain", code.lower()],
                                capture_output=True, text=True, timeout=60)
        assert result.returncode == 0
        assert result.stdout.startswith(code)
        for part in ["What it does:", "Why is this bad?", "Example:", "Use instead"]:
            assert part in result.stdout, (code, part)
    bad = subprocess.run([sys.executable, str(CHECKER), "--explain", "RSP999"], capture_output=True, text=True)
    assert bad.returncode == 2 and "unknown code RSP999" in bad.stderr


def test_mpi_ranks_and_other_seeders_are_judged_as_numpys(tmp_path):
    """A reader's shape: mpi4py's rank in a seed is arithmetic (RSP003), in
    torch, TensorFlow and gym as in NumPy; a clock seed in a worker_init_fn
    lambda is RSP005."""
    path = tmp_path / "train.py"
    path.write_text(textwrap.dedent("""
        import time
        import numpy as np
        import tensorflow as tf
        import torch
        from mpi4py import MPI
        from torch.utils.data import DataLoader

        comm = MPI.COMM_WORLD
        rank = comm.Get_rank()
        seed = 1234
        np.random.seed(seed + rank)  # expect: RSP003
        torch.manual_seed(seed + comm.rank)  # expect: RSP003
        torch.cuda.manual_seed_all(seed + rank)  # expect: RSP003
        tf.random.set_seed(seed * 1000 + rank)  # expect: RSP003

        def make(env, i):
            env.reset(seed=seed + i)  # expect: RSP003
            return env

        loader = DataLoader(None, num_workers=2, worker_init_fn=lambda _: np.random.seed(int(time.time())))  # expect: RSP005
        fine = DataLoader(None, num_workers=2, worker_init_fn=lambda _: np.random.seed(torch.initial_seed() % 2**32))
    """).lstrip())
    got = {("train.py", f.line, f.code) for f in checker.check_file(path)}
    assert got == expected(tmp_path, {"train.py": None})


def test_pebble_pathos_and_a_global_state_function_as_the_task(tmp_path):
    """Reader's shapes: pebble's pool and decorator, pathos's pools, an
    ExitStack, and a global-state function handed over as the task."""
    path = tmp_path / "pools.py"
    path.write_text(textwrap.dedent("""
        import random
        from concurrent.futures import ProcessPoolExecutor
        from contextlib import ExitStack
        import numpy as np
        from pathos.pools import ProcessPool, ThreadPool
        from pebble import ProcessPool as PebblePool, concurrent

        def draw(x):
            return np.random.rand()  # expect: RSP001

        def draw_more(x):
            return random.random()  # expect: RSP001

        @concurrent.process(timeout=10)
        def decorated():
            return np.random.normal()  # expect: RSP001

        def main():
            with PebblePool(2) as pool:
                pool.schedule(draw, args=[1])
            ProcessPool(2).uimap(draw_more, range(3))
            with ExitStack() as stack:
                executor = stack.enter_context(ProcessPoolExecutor(2))
                executor.submit(np.random.random, 5)  # expect: RSP001
            ThreadPool(2).amap(random.random, [])  # expect: RSP001
    """).lstrip())
    got = {("pools.py", f.line, f.code) for f in checker.check_file(path)}
    assert got == expected(tmp_path, {"pools.py": None})
    threads = [f.message for f in checker.check_file(path) if "amap" not in f.message and f.line == 25]
    assert threads and "threads share it and race for it" in threads[0]


def test_an_mpi_rank_as_the_whole_seed_is_rsp003_and_hashed_with_a_root_is_not(tmp_path):
    path = tmp_path / "mpi.py"
    path.write_text(textwrap.dedent("""
        from mpi4py import MPI
        import numpy as np

        comm = MPI.COMM_WORLD
        rank = comm.Get_rank()
        np.random.seed(rank)  # expect: RSP003
        rng = np.random.default_rng(comm.rank)  # expect: RSP003
        fine = np.random.default_rng([rank, 1234])
    """).lstrip())
    got = {("mpi.py", f.line, f.code) for f in checker.check_file(path)}
    assert got == expected(tmp_path, {"mpi.py": None})
    assert all("MPI rank" in f.message for f in checker.check_file(path))


def test_a_process_task_seeding_from_its_own_arguments_is_judged_by_the_seed_alone(tmp_path):
    """Real DDP and RL code seeds each process from its arguments: the
    state is the process's own (no RSP001), the arithmetic is RSP003."""
    path = tmp_path / "workers.py"
    path.write_text(textwrap.dedent("""
        import multiprocessing as mp
        import random
        import numpy as np

        def worker_process(args, rank, return_dict):
            np.random.seed(args.seed + rank)  # expect: RSP003
            random.seed(int(args.seed + rank))  # expect: RSP003
            return_dict[rank] = np.random.rand() + random.random()

        if __name__ == "__main__":
            manager = mp.Manager()
            results = manager.dict()
            for rank in range(4):
                mp.Process(target=worker_process, args=(None, rank, results)).start()
    """).lstrip())
    got = {("workers.py", f.line, f.code) for f in checker.check_file(path)}
    assert got == expected(tmp_path, {"workers.py": None})


RULE_CODES = [f"RSP00{number}" for number in range(1, 9)]
RUFF_PARTS = ["What it does:", "Why is this bad?", "Example:", "Use instead:"]


def test_each_code_has_exactly_one_rule_with_a_kebab_case_name():
    """ruff's rules, flake8-bugbear's checks: each code is one function,
    registered with @rule(code, name) and named after its rule."""
    assert list(checker.RULES) == RULE_CODES
    assert list(checker.FILE_RULES) == ["RSP900", "RSP901"]
    every = [*checker.RULES.values(), *checker.FILE_RULES.values()]
    names = [entry.name for entry in every]
    assert len(set(names)) == len(names), names
    for entry in every:
        assert re.fullmatch(r"[a-z]+(-[a-z]+)+", entry.name), entry
    for code, entry in checker.RULES.items():
        assert entry.code == code
        assert getattr(checker, entry.name.replace("-", "_")) is entry.find, code
    # One @rule per code in the source, and a second one is refused.
    source = CHECKER.read_text()
    registered = re.findall(r'^@rule\("(RSP\d{3})", "([a-z-]+)"\)$', source, re.MULTILINE)
    assert registered == [(entry.code, entry.name) for entry in checker.RULES.values()]
    for code, name in [("RSP001", "another-name"), ("RSP999", "shared-generator")]:
        with pytest.raises(ValueError, match="has one rule"):
            checker.rule(code, name)(lambda module: iter(()))
    assert list(checker.RULES) == RULE_CODES


def test_each_rule_yields_only_nodes_and_messages_and_the_registry_adds_its_code(tmp_path):
    """A rule yields (node, message); the finding gets the rule's code. On
    the corpus, what the rules yield is what check_file reports."""
    import ast

    from checker_corpus import BUGGY

    for number, source in enumerate(BUGGY.values()):
        path = tmp_path / f"snippet{number}.py"
        path.write_text(textwrap.dedent(source).lstrip("\n"))
        project = checker.Project()
        module = checker.load(path, project)
        found = set()
        for code, entry in checker.RULES.items():
            for item in entry.find(module):
                node, message = item  # two things, no code
                assert isinstance(node, ast.AST) and isinstance(message, str), (code, item)
                assert not message.startswith("RSP"), (code, message)
                found.add((node.lineno, code, message))
        reported = {(f.line, f.code, f.message) for f in checker.check_file(path)}
        assert found == reported, source


def test_each_rules_documentation_is_its_docstring_in_ruffs_four_parts():
    """The docstring opens with the summary (SUMMARIES, SARIF's rules),
    then ruff's four parts, each a paragraph, in order."""
    for code, entry in checker.RULES.items():
        assert entry.doc == inspect.cleandoc(entry.find.__doc__)
        summary, *paragraphs = entry.doc.split("\n\n")
        assert " ".join(summary.split()) == checker.SUMMARIES[code] == entry.summary
        assert not any(part in summary for part in RUFF_PARTS), code
        opening = [next((part for part in RUFF_PARTS if paragraph.startswith(part)), None)
                   for paragraph in paragraphs]
        assert [part for part in opening if part] == RUFF_PARTS, (code, opening)
    for code, entry in checker.FILE_RULES.items():
        assert entry.find is None and entry.summary == checker.SUMMARIES[code]
        assert ("E902" if code == "RSP900" else "E999") in entry.doc


def test_explain_takes_a_code_or_a_rules_name_and_prints_the_same():
    every = {**checker.RULES, **checker.FILE_RULES}
    for code, entry in every.items():
        outputs = []
        for given in [code, code.lower(), entry.name, entry.name.upper()]:
            result = subprocess.run([sys.executable, str(CHECKER), "--explain", given],
                                    capture_output=True, text=True, timeout=60)
            assert result.returncode == 0 and result.stderr == "", (given, result.stderr)
            outputs.append(result.stdout)
        assert len(set(outputs)) == 1, code
        assert outputs[0] == f"{code} {entry.name}\n\n{entry.doc}\n"
    bad = subprocess.run([sys.executable, str(CHECKER), "--explain", "global-state"],
                         capture_output=True, text=True, timeout=60)
    assert bad.returncode == 2 and "unknown code global-state" in bad.stderr
    assert "RSP001 global-state-in-task" in bad.stderr


def test_the_module_docstring_names_each_rule():
    docstring = " ".join(checker.__doc__.split())
    names = ", ".join(f"{code} {entry.name}"
                      for code, entry in {**checker.RULES, **checker.FILE_RULES}.items())
    assert names + "." in docstring


def test_a_ray_task_given_arithmetic_seeds_is_rsp003_and_its_own_reseed_is_right(tmp_path):
    path = tmp_path / "rollouts.py"
    path.write_text(textwrap.dedent("""
        import ray
        import numpy as np

        @ray.remote
        def rollout(seed):
            np.random.seed(seed)
            return np.random.rand()

        futures = [rollout.remote(1000 + i) for i in range(8)]  # expect: RSP003
        spawned = [rollout.remote(s) for s in np.random.SeedSequence(1).generate_state(8)]
    """).lstrip())
    got = {("rollouts.py", f.line, f.code) for f in checker.check_file(path)}
    assert got == expected(tmp_path, {"rollouts.py": None})
