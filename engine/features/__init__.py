"""What people, the API and the worker do: one module per feature (cases, inbox, plans, monitor,
designer, deploy, migration, ...). Each public function is one transaction; features build on
the runtime and the kernel, and may call one another's public functions.
"""
