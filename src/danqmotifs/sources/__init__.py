"""Data sources: each turns its input into the layout of ``danqmotifs.datafile``."""
