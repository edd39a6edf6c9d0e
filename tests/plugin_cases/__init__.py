"""One purpose-built app per discovery and metadata case (none has models)."""
