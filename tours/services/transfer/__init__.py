"""Moving tours in and out: import from PostHog's REST API or an export file, export to a file.

- `run.tours_import`: the import both `import_posthog` and `import_tours` run;
- `sources`: where tours come from (`PostHogSource` over `posthog_client`, `FileSource`);
- `matching`: pure functions mapping a source tour to API input and source ids to local ones;
- `flags`, `tour_import`: the writes, through the flag and tour services;
- `export.tours_export`: the file `export_tours` writes.
"""
