"""Identity verification: levels, encrypted documents, the reviewers' queue."""
