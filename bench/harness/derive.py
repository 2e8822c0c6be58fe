"""What a point's numbers mean: the metrics derived from one client result and the server's
samples, and their median/min/max over repetitions."""
import statistics

from . import hdr

# name: (description, better) where better is "lower", "higher" or None (not judged).
METRICS = {
    "events_per_s": ("events delivered per second, all connections", "higher"),
    "delivery_ratio": ("delivered events over those published to the connections in the window", "higher"),
    "latency_p50_ms": ("delivery latency, median", "lower"),
    "latency_p90_ms": ("delivery latency, 90th percentile", "lower"),
    "latency_p99_ms": ("delivery latency, 99th percentile", "lower"),
    "latency_p999_ms": ("delivery latency, 99.9th percentile", "lower"),
    "latency_max_ms": ("delivery latency, maximum", "lower"),
    "latency_mean_ms": ("delivery latency, mean", "lower"),
    "connect_p50_ms": ("connect time, median", "lower"),
    "connect_p99_ms": ("connect time, 99th percentile", "lower"),
    "tcp_connect_p50_ms": ("of the connect time, TCP's handshake, median", "lower"),
    "tcp_connect_p99_ms": ("of the connect time, TCP's handshake, 99th percentile", "lower"),
    "tls_handshake_p50_ms": ("of the connect time, the TLS handshake after TCP's, median", "lower"),
    "tls_handshake_p99_ms": ("of the connect time, the TLS handshake after TCP's, 99th percentile", "lower"),
    "tls_resumed_ratio": ("TLS handshakes that resumed a session (reconnects with a ticket)", None),
    "server_cpu_us_per_connect": ("server CPU per connection made: what it spent before the window beyond its "
                                  "steady rate, over the connections (TCP accept, TLS handshake, HTTP)", "lower"),
    "server_cpu_us_per_event": ("server CPU time per delivered event", "lower"),
    "server_cpu_x_floor": ("server CPU per event as a multiple of pushbench-floor's on this machine", "lower"),
    "server_cpu_fraction": ("server CPU time over the window's wall time", None),
    "server_cpu_us_per_connection_s": ("server CPU per open connection per second", "lower"),
    "bytes_per_event": ("bytes on the wire per event, both directions", "lower"),
    "bytes_in_per_event": ("bytes server to client per event", "lower"),
    "bytes_out_per_event": ("bytes client to server per event", "lower"),
    "envelope_bytes_per_event": ("bytes per event of the event's JSON beyond its data: pushbench's envelope", "lower"),
    "framing_bytes_per_event": ("bytes per event beyond the event's JSON: the technique's framing, requests and "
                                "headers", "lower"),
    "requests_per_event": ("HTTP requests per event", "lower"),
    "protocol_messages_per_event": ("a peer protocol's own messages (Socket.IO's) per event, both ways", "lower"),
    "events_per_write": ("events the server delivered per system call that wrote them", None),
    "server_ceiling_events_per_s": ("deliveries/s the server could make with its core full: 1 s / its CPU per event",
                                    "higher"),
    "memory_per_connection_bytes": ("server RSS per open connection", "lower"),
    "server_peak_rss_bytes": ("server peak RSS (VmHWM)", "lower"),
    "errors": ("client errors of any kind", "lower"),
    "gaps": ("events missing from a connection's sequence", "lower"),
    "duplicates": ("events received twice", "lower"),
    "connections_established": ("connections that could receive events", "higher"),
    # Networks and faults (pushbench-relay, the [faults] table).
    "reconnects": ("connections made again after one was lost", None),
    "resume_p50_ms": ("from a lost connection to the first event after it, median", "lower"),
    "resume_p99_ms": ("from a lost connection to the first event after it, 99th percentile", "lower"),
    "resets": ("TCP resets the relay gave connections over the run", None),
    "server_restarts": ("times the server was killed and started again in the window", None),
    "events_lost": ("events published in the window (over the server's lives) to the connections and not "
                    "received: measured only when the server restarts", "lower"),
    "slow_consumers_dropped": ("subscribers the server cut off as too slow in the window", None),
    "stuck_connections": ("connections the relay stopped reading for a while (stuck readers)", None),
    "relay_cpu_us_per_event": ("the relay's CPU per delivered event: load-side cost, not the server's", None),
    "relay_lateness_p99_ms": ("how late the relay let held bytes go, 99th percentile: its own precision", "lower"),
    # Servers without a publisher of their own (a profile's [publish]): pushbench-publisher.
    "publisher_lateness_p99_ms": ("how late pushbench-publisher wrote events past their due time, 99th percentile: "
                                  "above a few ms, the publisher, not the server, limits the run", "lower"),
    "publisher_lost": ("events the publisher could not hand to the server: lost with a connection, or refused",
                       "lower"),
    # On a fleet's hosts ([hosts]): nodes over a backplane behind HAProxy.
    "balancer_cpu_us_per_event": ("HAProxy's CPU per delivered event (all its processes)", "lower"),
    "backplane_cpu_us_per_event": ("the backplane's CPU per delivered event: Redis and the publishing node", "lower"),
    "clock_offset_ms": ("the largest clock offset of a client host against the publishing host", None),
    "clock_uncertainty_ms": ("the largest uncertainty of a client host's clock offset (half the probe's round "
                             "trip, both hosts')", "lower"),
    "latency_reliable": ("1 when every client host's clock offset plus its uncertainty (the offsets are not "
                         "subtracted) is within 10 % of the latency's p50, else 0: the latency then says more "
                         "of the clocks than of the delivery", None),
    "publish_failed": ("events the publishing node could not publish into Redis in the window (counted, not "
                       "delivered: the delivery ratio does not see them)", "lower"),
    "recovery_ms": ("a killed node's subscribers: from the lost connection to the first event through another "
                    "node, the slowest one", "lower"),
    # The broadcast workload (run.send_rate): each sender's messages, back from the server.
    "round_trip_p50_ms": ("a sender's message to its return as an event, median", "lower"),
    "round_trip_p95_ms": ("a sender's message to its return as an event, 95th percentile", "lower"),
    "round_trip_p99_ms": ("a sender's message to its return as an event, 99th percentile", "lower"),
    "messages_sent": ("messages the senders published in the window", None),
    "requests_per_message": ("HTTP requests that carried each message up (0 over WebSocket)", "lower"),
    "upstream_bytes_per_message": ("bytes that carried each message up: frames, or POSTs with their heads", "lower"),
    "messages_lost": ("messages lost with a connection or refused by the server", "lower"),
}


def _per(amount, count):
    return amount / count if count and amount is not None else None


def _ms(summary, key):
    return summary[key] / 1e6 if summary and summary["count"] else None


def derive(point, client, server):
    """Metrics of one run of one point from the merged client result and the server samples."""
    events = client["events_received"]
    window = client["duration_s"] or None
    lat, con = client["latency_ns"], client["connect_ns"]
    # With no built-in publisher (the broadcast workload), what the server published in the window.
    published = server.get("server_published") if point["rate"] == 0 else None
    # Whole events: a window of 15.004 s at 10 events/s holds 150 of them, not 150.04.
    expected = (published if published is not None else round(point["rate"] * (window or 0))) * point["connections"]
    established = client["connections_established"]
    sampled = server.get("cpu_s") is not None  # a fixed-URL server is not ours to sample
    held = (server["rss_window_begin"] - server["rss_baseline"]) if sampled else None
    wire = client["bytes_in"] + client["bytes_out"]
    return {
        "events_per_s": _per(events, window),
        "delivery_ratio": _per(events, expected),
        "latency_p50_ms": _ms(lat, "p50"),
        "latency_p90_ms": _ms(lat, "p90"),
        "latency_p99_ms": _ms(lat, "p99"),
        "latency_p999_ms": _ms(lat, "p999"),
        "latency_max_ms": _ms(lat, "max"),
        "latency_mean_ms": _ms(lat, "mean"),
        "connect_p50_ms": _ms(con, "p50"),
        "connect_p99_ms": _ms(con, "p99"),
        "tcp_connect_p50_ms": _ms(client.get("tcp_connect_ns"), "p50"),
        "tcp_connect_p99_ms": _ms(client.get("tcp_connect_ns"), "p99"),
        "tls_handshake_p50_ms": _ms(client.get("tls_handshake_ns"), "p50"),
        "tls_handshake_p99_ms": _ms(client.get("tls_handshake_ns"), "p99"),
        "tls_resumed_ratio": _per(client.get("tls_resumed", 0), client.get("tls_handshakes", 0)),
        "server_cpu_us_per_connect": _per(_connect_cpu_s(server), established),
        "server_cpu_us_per_event": _per(server["cpu_s"] * 1e6, events) if sampled else None,
        "server_cpu_x_floor": (_per(server["cpu_s"] * 1e6, events) / point["floor_us_per_event"]
                               if sampled and events and point.get("floor_us_per_event") else None),
        "server_cpu_fraction": _per(server["cpu_s"], window) if sampled else None,
        "server_cpu_us_per_connection_s": _per(server["cpu_s"] * 1e6, established * (window or 0)) if sampled else None,
        "bytes_per_event": _per(wire, events),
        "bytes_in_per_event": _per(client["bytes_in"], events),
        "bytes_out_per_event": _per(client["bytes_out"], events),
        "envelope_bytes_per_event": _per(client.get("event_bytes", 0) - events * point["payload"], events)
        if client.get("event_bytes") else None,
        "framing_bytes_per_event": _per(wire - client.get("event_bytes", 0), events)
        if client.get("event_bytes") else None,
        "requests_per_event": _per(client["http_requests"], events),
        "protocol_messages_per_event": _per(client.get("protocol_messages", 0), events) or None,  # peer protocols
        "events_per_write": _per(server.get("server_delivered"), server.get("server_write_calls"))
        if server.get("server_write_calls") else None,
        "server_ceiling_events_per_s": _per(events, server["cpu_s"]) if sampled and server["cpu_s"] else None,
        "memory_per_connection_bytes": _per(held, established) if sampled else None,
        "server_peak_rss_bytes": server.get("rss_peak"),
        "errors": client["errors"],
        "gaps": client["gaps"],
        "duplicates": client["duplicates"],
        "connections_established": established,
        **_network_and_faults(point, client, server),
        **_broadcast(client),
        **_publisher(server.get("publisher")),
        **_cluster(client, server.get("cluster")),
    }


UNRELIABLE_SHARE = 0.10  # a clock error above this share of p50 makes cross-host latency unreliable


def _cluster(client, cluster):
    if not cluster:
        return dict.fromkeys(("balancer_cpu_us_per_event", "backplane_cpu_us_per_event", "clock_offset_ms",
                              "clock_uncertainty_ms", "latency_reliable", "publish_failed", "recovery_ms"))
    events = client["events_received"]
    cpu = {}
    for program in cluster["programs"]:
        cpu[program["role"]] = cpu.get(program["role"], 0.0) + program["cpu_s"]
    clocks = [host["clock"][when] for host in cluster["client_hosts"] for when in ("before", "after")]
    uncertainty = max(c["uncertainty_ms"] for c in clocks)
    # The latencies are not corrected for the offsets, so a latency may be off by offset and uncertainty.
    clock_error = max(abs(c["offset_ms"]) + c["uncertainty_ms"] for c in clocks)
    p50 = _ms(client["latency_ns"], "p50")
    return {"balancer_cpu_us_per_event": _per(cpu["balancer"] * 1e6, events),
            "backplane_cpu_us_per_event": _per((cpu["redis"] + cpu["publisher"]) * 1e6, events)
            if "redis" in cpu else None,
            "clock_offset_ms": max((c["offset_ms"] for c in clocks), key=abs),
            "clock_uncertainty_ms": uncertainty,
            "latency_reliable": int(p50 is not None and clock_error <= UNRELIABLE_SHARE * p50),
            "publish_failed": cluster.get("publish_failed"),
            "recovery_ms": _ms(client.get("resume_ns"), "max") if cluster["killed_node"] else None}


def _publisher(published):
    if not published:
        return {"publisher_lateness_p99_ms": None, "publisher_lost": None}
    return {"publisher_lateness_p99_ms": _ms(published["lateness_ns"], "p99"),
            "publisher_lost": published["lost"] + published["refused"]}


def _connect_cpu_s(server):
    """The server's CPU (µs) before the window beyond what its steady (window) rate accounts for:
    the cost of the connections made then. Never below zero; noisy when it is small beside the rest."""
    if server.get("cpu_before_window_s") is None or not server.get("window_s"):
        return None
    steady = server["cpu_s"] / server["window_s"]
    return max(0.0, server["cpu_before_window_s"] - steady * server["before_window_s"]) * 1e6


def _broadcast(client):
    sent = client.get("messages_sent", 0)
    histogram = client.get("round_trip_histogram")
    p95 = hdr.Histogram(histogram).value_at_percentile(95) / 1e6 if histogram and histogram["total"] else None
    return {
        "round_trip_p50_ms": _ms(client.get("round_trip_ns"), "p50"),
        "round_trip_p95_ms": p95,
        "round_trip_p99_ms": _ms(client.get("round_trip_ns"), "p99"),
        "messages_sent": sent if sent else None,
        "requests_per_message": _per(client["publish_requests"], sent) if sent else None,
        "upstream_bytes_per_message": _per(client["upstream_bytes"], sent) if sent else None,
        "messages_lost": client["messages_lost"] + client["messages_refused"] if sent else None,
    }


def _network_and_faults(point, client, server):
    relayed = server.get("relay") or {}
    restarted = server.get("server_restarts", 0) > 0
    published = server.get("server_published")
    return {
        "reconnects": client["reconnects"],
        "resume_p50_ms": _ms(client.get("resume_ns"), "p50"),
        "resume_p99_ms": _ms(client.get("resume_ns"), "p99"),
        "resets": relayed.get("resets"),
        "server_restarts": server.get("server_restarts"),
        "events_lost": max(0, published * point["connections"] - client["events_received"])
        if restarted and published is not None else None,
        "slow_consumers_dropped": server.get("server_slow_consumers_dropped"),
        "stuck_connections": relayed.get("stuck_connections"),
        "relay_cpu_us_per_event": _per(relayed["cpu_window_s"] * 1e6, client["events_received"])
        if relayed.get("cpu_window_s") is not None else None,
        "relay_lateness_p99_ms": relayed["lateness_p99_ns"] / 1e6 if relayed else None,
    }


def summarize(runs):
    """median, min and max of each metric over the runs that measured it."""
    out = {}
    for name in METRICS:
        values = [r["metrics"][name] for r in runs if r.get("metrics") and r["metrics"].get(name) is not None]
        if values:
            out[name] = {"median": statistics.median(values), "min": min(values), "max": max(values)}
    return out
