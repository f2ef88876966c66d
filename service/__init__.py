"""The service as a whole: what the API, the worker and the command line share — settings,
the composition root that builds the long-lived services, the unit of work, the event
envelope and the process management. Nothing here imports the HTTP framework."""
