"""Every write to the domain: ``<entity>_<action>(*, actor, ...)`` functions, one transaction each."""
