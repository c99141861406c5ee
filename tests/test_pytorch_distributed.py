"""The distributed-training page (seeds per rank, DistributedSampler and
set_epoch): its claims, checked with its own functions and values, against
NumPy's SeedSequence and against the installed PyTorch source.

torch is never imported in this process: the page's two ranks run in fresh
interpreters (run_two_ranks), as they do when the site is built.
"""

import ast
import importlib.util
import json
import re
import sys
from importlib.metadata import version
from pathlib import Path

import numpy as np
import psutil
import pytest

from conftest import ROOT, example_path, load_example, page_of, printed_by

NAME = "plot_pytorch_distributed"
SAME, PLUS_RANK, SPAWNED = "manual_seed(root)", "manual_seed(root + rank)", "seed_this_rank(root)"
ROOTS = [0, 1, 0]  # the roots of the three runs each rank plays


@pytest.fixture(scope="module")
def page():
    return load_example(NAME)


@pytest.fixture(scope="module")
def printed(page):
    return printed_by(NAME)


def torch_pin():
    lines = (ROOT / "requirements.txt").read_text().splitlines()
    return next(line.split("==")[1] for line in lines if line.startswith("torch=="))


def torch_source(relative):
    """A file of the installed torch package, found without importing it."""
    folder = importlib.util.find_spec("torch").submodule_search_locations[0]
    return Path(folder, relative).read_text(encoding="utf-8").splitlines()


def numpy_draw(draw):  # "01100101 123456": the dropout mask, then the NumPy draw
    return int(draw.split()[1])


def test_torch_never_runs_in_the_page_process(page):
    assert "torch" not in sys.modules
    assert page.ranks[0]["pid"] != page.ranks[1]["pid"]
    assert {seen["backend"] for seen in page.ranks} == {"gloo"}


def test_the_title_and_first_lines_name_the_calls_and_the_symptoms(page):
    lines = [line for line in page.__doc__.strip().splitlines() if line.strip("= ")]
    title, summary = lines[0], " ".join(lines[1:])
    assert "DistributedSampler" in title and "set_epoch" in title and "rank" in title
    for words in ["``torch.distributed``", "``DistributedSampler``", "``set_epoch``", "``rank``",
                  "the same data order every epoch", "the same augmentation and the same dropout mask"]:
        assert words in summary, words


def test_the_page_prints_the_torch_version_it_ran(printed):
    assert version("torch") == torch_pin()
    assert printed.splitlines()[0] == f"torch {torch_pin()}, gloo, 2 ranks, CPU"


def verdicts(printed, scheme):
    """The page's row for a scheme: ranks alike, runs overlap, repeatable."""
    row = re.search(rf"^{re.escape(scheme)}\s+(True|False)\s+(True|False)\s+(True|False)$", printed, re.M)
    return tuple(value == "True" for value in row.groups())


def test_the_same_seed_on_every_rank_draws_alike(page, printed):
    draws = page.draws[SAME]  # [run][rank]
    assert all(run[0] == run[1] for run in draws)  # torch's mask and NumPy's draw
    assert draws[0][0] != draws[1][0]  # yet another root draws otherwise
    for run, root in zip(draws, ROOTS):
        assert [numpy_draw(draw) for draw in run] == [np.random.RandomState(root).randint(10**6)] * 2
    assert verdicts(printed, SAME) == (True, False, True)


def test_seed_plus_rank_is_distinct_in_a_run_but_overlaps_across_runs(page, printed):
    draws = page.draws[PLUS_RANK]
    assert all(run[0] != run[1] for run in draws)
    assert draws[0][1] == draws[1][0]  # root 0's rank 1 is root 1's rank 0
    assert draws[0][1] == page.draws[SAME][1][0]  # both seeded torch and NumPy with 1
    for run, root in zip(draws, ROOTS):
        assert [numpy_draw(draw) for draw in run] == [np.random.RandomState(root + rank).randint(10**6)
                                                      for rank in (0, 1)]
    assert verdicts(printed, PLUS_RANK) == (False, True, True)


def test_spawned_seeds_are_distinct_across_ranks_and_roots_and_repeatable(page, printed):
    draws = page.draws[SPAWNED]
    assert len(set(draws[:2].ravel())) == 4  # roots 0 and 1, ranks 0 and 1
    assert list(draws[2]) == list(draws[0])  # root 0 again
    for run, root in zip(draws, ROOTS):  # np.random.seed(words), as seed_this_rank does
        children = np.random.SeedSequence(root).spawn(2)
        assert [numpy_draw(draw) for draw in run] == [
            np.random.RandomState(child.generate_state(2)).randint(10**6) for child in children]
    assert verdicts(printed, SPAWNED) == (False, False, True)


def test_the_printed_masks_are_the_drawn_ones(page, printed):
    for scheme, draws in page.draws.items():
        masks = " ".join(draw.split()[0] for draw in draws[:2].ravel()).split()
        line = f"{scheme:24} root 0: {masks[0]} {masks[1]}  root 1: {masks[2]} {masks[3]}"
        assert line in printed.splitlines()


def test_the_same_seed_builds_the_same_weights_and_ddp_copies_rank_0s(page, printed):
    assert page.alike[0] == page.alike[1]
    assert page.own[0] == page.alike[0]  # rank 0 was seeded with 0 both times
    assert page.own[0] != page.own[1]  # rank 1, seeded with 1, built others
    assert page.after[0] == page.after[1] == page.own[0]  # until DDP wrapped them
    assert "manual_seed(0) on both ranks, same weights: True" in printed
    assert "seeds 0 and 1, same weights: False; after DDP(model): True" in printed


def test_without_set_epoch_every_epoch_has_epoch_0s_order(page, printed):
    orders = page.orders["0 False"]  # [epoch][rank][position]
    assert len(orders) == page.EPOCHS >= 2
    assert all((epoch == orders[0]).all() for epoch in orders)
    assert page.same_order
    assert "no set_epoch, every epoch in epoch 0's order: True" in printed


def test_with_set_epoch_orders_change_and_the_ranks_still_split_the_data(page, printed):
    orders = page.orders["0 True"]
    for rank in (0, 1):
        assert len({tuple(epoch[rank]) for epoch in orders}) == page.EPOCHS
    for mine, yours in orders:
        assert not set(mine) & set(yours)
        assert sorted([*mine, *yours]) == list(range(page.N_SAMPLES))
    # set_epoch(0) is the epoch a new sampler starts at
    assert (orders[0] == page.orders["0 False"][0]).all()
    assert page.differ and page.apart
    assert "set_epoch, epochs differ: True; ranks split the data: True" in printed


def test_a_second_run_repeats_every_draw_and_leaves_no_process(page):
    me = psutil.Process()
    before = {child.pid for child in me.children(recursive=True)}
    again = page.run_two_ranks()
    assert {child.pid for child in me.children(recursive=True)} <= before
    pids = [seen["pid"] for seen in page.ranks + again]
    assert not any(psutil.pid_exists(pid) for pid in pids)
    for first, second in zip(page.ranks, again):
        assert {**first, "pid": 0} == {**second, "pid": 0}


def page_links():
    """The page's links, each joined back from the lines it is wrapped on."""
    text = "".join(line.lstrip("#").strip() for line in example_path(NAME).read_text().splitlines())
    return re.findall(r"<(https://[^>]+)>", text)


def test_the_links_are_pinned_and_point_at_what_the_page_says(page):
    links = page_links()
    sources = [link for link in links if link.startswith("https://github.com/pytorch/pytorch/blob/")]
    assert {link.split("/")[6] for link in sources} == {f"v{torch_pin()}"}
    major_minor = ".".join(torch_pin().split(".")[:2])
    assert f"https://docs.pytorch.org/docs/{major_minor}/data.html" \
           "#torch.utils.data.distributed.DistributedSampler" in links
    assert {"https://github.com/pytorch/pytorch/issues/31771",
            "https://github.com/pytorch/pytorch/issues/11324"} <= set(links)
    quoted = {}
    for link in sources:
        path, first, last = re.match(r".*/v[\d.]+/torch/(.+)#L(\d+)-L(\d+)$", link).groups()
        quoted[path] = "\n".join(torch_source(path)[int(first) - 1:int(last)])
    sampler = quoted["utils/data/distributed.py"]
    assert sampler.startswith("    def __iter__")
    assert "g.manual_seed(self.seed + self.epoch)" in sampler
    assert "indices[self.rank : self.total_size : self.num_replicas]" in sampler
    assert sampler.endswith("self.epoch = epoch")
    ddp = quoted["nn/parallel/distributed.py"]
    assert "_sync_module_states(" in ddp and "src=0," in ddp


def test_set_epoch_does_nothing_but_set_the_epoch():
    tree = ast.parse("\n".join(torch_source("utils/data/distributed.py")))
    sampler = next(node for node in tree.body if getattr(node, "name", "") == "DistributedSampler")
    set_epoch = next(node for node in sampler.body if getattr(node, "name", "") == "set_epoch")
    body = [statement for statement in set_epoch.body if not isinstance(statement, ast.Expr)]  # docstring
    assert [ast.unparse(statement) for statement in body] == ["self.epoch = epoch"]


def test_the_search_index_has_this_page_alone_for_the_readers_words(site):
    text = (site / "searchindex.js").read_text(encoding="utf-8")
    index = json.loads(text[text.index("(") + 1:text.rindex(")")])

    def titled(term):  # the pages whose titles hold the (stemmed) term
        found = index["titleterms"].get(term, [])
        return {index["docnames"][i] for i in (found if isinstance(found, list) else [found])}

    assert titled("distributedsampl") & titled("set_epoch") == {page_of(NAME).with_suffix("").as_posix()}
