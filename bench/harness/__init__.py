"""pushbench harness: runs scenarios of pushbench-server and pushbench-client and keeps results."""
