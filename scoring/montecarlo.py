"""Monte Carlo over weights and evidence-driven value uncertainty (SMAA-style), seeded and reproducible.

Each draw takes a weight vector and a perturbed value matrix:

- weights: Dirichlet around the chosen weights (``around``: alpha = concentration x weights, so a
  higher concentration keeps draws closer), uniform over all weightings (``uniform``:
  alpha = 1), resampled from a given set of weight vectors (``pool``, e.g. workshop
  participants), or uniform over an agreed order and bounds (``space``: a ``WeightSpace``);
- values: v + sd x z, clipped to 0-100, with z standard normal per intervention and criterion
  (shared by an intervention's funding levels) and sd from the catalogue's evidence-driven
  spreads.

From the draws come the probability of every rank, of ranking in the top k, the central weights
(the mean weights of the draws where an intervention ranks first) and, when a funding problem is
given, the probability of being funded, solving the budget problem exactly for every draw.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt
import pandas as pd

from scoring.weight_space import WeightSpace

FloatArray = npt.NDArray[np.float64]
WeightMode = Literal["around", "uniform", "pool", "space"]
CHUNK_DRAWS = 500
THREADS = 2


def sample_weights(
    center: FloatArray,
    draws: int,
    rng: np.random.Generator,
    mode: WeightMode = "around",
    concentration: float = 50.0,
    pool: FloatArray | None = None,
    space: WeightSpace | None = None,
) -> FloatArray:
    """``draws`` weight vectors (rows add up to 1)."""
    if mode == "space":
        if space is None or space.n != center.size:
            raise ValueError("weight mode 'space' needs a weight space over the same criteria")
        return space.sample(draws, rng)
    if mode == "uniform":
        return np.asarray(rng.dirichlet(np.ones(center.size), size=draws), dtype=np.float64)
    if mode == "pool":
        if pool is None or len(pool) == 0:
            raise ValueError("weight mode 'pool' needs at least one weight vector")
        rows = np.asarray(pool, dtype=np.float64)
        rows = rows / rows.sum(axis=1, keepdims=True)
        return np.asarray(rows[rng.integers(0, len(rows), size=draws)], dtype=np.float64)
    if mode != "around":
        raise ValueError(f"unknown weight mode {mode!r}; choose around, uniform, pool or space")
    if concentration <= 0:
        raise ValueError("the concentration must be above zero")
    # Criteria weighted 0 stay at 0; a tiny alpha would make the Dirichlet numerically unstable.
    alpha = concentration * center / center.sum()
    out = np.zeros((draws, center.size))
    live = alpha > 0
    out[:, live] = rng.dirichlet(alpha[live], size=draws)
    return out


@dataclass(frozen=True)
class MonteCarloResult:
    """Per-intervention probabilities from ``draws`` draws, with their standard errors.

    ``rank_probability``: rows interventions, columns ranks 1..n. ``central_weights``: mean
    weights over the draws where the intervention ranks first (NaN if it never does).
    """

    draws: int
    seed: int
    top_k: int
    rank_probability: pd.DataFrame
    top_k_probability: pd.Series
    central_weights: pd.DataFrame
    funded_probability: pd.Series | None

    @staticmethod
    def standard_error(probability: pd.Series, draws: int) -> pd.Series:
        """Monte Carlo standard error of an estimated probability: sqrt(p (1 - p) / draws)."""
        return (probability * (1 - probability) / draws) ** 0.5

    @property
    def max_standard_error(self) -> float:
        columns = [self.top_k_probability, self.rank_probability.iloc[:, 0]]
        if self.funded_probability is not None:
            columns.append(self.funded_probability)
        return float(max(self.standard_error(c, self.draws).max() for c in columns))


def simulate(
    values: pd.DataFrame,
    spread: pd.DataFrame,
    weights: pd.Series,
    draws: int,
    seed: int,
    top_k: int = 5,
    mode: WeightMode = "around",
    concentration: float = 50.0,
    pool: FloatArray | None = None,
    space: WeightSpace | None = None,
    funding: Callable[[FloatArray, npt.NDArray[np.float32]], npt.NDArray[np.bool_]] | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> MonteCarloResult:
    """Rank (and, with ``funding``, funding) probabilities over ``draws`` seeded draws.

    ``values`` and ``spread`` are interventions x criteria (0-100 values and their standard
    deviations). ``funding(weights_chunk, z_chunk)`` returns, for a chunk of draws, which
    interventions the optimum funds (draws x interventions); it receives the same weight draws
    and standard normals used for the ranks, so both analyses see the same draws. ``progress(done,
    total)`` is called in the caller's thread as each chunk of draws finishes; if it raises (a user
    stopping the analysis), chunks not yet started are cancelled and the exception propagates.
    """
    if draws < 1:
        raise ValueError("the number of draws must be at least 1")
    n, m = values.shape
    # float32 halves the memory traffic of the draws; 0-100 values need nothing finer.
    base = values.to_numpy(dtype=np.float32)
    sd = spread.reindex(index=values.index, columns=values.columns).to_numpy(dtype=np.float32)
    center = weights.reindex(values.columns).to_numpy(dtype=np.float64)
    ids = np.arange(n)
    sizes = [min(CHUNK_DRAWS, draws - start) for start in range(0, draws, CHUNK_DRAWS)]
    # One generator per chunk, spawned from the seed: the result does not depend on which
    # thread runs which chunk, so it is the same for the same seed every time.
    seeds = np.random.SeedSequence(seed).spawn(len(sizes))

    def run_chunk(
        size: int, chunk_seed: np.random.SeedSequence
    ) -> tuple[npt.NDArray[np.int64], FloatArray, npt.NDArray[np.int64]]:
        rng = np.random.default_rng(chunk_seed)
        w = sample_weights(center, size, rng, mode, concentration, pool, space)
        z = rng.standard_normal((size, n, m), dtype=np.float32)
        drawn = np.clip(base[None, :, :] + sd[None, :, :] * z, 0.0, 100.0)
        scores = (drawn @ w.astype(np.float32)[:, :, None])[:, :, 0]
        # Rank 1 = highest score. Exact ties have probability zero unless spreads are zero; the
        # sort then breaks them the same way every run, so results stay reproducible.
        order = np.argsort(-scores, axis=1)
        ranks = np.empty_like(order)
        ranks[np.arange(size)[:, None], order] = ids[None, :]
        counts = np.bincount((ids[None, :] * n + ranks).ravel(), minlength=n * n).reshape(n, n)
        first_sums = np.zeros((n, m))
        np.add.at(first_sums, order[:, 0], w)
        funded = funding(w, z).sum(axis=0) if funding is not None else np.zeros(n, dtype=np.int64)
        return counts, first_sums, funded

    # numpy releases the GIL while it draws, multiplies and sorts, so two threads use both cores.
    pool_of_threads = ThreadPoolExecutor(max_workers=THREADS)
    try:
        futures: dict[Future[tuple[npt.NDArray[np.int64], FloatArray, npt.NDArray[np.int64]]], int] = {
            pool_of_threads.submit(run_chunk, size, chunk_seed): k
            for k, (size, chunk_seed) in enumerate(zip(sizes, seeds, strict=True))
        }
        done: dict[int, tuple[npt.NDArray[np.int64], FloatArray, npt.NDArray[np.int64]]] = {}
        for future in as_completed(futures):
            done[futures[future]] = future.result()
            if progress is not None:
                progress(len(done), len(sizes))
    finally:
        pool_of_threads.shutdown(wait=True, cancel_futures=True)
    chunks = [done[k] for k in range(len(sizes))]
    rank_counts = sum((c[0] for c in chunks), np.zeros((n, n), dtype=np.int64))
    first_weight_sums = sum((c[1] for c in chunks), np.zeros((n, m)))
    funded_counts = sum((c[2] for c in chunks), np.zeros(n, dtype=np.int64))
    index = values.index
    rank_probability = pd.DataFrame(rank_counts / draws, index=index, columns=range(1, n + 1))
    firsts = rank_counts[:, 0]
    with np.errstate(invalid="ignore", divide="ignore"):
        central = first_weight_sums / firsts[:, None]
    return MonteCarloResult(
        draws=draws,
        seed=seed,
        top_k=top_k,
        rank_probability=rank_probability,
        top_k_probability=pd.Series(rank_counts[:, :top_k].sum(axis=1) / draws, index=index, name="top_k"),
        central_weights=pd.DataFrame(central, index=index, columns=values.columns),
        funded_probability=None if funding is None else pd.Series(funded_counts / draws, index=index, name="funded"),
    )
