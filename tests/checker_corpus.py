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
    "joblib task seeds the global state with its argument": """
        import numpy as np
        from joblib import Parallel, delayed

        def task(seed):
            np.random.seed(seed)  # expect: RSP001
            return np.random.randint(10, size=3)  # expect: RSP001

        Parallel(n_jobs=2)(delayed(task)(s) for s in [1, 2, 3])
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
    "module-level np.random.seed with a multiprocessing pool": """
        import multiprocessing
        import numpy as np

        np.random.seed(0)  # expect: RSP004

        def work(x):
            return x

        if __name__ == "__main__":
            with multiprocessing.Pool(2) as pool:
                pool.map(work, range(4))
    """,
    "module-level random.seed with a process executor": """
        import random
        from concurrent.futures import ProcessPoolExecutor

        random.seed(1)  # expect: RSP004

        def work(x):
            return x

        if __name__ == "__main__":
            with ProcessPoolExecutor() as executor:
                list(executor.map(work, range(4)))
    """,
    "module-level SeedSequence with joblib's multiprocessing backend": """
        import numpy as np
        from joblib import Parallel, delayed

        ROOT = np.random.SeedSequence(2024)  # expect: RSP004

        def task(seed):
            return np.random.default_rng(seed).random()

        if __name__ == "__main__":
            seeds = ROOT.spawn(4)
            Parallel(n_jobs=2, backend="multiprocessing")(delayed(task)(s) for s in seeds)
    """,
    "module-level generator with a local dask cluster": """
        import numpy as np
        from dask.distributed import Client, LocalCluster

        rng = np.random.default_rng(0)  # expect: RSP004

        if __name__ == "__main__":
            with LocalCluster(n_workers=2) as cluster, Client(cluster) as client:
                print(client.submit(sum, [1, 2]).result())
    """,
    "module-level seed with a ProcessPoolExecutor on spawn": """
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor
        import numpy as np

        ROOT = np.random.SeedSequence(7)  # expect: RSP004

        def task(seed):
            return np.random.default_rng(seed).random()

        if __name__ == "__main__":
            spawn = multiprocessing.get_context("spawn")
            with ProcessPoolExecutor(2, mp_context=spawn) as executor:
                print(list(executor.map(task, ROOT.spawn(4))))
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
}

CORRECT = {
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
}
