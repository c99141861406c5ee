"""Labelled snippets for examples/check_random_state.py.

Each line that the checker must report ends with ``# expect: CODE`` (or
several codes, comma-separated); a snippet with no such comment must get no
finding at all. BUGGY covers every code across joblib, multiprocessing,
concurrent.futures and dask; CORRECT holds the patterns the site recommends
and near misses that a careless rule would flag.
"""

BUGGY = {
    # -- RSP001: a task draws from a global random state --------------------
    "joblib task draws from np.random": """
        import numpy as np
        from joblib import Parallel, delayed

        def simulate(i):
            return np.random.rand(3)  # expect: RSP001

        results = Parallel(n_jobs=2)(delayed(simulate)(i) for i in range(4))
    """,
    "joblib task draws from Python's random": """
        import random
        import joblib

        def pick(items):
            return random.choice(items)  # expect: RSP001

        joblib.Parallel(n_jobs=2)(joblib.delayed(pick)(x) for x in [[1, 2]])
    """,
    "joblib task calls a helper of the same file": """
        from numpy import random as npr
        from joblib import Parallel, delayed

        def noise(size):
            return npr.normal(size=size)  # expect: RSP001

        def task(size):
            return noise(size) + 1

        Parallel(n_jobs=2)(delayed(task)(n) for n in range(4))
    """,
    "joblib threads: a task seeds the global state with its argument": """
        import numpy as np
        from joblib import Parallel, delayed

        def task(seed):
            np.random.seed(seed)  # expect: RSP001
            return np.random.randint(10, size=3)  # expect: RSP001

        Parallel(n_jobs=2, prefer="threads")(
            delayed(task)(s) for s in [1, 2, 3])
    """,
    "multiprocessing Pool.map": """
        import multiprocessing
        import numpy as np

        def work(x):
            return x + np.random.randint(10)  # expect: RSP001

        if __name__ == "__main__":
            with multiprocessing.Pool(2) as pool:
                print(pool.map(work, range(8)))
    """,
    "multiprocessing spawn context, imap_unordered": """
        import multiprocessing as mp
        from random import choice

        def work(x):
            return choice([x, -x])  # expect: RSP001

        if __name__ == "__main__":
            context = mp.get_context("spawn")
            with context.Pool(2) as pool:
                print(list(pool.imap_unordered(work, range(8))))
    """,
    "multiprocessing Process target": """
        from multiprocessing import Process
        import numpy as np

        def worker():
            print(np.random.rand())  # expect: RSP001

        if __name__ == "__main__":
            processes = [Process(target=worker) for _ in range(2)]
    """,
    "concurrent.futures ProcessPoolExecutor.submit": """
        from concurrent.futures import ProcessPoolExecutor
        import numpy as np

        def estimate(n):
            return np.random.uniform(size=n).mean()  # expect: RSP001

        if __name__ == "__main__":
            with ProcessPoolExecutor() as executor:
                future = executor.submit(estimate, 1000)
    """,
    "concurrent.futures ThreadPoolExecutor.map with a lambda": """
        import concurrent.futures
        import numpy as np

        with concurrent.futures.ThreadPoolExecutor(4) as pool:
            draws = list(pool.map(lambda _: np.random.random(), range(4)))  # expect: RSP001
    """,
    "functools.partial handed to joblib": """
        import functools
        import numpy as np
        from joblib import Parallel, delayed

        def scaled(i, scale):
            return scale * np.random.standard_normal()  # expect: RSP001

        task = functools.partial(scaled, scale=2.0)
        Parallel(n_jobs=2)(delayed(functools.partial(scaled, scale=2.0))(i) for i in range(3))
    """,
    "task passed through a parameter": """
        import numpy as np
        from joblib import Parallel, delayed

        def noisy(i):
            return np.random.randn()  # expect: RSP001

        def run(task, n):
            return Parallel(n_jobs=2)(delayed(task)(i) for i in range(n))

        run(noisy, 4)
    """,
    "dask.delayed decorator": """
        import dask
        import numpy as np

        @dask.delayed
        def sample(n):
            return np.random.standard_normal(n)  # expect: RSP001

        total = dask.compute(*[sample(10) for _ in range(4)])
    """,
    "dask.delayed decorator on a nested function": """
        import random
        import dask

        def main():
            @dask.delayed
            def roll():
                return random.randint(1, 6)  # expect: RSP001

            return dask.compute(roll(), roll())
    """,
    "dask Client.submit": """
        import random
        from dask.distributed import Client

        def jitter(x):
            return x + random.gauss(0, 1)  # expect: RSP001

        if __name__ == "__main__":
            client = Client()
            futures = [client.submit(jitter, x) for x in range(4)]
    """,
    # -- RSP002: one generator object for every task ------------------------
    "joblib: one generator for every task": """
        import numpy as np
        from joblib import Parallel, delayed

        def simulate(rng, i):
            return rng.normal()

        rng = np.random.default_rng(0)
        Parallel(n_jobs=2)(delayed(simulate)(rng, i) for i in range(4))  # expect: RSP002
    """,
    "concurrent.futures: a RandomState submitted in a loop": """
        from concurrent.futures import ProcessPoolExecutor
        from numpy.random import RandomState

        def simulate(state, i):
            return state.rand()

        if __name__ == "__main__":
            state = RandomState(1)
            with ProcessPoolExecutor(2) as executor:
                futures = []
                for i in range(4):
                    futures.append(executor.submit(simulate, state, i))  # expect: RSP002
    """,
    "multiprocessing apply_async with an argument tuple": """
        import multiprocessing
        import numpy as np

        def simulate(generator, i):
            return generator.integers(10)

        if __name__ == "__main__":
            generator = np.random.default_rng(7)
            with multiprocessing.Pool(2) as pool:
                results = [pool.apply_async(simulate, (generator, i)) for i in range(4)]  # expect: RSP002
    """,
    "multiprocessing: a list that repeats one generator": """
        import multiprocessing
        import numpy as np

        def simulate(generator):
            return generator.integers(10)

        if __name__ == "__main__":
            generator = np.random.default_rng(7)
            with multiprocessing.Pool(2) as pool:
                print(pool.map(simulate, [generator] * 4))  # expect: RSP002
    """,
    "dask: one random.Random for every task": """
        import random
        from distributed import Client

        def roll(r, i):
            return r.randint(1, 6)

        if __name__ == "__main__":
            dice = random.Random(3)
            with Client() as client:
                for i in range(4):
                    client.submit(roll, dice, i)  # expect: RSP002
    """,
    # -- RSP003: seeds made by arithmetic, or the loop counter --------------
    "joblib task: default_rng(seed + i)": """
        import numpy as np
        from joblib import Parallel, delayed

        def simulate(seed, i):
            rng = np.random.default_rng(seed + i)  # expect: RSP003
            return rng.random()

        Parallel(n_jobs=2)(delayed(simulate)(2024, i) for i in range(4))
    """,
    "multiprocessing worker: RandomState(root + worker_id)": """
        import multiprocessing
        import numpy as np

        ROOT = 12345

        def worker(worker_id):
            state = np.random.RandomState(ROOT + worker_id)  # expect: RSP003
            return state.rand()

        if __name__ == "__main__":
            with multiprocessing.Pool(2) as pool:
                print(pool.map(worker, range(4)))
    """,
    "a seed computed on the line before": """
        import numpy as np

        def make_generator(root, rank):
            seed = root * 1000 + rank
            return np.random.default_rng(seed)  # expect: RSP003
    """,
    "the loop counter as the seed": """
        import numpy as np

        states = []
        for i in range(8):
            states.append(np.random.RandomState(i))  # expect: RSP003
    """,
    "np.random.seed(i) in a comprehension": """
        import numpy as np

        def draw(i):
            np.random.seed(i)
            return np.random.rand()

        values = [(np.random.seed(i), np.random.rand()) for i in range(3)]  # expect: RSP003
    """,
    # -- RSP004: random state made at import in a module with processes -----
    "module-level random.seed with a process executor": """
        import random
        from concurrent.futures import ProcessPoolExecutor

        random.seed(1)  # expect: RSP004

        def work(x):
            return x + random.random()  # expect: RSP001

        if __name__ == "__main__":
            with ProcessPoolExecutor() as executor:
                list(executor.map(work, range(4)))
    """,
    "module-level np.random.seed, and a pool task that draws": """
        import multiprocessing
        import numpy as np

        np.random.seed(0)  # expect: RSP004

        def work(x):
            return x + np.random.rand()  # expect: RSP001

        if __name__ == "__main__":
            with multiprocessing.Pool(2) as pool:
                pool.map(work, range(4))
    """,
    # -- RSP005: a task seeds with the time or the process id ---------------
    "joblib task: default_rng(os.getpid())": """
        import os
        import numpy as np
        from joblib import Parallel, delayed

        def task(i):
            rng = np.random.default_rng(os.getpid())  # expect: RSP005
            return rng.random()

        Parallel(n_jobs=2)(delayed(task)(i) for i in range(4))
    """,
    "multiprocessing task: random.seed from the clock": """
        import random
        import time
        from multiprocessing import Pool

        def task(i):
            seed = int(time.time())
            random.seed(seed)  # expect: RSP001, RSP005
            return random.random()  # expect: RSP001

        if __name__ == "__main__":
            with Pool(2) as pool:
                pool.map(task, range(4))
    """,
    "executor task: np.random.seed from the clock": """
        import time
        from concurrent.futures import ProcessPoolExecutor
        import numpy as np

        def task(i):
            np.random.seed(int(time.time() * 1000) % 2**32)  # expect: RSP001, RSP005
            return np.random.rand()  # expect: RSP001

        if __name__ == "__main__":
            with ProcessPoolExecutor() as executor:
                executor.submit(task, 1)
    """,
    # -- Shapes readers write (checker issue): each failed before ---------
    "a generator made at module level, used in a loky task": """
        import numpy as np
        from joblib import Parallel, delayed

        rng = np.random.default_rng(12345)

        def simulate(i):
            return rng.normal(size=3)  # expect: RSP002

        if __name__ == "__main__":
            print(Parallel(n_jobs=2)(delayed(simulate)(i) for i in range(4)))
    """,
    "a method handed to joblib": """
        import numpy as np
        from joblib import Parallel, delayed

        class Ensemble:
            def fit_one(self, i):
                return np.random.permutation(10)  # expect: RSP001

            def fit(self):
                return Parallel(n_jobs=2)(delayed(self.fit_one)(i) for i in range(4))
    """,
    "an instance's method handed to a pool, through a helper method": """
        import multiprocessing
        import random

        class Walker:
            def jitter(self):
                return random.gauss(0, 1)  # expect: RSP001

            def step(self, x):
                return x + self.jitter()

        if __name__ == "__main__":
            walker = Walker()
            with multiprocessing.Pool(2) as pool:
                print(pool.map(walker.step, range(4)))
    """,
    "a Process subclass whose run() draws": """
        import multiprocessing
        import numpy as np

        class Simulation(multiprocessing.Process):
            def run(self):
                print(np.random.standard_normal(3))  # expect: RSP001

        if __name__ == "__main__":
            workers = [Simulation() for _ in range(2)]
    """,
    "partial() binds one generator for every task": """
        import functools
        from multiprocessing import Pool
        import numpy as np

        def simulate(x, rng):
            return x + rng.random()

        if __name__ == "__main__":
            rng = np.random.default_rng(0)
            with Pool(2) as pool:
                pool.map(functools.partial(simulate, rng=rng), range(8))  # expect: RSP002
    """,
    "starmap with itertools.repeat of one generator": """
        import itertools
        import multiprocessing
        import numpy as np

        def simulate(x, rng):
            return x + rng.random()

        if __name__ == "__main__":
            rng = np.random.default_rng(0)
            items = range(8)
            with multiprocessing.Pool(2) as pool:
                pool.starmap(simulate, zip(items, itertools.repeat(rng)))  # expect: RSP002
    """,
    "a dask bag maps a function that draws": """
        import dask.bag as db
        import numpy as np

        def simulate(x):
            return x + np.random.normal()  # expect: RSP001

        totals = db.from_sequence(range(100), npartitions=4).map(simulate).sum()
    """,
    "a dask array's map_blocks lambda draws": """
        import dask.array as da
        import numpy as np

        x = da.zeros((1000, 1000), chunks=(250, 250))
        noisy = x.map_blocks(lambda block: block + np.random.normal(size=block.shape))  # expect: RSP001
    """,
    "a dask dataframe's map_partitions draws": """
        import dask.dataframe as dd
        import numpy as np
        import pandas as pd

        def add_noise(part):
            return part + np.random.rand(len(part))  # expect: RSP001

        frame = dd.from_pandas(pd.DataFrame({"x": range(100)}), npartitions=4)
        result = frame.map_partitions(add_noise)
    """,
    "a DataLoader's worker_init_fn seeds with the worker id": """
        import numpy as np
        from torch.utils.data import DataLoader

        def worker_init_fn(worker_id):
            np.random.seed(worker_id)  # expect: RSP003

        loader = DataLoader(range(100), num_workers=4, worker_init_fn=worker_init_fn)
    """,
    "a pool initializer seeds every worker with the same initargs": """
        import multiprocessing
        import numpy as np

        def init_worker(seed):
            np.random.seed(seed)  # expect: RSP002

        def work(x):
            return x

        if __name__ == "__main__":
            with multiprocessing.Pool(4, initializer=init_worker, initargs=(42,)) as pool:
                pool.map(work, range(8))
    """,
    "seeds made by arithmetic, handed to submit": """
        from concurrent.futures import ProcessPoolExecutor
        import numpy as np

        BASE_SEED = 1234

        def run(seed):
            return np.random.default_rng(seed).random()

        if __name__ == "__main__":
            with ProcessPoolExecutor() as executor:
                futures = [executor.submit(run, BASE_SEED + i * 1000) for i in range(8)]  # expect: RSP003
    """,
    "a list of seeds made by arithmetic, then one task each": """
        import numpy as np
        from joblib import Parallel, delayed

        def run(seed):
            return np.random.default_rng(seed).random()

        def main(seed, n):
            seeds = [seed + j for j in range(n)]  # expect: RSP003
            return Parallel(n_jobs=2)(delayed(run)(s) for s in seeds)
    """,
    "a task seeds from hash() of its name": """
        import numpy as np
        from joblib import Parallel, delayed

        def run(name):
            rng = np.random.default_rng(hash(name))  # expect: RSP005
            return rng.random()

        Parallel(n_jobs=2)(delayed(run)(name) for name in ["a", "b"])
    """,
    "a task seeds from uuid4()": """
        import uuid
        import random
        from concurrent.futures import ThreadPoolExecutor

        def run(i):
            return random.Random(uuid.uuid4().int).random()  # expect: RSP005

        with ThreadPoolExecutor(2) as pool:
            list(pool.map(run, range(4)))
    """,
    "a draw function bound to a name": """
        import numpy as np
        from joblib import Parallel, delayed

        randn = np.random.randn

        def task(i):
            return randn(3)  # expect: RSP001

        Parallel(n_jobs=2)(delayed(task)(i) for i in range(4))
    """,
    "a name bound twice, the second time to a Pool": """
        from multiprocessing import Pool
        import numpy as np

        def task(x):
            return np.random.randint(10)  # expect: RSP001

        if __name__ == "__main__":
            p = 400
            print(p)
            with Pool(5) as p:
                print(p.map(task, range(p and 10)))
    """,
    "a Thread subclass spawns from a module-level parent": """
        import threading
        import numpy as np

        ROOT = np.random.SeedSequence(3)

        class Worker(threading.Thread):
            def run(self):
                self.seed = ROOT.spawn(1)[0]  # expect: RSP006
    """,
    # DBaudry/TP_parallel: func.py. MC_pi reseeds only if given a seed, and
    # pool.map gives it only N: the reseed never runs, and forked workers
    # draw from copies of one state.
    "a reseed under `if seed is not None` that pool.map never reaches": """
        import numpy as np
        from multiprocessing import Pool

        def MC_pi(N, seed=None):
            if seed is not None:
                np.random.seed(seed)
            u = np.random.uniform(size=2*N).reshape((N, 2))  # expect: RSP001
            return 4 * (np.sqrt((u[:, 0]-0.5)**2+(u[:, 1]-0.5)**2) < 0.5).sum() / N

        def main(n_cpu, N):
            pool = Pool(processes=n_cpu)
            return pool.map(MC_pi, [N for i in range(n_cpu)])
    """,
    # -- RSP006: a task spawns from a parent that every task shares ---------
    "joblib threads spawn from a module-level SeedSequence": """
        import numpy as np
        from joblib import Parallel, delayed

        ROOT = np.random.SeedSequence(2024)

        def task(i):
            child = ROOT.spawn(1)[0]  # expect: RSP006
            return np.random.default_rng(child).random()

        Parallel(n_jobs=4, backend="threading")(delayed(task)(i) for i in range(8))
    """,
    "thread executor tasks given one parent": """
        from concurrent.futures import ThreadPoolExecutor
        import numpy as np

        def task(parent, i):
            return parent.spawn(1)[0].random()  # expect: RSP006

        def main():
            parent = np.random.default_rng(1)
            with ThreadPoolExecutor(4) as pool:
                return [pool.submit(task, parent, i) for i in range(8)]  # expect: RSP002
    """,
    "threads started by hand with one parent": """
        import threading
        import numpy as np

        def worker(parent, results):
            results.append(np.random.default_rng(parent.spawn(1)[0]).random())  # expect: RSP006

        results = []
        root = np.random.SeedSequence(7)
        threads = [threading.Thread(target=worker, args=(root, results)) for _ in range(4)]
    """,
    "a helper spawns through a module-level generator's seed sequence": """
        import numpy as np
        from joblib import Parallel, delayed

        rng = np.random.default_rng(5)

        def fresh_generator():
            return np.random.default_rng(rng.bit_generator.seed_seq.spawn(1)[0])  # expect: RSP006

        def task(i):
            return fresh_generator().normal()

        Parallel(n_jobs=2)(delayed(task)(i) for i in range(4))
    """,
    "guarded() around a task that draws from np.random": """
        import numpy as np
        from joblib import Parallel, delayed
        from rng_guard import guarded

        def simulate(i):
            return np.random.normal(size=3)  # expect: RSP001

        Parallel(n_jobs=2)(delayed(guarded(simulate))(i) for i in range(4))
    """,
    "guarded() around a task given one generator": """
        import numpy as np
        import rng_guard
        from multiprocessing import Pool

        def walk(rng):
            return rng.standard_normal(5).cumsum()

        if __name__ == "__main__":
            rng = np.random.default_rng(7)
            with Pool(2) as pool:
                pool.map(rng_guard.guarded(walk), [rng] * 4)  # expect: RSP002
    """,
    # -- RSP007: random seeds of 32 bits or fewer, one per task ----------------
    "seeds drawn below 2**31 - 1 for joblib tasks": """
        import numpy as np
        from joblib import Parallel, delayed

        def simulate(seed):
            return np.random.default_rng(seed).normal(size=3)

        n_tasks = 10_000
        seeds = np.random.randint(2**31 - 1, size=n_tasks)  # expect: RSP007
        results = Parallel(n_jobs=2)(delayed(simulate)(s) for s in seeds)
    """,
    "32-bit seeds from a generator handed to pool.map": """
        from multiprocessing import Pool

        import numpy as np

        def walk(seed):
            return np.random.default_rng(seed).standard_normal(5).cumsum()

        if __name__ == "__main__":
            rng = np.random.default_rng(2024)
            seeds = rng.integers(2**32, size=100_000)  # expect: RSP007
            with Pool(2) as pool:
                paths = pool.map(walk, seeds)
    """,
    "random.randrange(2**32) per submitted task": """
        import random
        from concurrent.futures import ProcessPoolExecutor

        def trial(seed):
            return random.Random(seed).random()

        if __name__ == "__main__":
            with ProcessPoolExecutor() as executor:
                futures = [executor.submit(trial, random.randrange(2**32))  # expect: RSP007
                           for _ in range(500)]
    """,
    "random.randint(0, 2**32 - 1) in a loop of dask tasks": """
        import random

        import dask
        import numpy as np

        @dask.delayed
        def fit(data, seed):
            return np.random.RandomState(seed).permutation(data)

        tasks = []
        for i in range(100):
            seed = random.randint(0, 2**32 - 1)  # expect: RSP007
            tasks.append(fit([1, 2, 3], seed))
        dask.compute(*tasks)
    """,
    "scikit-learn's MAX_INT seeds as random_state": """
        import numpy as np
        from sklearn.tree import DecisionTreeClassifier

        MAX_INT = np.iinfo(np.int32).max
        rng = np.random.default_rng(0)
        n_trees = int(input("trees: "))
        seeds = rng.integers(MAX_INT, size=n_trees)  # expect: RSP007
        trees = [DecisionTreeClassifier(random_state=seed) for seed in seeds.tolist()]
    """,
    "torch.manual_seed with 32-bit seeds in each task": """
        import numpy as np
        import torch
        from joblib import Parallel, delayed

        def train(index, seed):
            torch.manual_seed(seed)
            return torch.randn(3)

        def train_all(n_tasks):
            seeds = np.random.default_rng(1).integers(0, 2**32, size=n_tasks)  # expect: RSP007
            return Parallel(n_jobs=2)(delayed(train)(i, s) for i, s in enumerate(seeds))
    """,
    # The comprehension's `s` is its own, not the `s = ...` of the loop below.
    "a comprehension's seed name, bound again later in the function": """
        import random

        import numpy as np
        from joblib import Parallel, delayed

        def simulate(seed):
            return np.random.default_rng(seed).normal(size=3)

        def main(n_tasks):
            seeds = np.random.randint(2**31 - 1, size=n_tasks)  # expect: RSP007
            results = Parallel(n_jobs=2)(delayed(simulate)(s) for s in seeds)
            for s in results:
                s = s.sum()
            return results
    """,
    "a joblib task fits KMeans() with random_state left at None": """
        from joblib import Parallel, delayed
        from sklearn.cluster import KMeans

        def cluster(X):
            return KMeans(3).fit(X).labels_  # expect: RSP008

        Parallel(n_jobs=2)(delayed(cluster)(X) for X in [[[0]], [[1]]])
    """,
}

CORRECT = {
    "a joblib task fits KMeans() with a seed of its own": """
        from joblib import Parallel, delayed
        from sklearn.cluster import KMeans

        def cluster(X, seed):
            return KMeans(3, random_state=seed).fit(X).labels_

        Parallel(n_jobs=2)(delayed(cluster)(X, s) for s, X in enumerate([[[0]]]))
    """,
    # In loky's worker processes, each task reseeds the worker's own state
    # with a seed of its own before it draws: right (issue 31).
    "joblib task seeds the global state with its argument": """
        import numpy as np
        from joblib import Parallel, delayed

        def task(seed):
            np.random.seed(seed)
            return np.random.randint(10, size=3)

        Parallel(n_jobs=2)(delayed(task)(s) for s in [1, 2, 3])
    """,
    # The same task, seeded as it asks: each task gets a seed of its own; or
    # np.random.seed(seed) unguarded, so None gives fresh entropy.
    "a reseed under `if seed is not None`, given a seed per task": """
        import numpy as np
        from joblib import Parallel, delayed
        from multiprocessing import Pool

        def MC_pi(N, seed=None):
            if seed is not None:
                np.random.seed(seed)
            return np.random.uniform(size=N).mean()

        def fresh(N, seed=None):
            np.random.seed(seed)
            return np.random.uniform(size=N).mean()

        def main(n_cpu, N):
            seeds = np.random.SeedSequence(0).generate_state(n_cpu)
            Parallel(n_jobs=2)(delayed(MC_pi)(N, seed=int(s)) for s in seeds)
            with Pool(n_cpu) as pool:
                return pool.map(fresh, [N] * n_cpu)
    """,
    # joblib: examples/parallel_random_state.py (the site's starting point).
    # Five seeds drawn below 2**31 - 1: two share one with a chance of
    # about 1e-8, under RSP007's 1%.
    "joblib's example hands out five random seeds": """
        import numpy as np
        from joblib import Parallel, delayed

        def stochastic_function_seeded(max_value, random_state):
            rng = np.random.RandomState(random_state)
            return rng.randint(max_value, size=5)

        n_vectors = 5
        random_state = np.random.randint(np.iinfo(np.int32).max, size=n_vectors)
        random_vector = Parallel(n_jobs=2)(delayed(
            stochastic_function_seeded)(10, rng) for rng in random_state)
    """,
    "a pool task reseeds from fresh entropy": """
        import numpy as np
        from multiprocessing import Pool

        def task(i):
            np.random.seed()
            return np.random.rand()

        if __name__ == "__main__":
            with Pool(2) as pool:
                pool.map(task, range(4))
    """,
    "guarded() around tasks given spawned seeds": """
        import numpy as np
        from joblib import Parallel, delayed
        from rng_guard import guarded

        def simulate(seed):
            return np.random.default_rng(seed).normal(size=3)

        seeds = np.random.SeedSequence(2026).spawn(4)
        Parallel(n_jobs=2)(delayed(guarded(simulate))(seed) for seed in seeds)
    """,
    "a list joined to new ids, hashed by SeedSequence (hyperopt)": """
        import numpy as np

        class Domain:
            def rng_for(self, new_ids):
                return np.random.default_rng([self._seed] + new_ids)
    """,
    "a method task that makes its generator from its seed": """
        import numpy as np
        from joblib import Parallel, delayed

        class Ensemble:
            def fit_one(self, seed):
                return np.random.default_rng(seed).permutation(10)

            def fit(self):
                seeds = np.random.SeedSequence(1).spawn(4)
                return Parallel(n_jobs=2)(delayed(self.fit_one)(s) for s in seeds)
    """,
    "a dask bag maps a function with a seed per element": """
        import dask.bag as db
        import numpy as np

        def simulate(i):
            return np.random.default_rng([i, 2024]).normal()

        totals = db.from_sequence(range(100), npartitions=4).map(simulate).sum()
    """,
    "a worker_init_fn seeded from torch's per-worker seed": """
        import numpy as np
        import torch
        from torch.utils.data import DataLoader

        def worker_init_fn(worker_id):
            np.random.seed(torch.initial_seed() % 2**32)

        loader = DataLoader(range(100), num_workers=4, worker_init_fn=worker_init_fn)
    """,
    "a pool initializer that takes its seed from a queue of spawned seeds": """
        import multiprocessing
        import numpy as np

        def init_worker(seeds):
            global generator
            generator = np.random.default_rng(seeds.get())

        if __name__ == "__main__":
            seeds = multiprocessing.SimpleQueue()
            for seed in np.random.SeedSequence(0).spawn(2):
                seeds.put(seed)
            with multiprocessing.Pool(2, initializer=init_worker, initargs=(seeds,)) as pool:
                pool.map(abs, range(4))
    """,
    "a task's own generator that shadows a module-level one": """
        import numpy as np
        from joblib import Parallel, delayed

        rng = np.random.default_rng(0)  # used only in the main guard

        def task(seed):
            rng = np.random.default_rng(seed)
            return rng.random()

        if __name__ == "__main__":
            print(rng.random())
            Parallel(n_jobs=2)(delayed(task)(s) for s in np.random.SeedSequence(1).spawn(4))
    """,
    "a name bound twice, the second time to a pool of seeded tasks": """
        from multiprocessing.pool import ThreadPool
        import numpy as np

        def task(seed):
            return np.random.default_rng(seed).random()

        if __name__ == "__main__":
            p = 400
            with ThreadPool(2) as p:
                print(p.map(task, np.random.SeedSequence(p and 5).spawn(4)))
    """,
    "seeds spawned, handed to submit": """
        from concurrent.futures import ProcessPoolExecutor
        import numpy as np

        def run(seed):
            return np.random.default_rng(seed).random()

        if __name__ == "__main__":
            with ProcessPoolExecutor() as executor:
                futures = [executor.submit(run, s) for s in np.random.SeedSequence(1234).spawn(8)]
    """,
    "an offset that is not a seed, handed to a task": """
        import numpy as np
        from joblib import Parallel, delayed

        def run(start, seed):
            return start + np.random.default_rng(seed).random()

        seeds = np.random.SeedSequence(1).spawn(4)
        Parallel(n_jobs=2)(delayed(run)(100 + i, seeds[i]) for i in range(4))
    """,
    "a module-level seed where no task draws": """
        import multiprocessing
        import numpy as np

        np.random.seed(0)

        def work(x):
            return x

        if __name__ == "__main__":
            with multiprocessing.Pool(2) as pool:
                pool.map(work, range(4))
    """,
    "a module-level SeedSequence whose tasks use only their seeds": """
        import numpy as np
        from joblib import Parallel, delayed

        ROOT = np.random.SeedSequence(2024)

        def task(seed):
            return np.random.default_rng(seed).random()

        if __name__ == "__main__":
            seeds = ROOT.spawn(4)
            Parallel(n_jobs=2, backend="multiprocessing")(delayed(task)(s) for s in seeds)
    """,
    "a module-level generator that no task uses": """
        import numpy as np
        from dask.distributed import Client, LocalCluster

        rng = np.random.default_rng(0)

        if __name__ == "__main__":
            with LocalCluster(n_workers=2) as cluster, Client(cluster) as client:
                print(client.submit(sum, [1, 2]).result())
    """,
    "a module-level SeedSequence spawned in the main guard, spawn workers": """
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor
        import numpy as np

        ROOT = np.random.SeedSequence(7)

        def task(seed):
            return np.random.default_rng(seed).random()

        if __name__ == "__main__":
            spawn = multiprocessing.get_context("spawn")
            with ProcessPoolExecutor(2, mp_context=spawn) as executor:
                print(list(executor.map(task, ROOT.spawn(4))))
    """,
    "children spawned before the tasks, each task spawning from its own": """
        from concurrent.futures import ThreadPoolExecutor
        import numpy as np
        from joblib import Parallel, delayed

        ROOT = np.random.SeedSequence(3)

        def task(child):
            return [np.random.default_rng(c).random() for c in child.spawn(2)]

        if __name__ == "__main__":
            children = ROOT.spawn(8)
            with ThreadPoolExecutor(4) as pool:
                futures = [pool.submit(task, child) for child in children]
            Parallel(n_jobs=2, backend="threading")(delayed(task)(c) for c in children)
    """,
    "a parent made inside the task": """
        import numpy as np
        from joblib import Parallel, delayed

        def task(seed):
            streams = np.random.default_rng(seed).spawn(2)
            return [stream.random() for stream in streams]

        Parallel(n_jobs=2, prefer="threads")(delayed(task)([i, 99]) for i in range(4))
    """,
    "something else called spawn, imported": """
        import pexpect
        from concurrent.futures import ThreadPoolExecutor

        def run(command):
            return pexpect.spawn(command).read()

        with ThreadPoolExecutor(2) as pool:
            list(pool.map(run, ["ls", "pwd"]))
    """,
    "the site's pattern: one spawned seed per task": """
        import numpy as np
        from joblib import Parallel, delayed

        def task(seed):
            generator = np.random.default_rng(seed)
            return generator.integers(10, size=5)

        if __name__ == "__main__":
            seeds = np.random.SeedSequence(2024).spawn(4)
            vectors = Parallel(n_jobs=2)(delayed(task)(seed) for seed in seeds)
    """,
    "default_rng([task_id, root])": """
        import numpy as np
        from joblib import Parallel, delayed

        def task(task_id, root):
            rng = np.random.default_rng([task_id, root])
            return rng.random()

        Parallel(n_jobs=2)(delayed(task)(i, 2024) for i in range(4))
    """,
    "multiprocessing: a generator made inside the task from a passed seed": """
        import multiprocessing
        import numpy as np

        def work(seed):
            return np.random.default_rng(seed).random()

        if __name__ == "__main__":
            seeds = np.random.SeedSequence(1).spawn(4)
            with multiprocessing.Pool(2) as pool:
                print(pool.map(work, seeds))
    """,
    "multiprocessing starmap with spawned seeds": """
        from multiprocessing import get_context
        import numpy as np

        def work(seed, n):
            return np.random.default_rng(seed).random(n).mean()

        if __name__ == "__main__":
            seeds = np.random.SeedSequence(1).spawn(4)
            with get_context("spawn").Pool(2) as pool:
                print(pool.starmap(work, [(seed, 100) for seed in seeds]))
    """,
    "concurrent.futures with spawned seeds": """
        from concurrent.futures import ProcessPoolExecutor
        import numpy as np

        def estimate(seed):
            return np.random.default_rng(seed).uniform(size=100).mean()

        if __name__ == "__main__":
            seeds = np.random.SeedSequence(5).spawn(8)
            with ProcessPoolExecutor() as executor:
                futures = [executor.submit(estimate, seed) for seed in seeds]
    """,
    "dask client.map with spawned seeds": """
        import numpy as np
        from dask.distributed import Client

        def sample(seed):
            return np.random.default_rng(seed).standard_normal(3)

        if __name__ == "__main__":
            with Client() as client:
                seeds = np.random.SeedSequence(9).spawn(4)
                futures = client.map(sample, seeds)
    """,
    "dask.delayed with a generator made in the task": """
        import dask
        import numpy as np

        @dask.delayed
        def sample(seed):
            return np.random.default_rng(seed).standard_normal(3)

        results = dask.compute(*[sample(s) for s in np.random.SeedSequence(3).spawn(4)])
    """,
    "generators spawned from a parent generator": """
        import numpy as np
        from joblib import Parallel, delayed

        def simulate(rng):
            return rng.random()

        parent = np.random.default_rng(11)
        Parallel(n_jobs=2)(delayed(simulate)(child) for child in parent.spawn(4))
    """,
    "a new generator bound inside the loop": """
        from concurrent.futures import ThreadPoolExecutor
        import numpy as np

        def simulate(rng):
            return rng.random()

        seeds = np.random.SeedSequence(4).spawn(4)
        with ThreadPoolExecutor(2) as executor:
            for seed in seeds:
                rng = np.random.default_rng(seed)
                executor.submit(simulate, rng)
    """,
    "random used outside any task": """
        import random
        from joblib import Parallel, delayed

        def square(x):
            return x * x

        items = list(range(10))
        random.shuffle(items)
        squares = Parallel(n_jobs=2)(delayed(square)(x) for x in items)
    """,
    "global draws in the parent, under the main guard": """
        import multiprocessing
        import numpy as np

        def work(x):
            return 2 * x

        if __name__ == "__main__":
            np.random.seed(0)
            data = np.random.rand(8)
            with multiprocessing.Pool(2) as pool:
                print(pool.map(work, data))
    """,
    "module-level seed in a script that starts no process": """
        import matplotlib.pyplot as plt
        import numpy as np

        np.random.seed(19680801)
        plt.plot(np.random.randn(50).cumsum())
    """,
    "module-level seed with threads only": """
        from concurrent.futures import ThreadPoolExecutor
        import numpy as np

        np.random.seed(0)
        data = np.random.rand(8)

        with ThreadPoolExecutor(2) as executor:
            totals = list(executor.map(sum, [data[:4], data[4:]]))
    """,
    "module-level SeedSequence with an explicit fork context": """
        import multiprocessing
        import numpy as np
        from joblib import Parallel, delayed

        seeds = np.random.SeedSequence(3).spawn(4)  # forked workers do not run this again

        def task(seed):
            return np.random.default_rng(seed).random()

        fork = multiprocessing.get_context("fork")
        Parallel(n_jobs=2, backend=fork)(delayed(task)(s) for s in seeds)
    """,
    "module-level SeedSequence with a ProcessPoolExecutor on fork": """
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor
        import numpy as np

        seeds = np.random.SeedSequence(3).spawn(4)  # forked workers do not run this again

        def task(seed):
            return np.random.default_rng(seed).random()

        fork = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(2, mp_context=fork) as executor:
            print(list(executor.map(task, seeds)))
    """,
    "a local dask cluster of threads": """
        import numpy as np
        from dask.distributed import Client, LocalCluster

        seeds = np.random.SeedSequence(2).spawn(2)

        cluster = LocalCluster(n_workers=2, processes=False)
        client = Client(cluster)
    """,
    "Philox keys from root + stream_id, as NumPy documents": """
        import secrets
        from numpy.random import Generator, Philox

        root = secrets.randbits(128)
        streams = [Generator(Philox(key=root + stream_id)) for stream_id in range(10)]
    """,
    "a task with its own random.Random": """
        import random
        from joblib import Parallel, delayed

        def roll(seed):
            dice = random.Random(seed)
            return dice.randint(1, 6)

        Parallel(n_jobs=2)(delayed(roll)(s) for s in [11, 22, 33])
    """,
    "the clock used for timing, not seeding": """
        import time
        import numpy as np
        from joblib import Parallel, delayed

        def timed(seed):
            start = time.perf_counter()
            value = np.random.default_rng(seed).random(1000).sum()
            return value, time.perf_counter() - start

        Parallel(n_jobs=2)(delayed(timed)(s) for s in np.random.SeedSequence(1).spawn(2))
    """,
    "two functions with one name; the one handed over is clean": """
        from concurrent.futures import ThreadPoolExecutor
        import numpy as np

        def test_clean():
            def func(seed):
                return np.random.default_rng(seed).random()

            with ThreadPoolExecutor(2) as pool:
                pool.submit(func, 1)

        def test_other():
            def func(x):
                return np.random.rand() + x  # called directly, not a task

            assert func(0) < 1
    """,
    "a local function named random": """
        from joblib import Parallel, delayed

        def random():
            return 4  # chosen by fair dice roll

        def task(i):
            return random() + i

        Parallel(n_jobs=2)(delayed(task)(i) for i in range(3))
    """,
    "the loop counter as a task id next to the root": """
        import numpy as np

        ROOT = 2024
        generators = [np.random.default_rng([i, ROOT]) for i in range(4)]
        for i in range(4):
            print(np.random.default_rng([i, ROOT]).random())
    """,
    "seeds from a list, one per loop iteration": """
        import numpy as np

        for seed in [12, 345, 6789]:
            print(np.random.default_rng(seed).random())
    """,
    "a seed reduced to 32 bits": """
        import numpy as np

        def legacy_state(seed):
            return np.random.RandomState(seed % 2**32)
    """,
    "an unseeded generator passed to a single call": """
        import numpy as np
        from joblib import Parallel, delayed

        def simulate(rng):
            return rng.random()

        rng = np.random.default_rng(3)
        results = Parallel(n_jobs=1)([delayed(simulate)(rng)])
    """,
    "random integers as data, not seeds": """
        import numpy as np
        from joblib import Parallel, delayed

        def double(x):
            return 2 * x

        def bucket(token):
            return token % 7

        rng = np.random.default_rng(5)
        data = rng.integers(10, size=100)
        doubled = Parallel(n_jobs=2)(delayed(double)(x) for x in data)
        tokens = rng.integers(2**32, size=100)
        buckets = Parallel(n_jobs=2)(delayed(bucket)(t) for t in tokens)
    """,
    "one random root for the run, then spawned seeds": """
        import random
        import numpy as np
        from joblib import Parallel, delayed

        def simulate(seed):
            return np.random.default_rng(seed).random()

        root = random.randrange(2**32)
        print("root:", root)
        children = np.random.SeedSequence(root).spawn(100)
        results = Parallel(n_jobs=2)(delayed(simulate)(c) for c in children)
    """,
    "seeds of 64 bits, or distinct by sampling": """
        import random
        import numpy as np
        from joblib import Parallel, delayed

        def simulate(seed):
            return np.random.default_rng(seed).random()

        wide = np.random.default_rng(1).integers(2**63, size=1000)
        Parallel(n_jobs=2)(delayed(simulate)(s) for s in wide)
        distinct = random.sample(range(2**32), 1000)
        Parallel(n_jobs=2)(delayed(simulate)(s) for s in distinct)
    """,
    "drawn indices handed to tasks": """
        import numpy as np
        from joblib import Parallel, delayed

        table = list(range(2**20))

        def pick(index):
            return table[index]

        indices = np.random.default_rng(3).integers(2**20, size=50)
        Parallel(n_jobs=2)(delayed(pick)(i) for i in indices)
    """,
}
