"""The four criteria and the two normalisations, named once.

Kept apart from the arithmetic (no numpy or pandas here) so the command line can name them in its
options without loading the maths.
"""

from __future__ import annotations

from typing import Literal

CRITERIA: tuple[str, ...] = ("impact", "reach", "cost", "risk")

Normalisation = Literal["value_functions", "minmax"]
NORMALISATIONS: dict[str, str] = {
    "value_functions": "0-100 values from the catalogue's value functions, used as they are",
    "minmax": "each criterion rescaled so the lowest of the interventions shown scores 0 "
    "and the highest 100 across the catalogue (rankings then depend on which interventions are in it)",
}

# The longest plan, in years (``scoring.plan``); named here so the command line can say it without the maths.
MAX_YEARS = 5
