"""Interventions matrix: the catalogue, the decision built on it, what is kept, and the command line.

Subpackages: `matrix.catalogue` (the data file), `matrix.decision` (scenarios, analysis, exports),
`matrix.persistence` (store and decision records); `matrix.cli` is the command line.
"""
