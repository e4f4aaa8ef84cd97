"""Helpers for the tests and benchmarks only: writers of input files in foreign layouts, one-call
writers of small data files, shortcuts into Keras models. Not part of the ``danqmotifs`` package.

Tests import them as ``from helpers.data import write_split`` (pytest puts ``tests/`` on
``sys.path``); benchmarks add ``tests/`` to ``sys.path`` first.
"""
