"""Rolling productions (issue 8): match re-released records (match), diff versions (diff),
consistency findings (consistency), page accounting (accounting), CLI (cli). No Qt."""
