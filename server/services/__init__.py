"""Use cases: each takes a session and its collaborators; imports no Flask."""
