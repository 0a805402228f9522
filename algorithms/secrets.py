"""Parameters whose values are secrets (HTTP headers with tokens) are never written anywhere by QGIS.

Where QGIS writes parameter values, as of 3.40:

* the Processing dialog logs "Input parameters:" with each parameter's
  ``valueAsPythonString`` (the log is kept in the history entry);
* the history entry (Processing › History, ``processing-history.db`` in the
  profile) stores the algorithm's ``asPythonCommand``, ``asMap`` and
  ``asQgisProcessCommand``, which call each parameter's
  ``valueAsPythonString``, ``valueAsJsonObject`` and ``valueAsString``;
* the graphical modeler saves a parameter value typed into a step in the
  ``.model3`` file, as any model value (that is the user's own file);
* ``qgis_process run`` echoes the inputs it was given to the terminal that
  gave them (its own code, not the algorithm's: not changeable here).

QGIS 3.40 has no parameter flag that keeps a value out of the history
(``Qgis.ProcessingParameterFlag`` is Advanced, Hidden, Optional,
IsModelOutput), so ``SecretStringParameter`` overrides those four
conversions to give a placeholder, and the algorithm still receives the real
value. AUTH_CONFIG holds only the id of a QGIS authentication configuration
(its secrets stay in QGIS's encrypted database): it is kept as it is.
"""

from qgis.core import QgsProcessingParameterDefinition, QgsProcessingParameterString

HIDDEN = "<hidden>"


class SecretStringParameter(QgsProcessingParameterString):
    """A string parameter written everywhere as '<hidden>' (the algorithm gets the real value)."""

    def _secret(self, value) -> bool:
        return value is not None and str(value).strip() != "" and not str(value).startswith("NULL")

    def valueAsPythonString(self, value, context):  # noqa: N802
        return repr(HIDDEN) if self._secret(value) else super().valueAsPythonString(value, context)

    def valueAsJsonObject(self, value, context):  # noqa: N802
        return HIDDEN if self._secret(value) else super().valueAsJsonObject(value, context)

    def valueAsString(self, value, context):  # noqa: N802
        return (HIDDEN, True) if self._secret(value) else super().valueAsString(value, context)

    def valueAsStringList(self, value, context):  # noqa: N802
        return ([HIDDEN], True) if self._secret(value) else super().valueAsStringList(value, context)

    def clone(self):
        copy = SecretStringParameter(self.name(), self.description(), self.defaultValue(), self.multiLine(),
                                     bool(self.flags() & QgsProcessingParameterDefinition.Flag.FlagOptional))
        copy.setFlags(self.flags())
        copy.setHelp(self.help())
        copy.setMetadata(self.metadata())
        return copy
