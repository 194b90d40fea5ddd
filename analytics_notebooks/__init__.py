"""Report notebooks for planners and the tested Python they call.

Three Papermill-parameterized notebooks (``visitor_report``, ``preservation_report``,
``heritage_impact``) read the Lantern database through SQL, aggregate in it, and show tables
and figures in English or Chinese. :mod:`analytics_notebooks.runner` validates parameters and
runs a notebook to an offline HTML report in a child process under a wall-clock limit;
``python -m analytics_notebooks`` is its command line (docs/reports.md).

This package reads the database by its tables and imports no server code; it uses ``geo``
for the impact check and its map.
"""
