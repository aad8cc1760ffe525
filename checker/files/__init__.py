"""Reading user files safely: size limits, strict UTF-8, safe YAML and JSON with positions,
schema errors as file:line:column, timestamps in every spelling the sources use."""
