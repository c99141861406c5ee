r"""
=============================================
When 32-bit seeds collide: the birthday bound
=============================================

Drawing one random 32-bit integer as the seed of each task looks harmless,
but the seeds are drawn independently from only 2³² (about 4.3
billion) values, and the birthday problem says collisions come much sooner
than intuition suggests. Two tasks with the same seed draw exactly the same
numbers. This example computes the probability that at least two of ``n``
tasks share a seed exactly, checks it by simulation, plots it against ``n``,
and contrasts it with the 128 bits of entropy behind ``SeedSequence``.
"""

# %%
# The exact probability
# ---------------------
#
# With ``n`` seeds drawn uniformly from ``N`` values, the probability that
# all are different is the product of 1 − i/N for ``i`` from 1 to
# ``n - 1``. Summing logarithms (with ``log1p`` for accuracy when ``i/N`` is
# tiny) gives it for every ``n`` at once.

import matplotlib.pyplot as plt
import numpy as np

SEED_SPACE_32 = 2**32
MAX_TASKS = 400_000


def collision_probability(max_n, space):
    """P(at least two of n seeds coincide) for n = 0, 1, ..., max_n."""
    i = np.arange(max_n, dtype=np.float64)
    log_all_distinct = np.cumsum(np.log1p(-i / space))
    # Entry n is the probability for n seeds: the product over i < n.
    return np.concatenate([[0.0], -np.expm1(log_all_distinct)])


def smallest_n_reaching(probabilities, level):
    """The smallest number of tasks whose risk is at least level."""
    return int(np.argmax(probabilities >= level))


probability_32 = collision_probability(MAX_TASKS, SEED_SPACE_32)
one_percent = smallest_n_reaching(probability_32, 0.01)
one_half = smallest_n_reaching(probability_32, 0.5)
print(f"32-bit seeds: the risk passes 1% at n = {one_percent:,}")
print(f"              and 50% at n = {one_half:,}")
print(f"for 1,000 tasks it is {probability_32[1_000]:.3%}; "
      f"for 100,000 tasks, {probability_32[100_000]:.1%}")

# %%
# scikit-learn's ensembles draw their estimators' seeds below
# ``np.iinfo(np.int32).max``, 2³¹ − 1 (``MAX_INT`` in its forests and
# bagging), and so does much code written for it: half the space, and
# collisions sooner. (joblib's own example did too until late 2023; it now
# seeds each task with ``[i, seed]``.)

SEED_SPACE_31 = np.iinfo(np.int32).max
probability_31 = collision_probability(MAX_TASKS, SEED_SPACE_31)
one_percent_31 = smallest_n_reaching(probability_31, 0.01)
print(f"seeds below 2**31 - 1: the risk passes 1% at n = {one_percent_31:,}")

# %%
# The same formula reproduces the classic birthday problem: with 365 days,
# 23 people are enough for an even chance that two share a birthday.

birthdays = collision_probability(60, 365)
print(f"birthday problem: n = {smallest_n_reaching(birthdays, 0.5)} people, "
      f"probability {birthdays[23]:.4f}")

# %%
# Checking it by simulation
# -------------------------
#
# For a few values of ``n``, draw ``n`` 32-bit seeds many times (exactly as
# ``integers(2**32, size=n)`` would hand them to tasks) and count the runs
# in which some seed repeats. The simulation is seeded, so this page shows
# the same counts at every build.

N_RUNS = 200
SIMULATED_N = [20_000, 50_000, one_half, 120_000]


def simulate_collision_rate(n, n_runs, generator):
    """Fraction of n_runs draws of n 32-bit seeds that contain a repeat."""
    repeats = 0
    for _ in range(n_runs):
        seeds = generator.integers(SEED_SPACE_32, size=n, dtype=np.uint64)
        # Once sorted, a repeated seed sits next to its twin (and sorting is
        # much quicker than np.unique, which would also count the values).
        seeds.sort()
        repeats += bool((seeds[1:] == seeds[:-1]).any())
    return repeats / n_runs


generator = np.random.default_rng(2024)
simulated = {n: simulate_collision_rate(n, N_RUNS, generator)
             for n in SIMULATED_N}
for n, rate in simulated.items():
    # Two binomial standard errors around the exact value.
    exact = probability_32[n]
    margin = 2 * np.sqrt(exact * (1 - exact) / N_RUNS)
    print(f"n = {n:>7,}: simulated {rate:.3f}, exact {exact:.3f} "
          f"(within two standard errors: {abs(rate - exact) <= margin})")

# %%
# With ``SeedSequence``
# ---------------------
#
# ``np.random.SeedSequence()`` draws 128 bits of entropy for its root, and
# spawned children never repeat their parent's key. Two independent 128-bit
# roots collide with a probability of about n²/2¹²⁹, computed
# here with the same formula in a space of 2¹²⁸ values: at a
# billion roots it is still below 10⁻²⁰.

def collision_probability_128(n):
    """The same probability in a space of 2**128 values.

    There 1 - i/N rounds to 1 in double precision, so use the product's
    first-order term, n(n-1)/2N, which is exact to many digits at these n.
    """
    n = np.asarray(n, dtype=np.float64)
    return n * (n - 1) / 2 / 2.0**128


n_32 = np.unique(np.logspace(1, np.log10(MAX_TASKS), 200).astype(int))
n_128 = np.logspace(1, 10, 200)
print(f"128-bit roots: probability {collision_probability_128(1e9):.1e} "
      f"for a billion of them")


# %%
# The figure
# ----------
#
# Above, the 32-bit risk on a linear scale, where 1% and 50% (the dashed
# lines) can be read off; the diamonds are the simulated rates. Below,
# both risks on logarithmic axes: the 128-bit one stays below 10⁻²⁰ at a
# billion roots, while the 32-bit line stops at 400,000 tasks, where a
# collision is all but certain.


def plot_collision_risk():
    fig, (linear, logarithmic) = plt.subplots(
        2, 1, figsize=(5.6, 8.2), facecolor="white",
        gridspec_kw={"height_ratios": [1.15, 1]})
    linear.semilogx(n_32, 100 * probability_32[n_32], color="#b93a0b",
                    linewidth=2.5, label="32-bit integer seeds (exact)")
    linear.semilogx(list(simulated), [100 * p for p in simulated.values()],
                    "D", color="black", markersize=7,
                    label=f"32-bit, simulated ({N_RUNS} runs each)")
    for n, level in [(one_percent, 0.01), (one_half, 0.5)]:
        linear.axvline(n, color="#555555", linestyle="--", linewidth=1)
        linear.annotate(f"{level:.0%} at n = {n:,}", xy=(n, 100 * level),
                        xytext=(-8, 8), textcoords="offset points",
                        ha="right", va="bottom", fontsize=10)
    linear.set(xlabel="number of tasks, n",
               ylabel="two tasks share a seed (%)", xlim=(1e3, 4e5),
               ylim=(0, 105), yticks=range(0, 101, 20))  # 100% stays seen
    linear.legend(loc="upper left", fontsize=10)
    linear.set_title("Collision risk of independently drawn seeds",
                     loc="left", fontsize=12, pad=10)
    logarithmic.loglog(n_32, probability_32[n_32], color="#b93a0b",
                       linewidth=2.5, label="32-bit integer seeds")
    logarithmic.loglog(n_128, collision_probability_128(n_128),
                       color="#2f7ebc", linewidth=2.5,
                       label="128-bit SeedSequence roots")
    logarithmic.set(xlabel="number of tasks, n", ylabel="probability",
                    ylim=(1e-38, 20))
    logarithmic.set_title("Both risks, logarithmic axes", loc="left",
                          fontsize=12, pad=10)
    logarithmic.legend(loc="lower right", fontsize=10)
    for ax in (linear, logarithmic):
        ax.grid(True, which="major", color="#dddddd")
    fig.tight_layout()
    return fig


plot_collision_risk()
plt.show()

# %%
# What to take from it
# --------------------
#
# A few hundred tasks with 32-bit seeds are almost always fine; tens of
# thousands, as in a large hyper-parameter search or a long simulation
# campaign, are not. Spawning children from one ``SeedSequence`` removes the
# question: see :doc:`plot_spawned_generators`.

# %%
# Sources: scikit-learn 1.9.1 `seeds each estimator of an ensemble below
# np.iinfo(np.int32).max <https://github.com/scikit-learn/scikit-learn/
# blob/1.9.1/sklearn/ensemble/_base.py#L81>`__; NumPy 2.4's `SeedSequence
# <https://numpy.org/doc/2.4/reference/random/bit_generators/generated/
# numpy.random.SeedSequence.html>`__ and its 128-bit entropy pool; joblib
# 1.6.0's `random-state example <https://github.com/joblib/joblib/blob/
# 1.6.0/examples/parallel_random_state.py>`__.
