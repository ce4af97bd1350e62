"""The foundation: config, errors, git plumbing, the Report model. Depends on nothing above."""
