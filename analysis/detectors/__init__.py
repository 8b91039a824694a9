"""Detectors: one file each, registered by `kind` in `base.DETECTORS`."""
