"""What the monitor keeps about people, and for how long: retention (the daily job that deletes and reduces what is
past its period) and a person's data on request (the export, and erasure from evidence)."""
