"""A run's settings, checked before any work: the config values the schema lets through but that would
fail later (:mod:`.config_checks`), the cluster profile's promises (:mod:`.cluster`), and both with
the motif methods' names in one call (:mod:`.workflow_checks`, what ``workflow/rules/common.smk`` and
rule ``check_config`` call). It sits above the stages whose settings it checks.
"""
