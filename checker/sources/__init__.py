"""Record sources: one module per origin behind :class:`checker.sources.base.RecordSource`."""
