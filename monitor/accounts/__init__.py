"""Staff accounts: who may sign in to the incident queue, in which role."""
