"""The kernel: database, ORM models and schema migrations, clock, errors, settings, and the
SpiffWorkflow adapter. It knows nothing of cases being run or of features; it may use
``handlers`` (settings for the handlers) and nothing else of the project.
"""
