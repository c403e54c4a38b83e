"""One module per subcommand: plain functions from options to an exit code."""
