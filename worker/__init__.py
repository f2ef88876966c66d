"""The worker process: numbers events for the feed, delivers webhooks, runs due jobs."""
