"""The gallery's sections, and the order in which a reader should learn it.

Each section is a folder of examples/ (sphinx-gallery's subsections), named
by what a reader comes with: why workers repeat each other, their own
library, their own cluster or pool, how to get it right, and tools that
check their code. conf.py names ``SECTION_FOLDERS`` as subsection_order and
``gallery_order`` as within_subsection_order; page_decoration lists the
examples under each page in the same order.
"""

from pathlib import Path

SECTIONS = {
    # joblib, pools, library calls, pickled states
    "why_it_happens": [
        "plot_random_state_in_parallel.py",
        "plot_batches_and_pools.py",
        "plot_library_calls.py",
        "plot_copied_by_pickling.py",
    ],
    # scikit-learn, PyTorch, libraries whose seeded results change with threads
    "in_your_library": [
        "plot_scikit_learn_n_jobs.py",
        "plot_scikit_learn_splitters.py",
        "plot_pytorch_dataloader.py",
        "plot_pytorch_distributed.py",
        "plot_seeded_yet_different.py",
    ],
    # dask, Ray, MPI, threads and pools of one's own, code that cannot change
    "on_your_cluster": [
        "plot_dask_cluster.py",
        "plot_dask_api.py",
        "plot_ray.py",
        "plot_mpi.py",
        "plot_threads_outside_joblib.py",
        "plot_code_you_cannot_refactor.py",
    ],
    # spawned seeds, start methods, threads, a real workload, the summary
    "get_it_right": [
        "plot_spawned_generators.py",
        "plot_seed_collisions.py",
        "plot_start_methods.py",
        "plot_shared_generator_threads.py",
        "plot_free_threading.py",
        "plot_monte_carlo.py",
        "plot_behaviour_matrix.py",
    ],
    # a checker that reads code, a guard that watches tasks run
    "check_your_code": [
        "plot_check_your_code.py",
        "plot_guard_your_tasks.py",
    ],
}

# sphinx-gallery's subsection_order: the folders, as paths from conf.py.
SECTION_FOLDERS = [f"../examples/{folder}" for folder in SECTIONS]

GALLERY_ORDER = [name for names in SECTIONS.values() for name in names]

# Where each example lives: "plot_ray.py" -> "on_your_cluster".
SECTION_OF = {name: folder for folder, names in SECTIONS.items() for name in names}


def docname(example):
    """The page of an example, from its file name or stem:
    "plot_ray" -> "auto_examples/on_your_cluster/plot_ray"."""
    name = Path(example).stem
    return f"auto_examples/{SECTION_OF[name + '.py']}/{name}"


def gallery_order(filename):
    """Sort key for sphinx-gallery's within_subsection_order.

    Examples missing from GALLERY_ORDER come last, alphabetically; the test
    suite checks that every example in examples/ has its place in the list.
    """
    name = Path(filename).name
    if name in GALLERY_ORDER:
        return (GALLERY_ORDER.index(name), name)
    return (len(GALLERY_ORDER), name)
