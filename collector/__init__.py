"""The kikimimi daemon: settings, store, sources, pipeline, delivery, scheduler and CLI."""
