"""Exceptions the engine raises on purpose.

``UserError`` carries a message written for the person running the
algorithm: what is wrong and what to change. Algorithms turn it into a
``QgsProcessingException`` unchanged.
"""


class UserError(Exception):
    """Bad input or an unusable catalog: the message says what to change."""


class Canceled(Exception):
    """The user canceled the run."""
