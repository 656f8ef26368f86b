"""The app's version, recorded with every saved scenario and decision record."""

APP_VERSION = "0.1.0"
