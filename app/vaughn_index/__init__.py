"""The agency's Vaughn index: reading it (columns, parse, ranges), importing it in versions
(imports), reconciling it with the production (reconcile, rules, boilerplate), its findings and
challenges (findings), the command line (cli) and an index maker with an answer key (sample)."""
