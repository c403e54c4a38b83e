"""The places clew talks to, one folder each: local git (forges/local), GitHub (forges/github),
GitLab (forges/gitlab); Jira, key-result sources and the warehouse beside them; surfaces.py, the
registry of places. Each returns the forge-neutral shapes (checker.work, checker.report.history)
through the seams checker.app defines: nothing downstream knows which place data came from."""
