"""PostHog's activity log: an append-only record of who changed what, written with the change.

Import from the submodules (`services`, `changes`, ...): this package is loaded while
`accounts.models` is still being imported, so it re-exports nothing.
"""
