"""Every write to the domain: ``<entity>_<action>(*, actor, ...)``, one transaction each."""
