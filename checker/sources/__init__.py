"""Where work items come from: local git, the CI event, the forge APIs."""
