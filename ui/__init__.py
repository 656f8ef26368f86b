"""The Streamlit layer: page sections and pure chart builders. Only composes; no maths here."""
