"""The order in which a reader should learn the gallery.

conf.py names ``gallery_order`` as sphinx-gallery's within_subsection_order;
page_decoration lists the examples under each page in the same order.
"""

from pathlib import Path

# The gallery, in reading order: why workers repeat each other (joblib,
# pools, library calls, pickled states); the reader's own library
# (scikit-learn, PyTorch, libraries whose seeded results change with
# threads); how to get it right (spawned seeds, start methods, threads, a
# real workload); clusters and one's own pools (dask, Ray, MPI, code that
# cannot be refactored); the summary; then the tools: a checker that reads
# code, and a guard that watches tasks run.
GALLERY_ORDER = [
    # Why it happens
    "plot_random_state_in_parallel.py",
    "plot_batches_and_pools.py",
    "plot_library_calls.py",
    "plot_copied_by_pickling.py",
    # In your library
    "plot_scikit_learn_n_jobs.py",
    "plot_scikit_learn_splitters.py",
    "plot_pytorch_dataloader.py",
    "plot_pytorch_distributed.py",
    "plot_seeded_yet_different.py",
    # Get it right
    "plot_spawned_generators.py",
    "plot_seed_collisions.py",
    "plot_start_methods.py",
    "plot_shared_generator_threads.py",
    "plot_free_threading.py",
    "plot_threads_outside_joblib.py",
    "plot_monte_carlo.py",
    # On your cluster and in your own pools
    "plot_dask_cluster.py",
    "plot_dask_api.py",
    "plot_ray.py",
    "plot_mpi.py",
    "plot_code_you_cannot_refactor.py",
    # The summary
    "plot_behaviour_matrix.py",
    # Check your own code
    "plot_check_your_code.py",
    "plot_guard_your_tasks.py",
]


def gallery_order(filename):
    """Sort key for sphinx-gallery's within_subsection_order.

    Examples missing from GALLERY_ORDER come last, alphabetically; the test
    suite checks that every example in examples/ has its place in the list.
    """
    name = Path(filename).name
    if name in GALLERY_ORDER:
        return (GALLERY_ORDER.index(name), name)
    return (len(GALLERY_ORDER), name)
