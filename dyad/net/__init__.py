"""What dyad sends and receives over the network: the guarded HTTP client, URL rules, robots.txt,
and the loopback servers that tests, `make run` and `make bench` read from."""
