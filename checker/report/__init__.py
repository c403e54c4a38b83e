"""The alignment report: collect merged work and open issues, trace them, compute
objective status, and render ALIGNMENT.md and alignment.json (pure), then
commit both back (checker.forges)."""
