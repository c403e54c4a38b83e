"""clew: follow every change back to the objective it serves."""

__version__ = "0.1.0"
