"""Hypothesis strategies the tests share: criterion values, weights, money and the text people type."""

from __future__ import annotations

import pandas as pd
from hypothesis import strategies as st

from scoring import CRITERIA

# 0-100 values on the four criteria for 2-12 interventions, indexed i00, i01, ...
values_matrix = st.lists(st.tuples(*[st.floats(0, 100, allow_nan=False) for _ in CRITERIA]), min_size=2, max_size=12).map(
    lambda rows: pd.DataFrame(rows, columns=list(CRITERIA), index=[f"i{n:02d}" for n in range(len(rows))])
)
# Raw slider weights, not all zero.
weight_vectors = st.tuples(*[st.floats(0, 100, allow_nan=False) for _ in CRITERIA]).filter(lambda w: sum(w) > 1e-6)
# Pounds to the penny.
pounds = st.floats(0, 1e9, allow_nan=False).map(lambda x: round(x, 2))
# A name or note a person might type: any printable text, no surrounding spaces.
typed_text = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=60).filter(
    lambda s: s.strip() == s and s
)
# A one-line name: the same without invisible format characters (zero-width, direction marks), which names refuse.
typed_name = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc", "Cf")), min_size=1, max_size=60).filter(
    lambda s: s.strip() == s and s
)
