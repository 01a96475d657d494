"""Helpers for tests and benchmarks (as ``mmdet.testing`` is for mmdet)."""
from .zod_fixture import ZodFixtureObject, write_zod_fixture

__all__ = ['ZodFixtureObject', 'write_zod_fixture']
