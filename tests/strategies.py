"""Hypothesis strategies the tests share: criterion values, weights, money and the text people type."""

from __future__ import annotations

import unicodedata

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
# A one-line name: letters, digits, punctuation, symbols and spaces (names refuse invisible and
# control characters, and need something visible), no surrounding spaces.
typed_name = st.text(alphabet=st.characters(categories=("L", "M", "N", "P", "S", "Zs")), min_size=1, max_size=60).filter(
    lambda s: s.strip() == s and any(unicodedata.category(c)[0] in "LN" and c not in "\u115f\u1160\u3164\uffa0" for c in s)
)
