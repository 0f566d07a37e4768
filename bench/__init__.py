"""`make bench`: load benchmarks against a real gunicorn server (see bench/run.sh and README, "Performance")."""
