"""TLS on every endpoint (--tls self-signed, --tls-cert/--tls-key): independent peers (curl, Python's
ssl and websockets) receive events over https and wss on both backends; plain HTTP, a stalled
handshake and garbage are closed and counted while others are served; the limits, the shutdown
and pushbench-client's TLS (verification, versions, resumption) behave over it."""
import asyncio
import json
import signal
import socket
import subprocess
from pathlib import Path

import pytest
import websockets

from server_process import BUILD, SERVER_BIN, served_on, unverified_tls, wait_until

CLIENT_BIN = BUILD / "bin" / "pushbench-client"
HTTP_TECHNIQUES = {"sse": "/sse?since=0", "long-poll": "/long-poll?since=0", "short-poll": "/poll?since=0"}


@pytest.fixture(params=["beast", "httplib"])
def backend(request):
    return request.param


def curl(url, *flags):
    done = subprocess.run(["curl", "-sS", "--insecure", *flags, url], capture_output=True, text=True, timeout=20)
    return done.stdout


def run_client(*args):
    done = subprocess.run([str(CLIENT_BIN), *args, "--out", "-"], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def raw_connection(server):
    return socket.create_connection((server.host, server.port), timeout=10)


def closed_by_server(sock, within=5.0):
    """True when the server closes `sock` (EOF or reset) within `within` seconds; alerts are read and skipped."""
    sock.settimeout(within)
    try:
        while sock.recv(4096):
            pass
        return True
    except ConnectionResetError:
        return True
    except socket.timeout:
        return False


@pytest.mark.parametrize("backend", ["beast"], indirect=True)  # once is enough: the TLS setup is shared
def test_ready_line_says_https(start_server):
    server = start_server("--technique", "all", "--tls", "self-signed")
    assert server.url.startswith("https://127.0.0.1:")
    assert server.stats()["tls"] is True


@pytest.mark.parametrize("technique", sorted(HTTP_TECHNIQUES))
def test_curl_receives_over_https(start_server, backend, technique):
    server = start_server("--technique", "all", "--tls", "self-signed")
    seq = server.publish("over-tls")
    body = curl(server.url + HTTP_TECHNIQUES[technique], "--max-time", "1" if technique == "sse" else "10")
    assert '"data":"over-tls"' in body and f'"seq":{seq}' in body
    stats = server.stats()
    assert stats["tls_handshakes"] >= 2 and stats["tls_handshake_failures"] == 0


@pytest.mark.parametrize("backend", ["beast"], indirect=True)  # WebSocket is served on Beast only
def test_websockets_receives_over_wss(start_server):
    server = start_server("--technique", "all", "--tls", "self-signed")
    server.publish("first")

    async def talk():
        async with websockets.connect(server.ws_url + "/ws?since=0", ssl=unverified_tls()) as ws:
            assert json.loads(await ws.recv())["data"] == "first"
            await ws.send("from-the-client")  # published to every subscriber, this one too
            assert json.loads(await asyncio.wait_for(ws.recv(), 5))["data"] == "from-the-client"
            await asyncio.wait_for(await ws.ping(), 5)

    asyncio.run(talk())


def test_plain_http_to_the_tls_port_is_closed_and_counted(start_server, backend):
    server = start_server("--technique", "all", "--tls", "self-signed")
    with raw_connection(server) as plain:
        plain.sendall(b"GET /stats HTTP/1.1\r\nHost: x\r\n\r\n")
        assert closed_by_server(plain)
    assert '"events"' in curl(server.url + "/poll?since=0")  # others are served
    if backend == "beast":  # cpp-httplib drops a failed handshake without telling
        assert server.stats()["tls_handshake_failures"] == 1


@pytest.mark.parametrize("backend", ["beast"], indirect=True)  # once is enough: the TLS setup is shared
def test_garbage_client_hello_is_closed_and_counted(start_server):
    server = start_server("--technique", "all", "--tls", "self-signed")
    with raw_connection(server) as garbage:
        # A handshake record whose body is no ClientHello.
        garbage.sendall(b"\x16\x03\x01\x00\x20" + bytes(range(32)))
        assert closed_by_server(garbage)
    assert '"events"' in curl(server.url + "/poll?since=0")
    assert server.stats()["tls_handshake_failures"] == 1


@pytest.mark.parametrize("backend", ["beast"], indirect=True)  # once is enough: the TLS setup is shared
def test_stalled_handshake_times_out_while_others_are_served(start_server):
    server = start_server("--technique", "all", "--tls", "self-signed", "--tls-handshake-timeout", "500ms")
    with raw_connection(server) as stalled, raw_connection(server) as half:
        half.sendall(b"\x16\x03\x01\x02\x00\x01")  # a ClientHello's first bytes, and no more
        assert '"events"' in curl(server.url + "/poll?since=0")
        assert closed_by_server(stalled) and closed_by_server(half)
    assert wait_until(lambda: server.stats()["tls_handshake_failures"] == 2)
    assert server.stats()["connections"] == 1  # only the /stats request itself


@pytest.mark.parametrize("backend", ["beast"], indirect=True)  # once is enough: the TLS setup is shared
def test_limits_hold_over_tls(start_server):
    server = start_server("--technique", "all", "--tls", "self-signed", "--max-connections", "2",
                          "--max-header-bytes", "1KiB")
    status, _, _ = server.request("GET", "/poll?since=0", headers={"X-Big": "x" * 2048})
    assert status == 431
    holders = [server.connection() for _ in range(2)]
    for holder in holders:
        holder.connect()
    refused = server.connection()
    refused.request("GET", "/stats")
    assert refused.getresponse().status == 503
    for holder in holders:
        holder.close()


@pytest.mark.parametrize("backend", ["beast"], indirect=True)  # WebSocket is served on Beast only
def test_shutdown_closes_wss_with_1001(start_server):
    server = start_server("--technique", "websocket", "--tls", "self-signed")

    async def watch():
        async with websockets.connect(server.ws_url + "/ws", ssl=unverified_tls()) as ws:
            server.proc.send_signal(signal.SIGTERM)
            with pytest.raises(websockets.ConnectionClosed) as closed:
                await asyncio.wait_for(ws.recv(), 5)
            return closed.value.rcvd.code

    assert asyncio.run(watch()) == 1001


@pytest.mark.parametrize("technique", ["sse", "websocket", "long-poll", "short-poll", "http-stream"])
def test_client_over_https_gets_every_event(start_server, backend, technique):
    if not served_on(technique, backend):
        pytest.skip(f"{technique} is not served on {backend}")
    server = start_server("--technique", technique, "--tls", "self-signed", "--rate", "20")
    result = run_client("--technique", technique, "--url", server.url, "--tls-verify", "off", "--connections", "50",
                        "--duration", "2s", "--warmup", "500ms", "--poll-interval", "100ms",
                        "--timeout", "1s")  # shorter than the run: no connect-time timer may outlive the connect
    assert result["errors"] == 0 and result["gaps"] == 0 and result["duplicates"] == 0
    assert result["events_per_connection"]["min"] >= 30
    assert result["tls_handshakes"] == 50 and result["tls_version"] == "TLSv1.3"
    assert result["tls_handshake_ns"]["count"] == 50 and result["tcp_connect_ns"]["count"] == 50
    assert server.stats()["tls_handshakes"] == 50 + 1  # and this /stats request's


@pytest.mark.parametrize("backend", ["beast"], indirect=True)  # once is enough: the TLS setup is shared
@pytest.mark.parametrize("resumption", ["on", "off"])
def test_client_resumes_sessions_on_reconnect(start_server, resumption):
    # The server closes each idle keep-alive connection before the next poll, so every poll reconnects.
    server = start_server("--technique", "short-poll", "--tls", "self-signed", "--rate", "10", "--idle-timeout",
                          "200ms")
    result = run_client("--technique", "short-poll", "--url", server.url, "--tls-verify", "off", "--connections", "4",
                        "--duration", "3s", "--poll-interval", "500ms", "--reconnect-delay", "0ms", "--tls-resumption",
                        resumption)
    assert result["reconnects"] >= 8
    assert result["tls_handshakes"] >= 12
    if resumption == "on":
        assert result["tls_resumed"] >= result["tls_handshakes"] - 4 - 1  # all but the first, give or take one
        assert server.stats()["tls_resumed"] >= result["tls_resumed"]
    else:
        assert result["tls_resumed"] == 0


@pytest.mark.parametrize("backend", ["beast"], indirect=True)  # once is enough: the TLS setup is shared
def test_server_resumption_off_makes_every_handshake_full(start_server):
    server = start_server("--technique", "short-poll", "--tls", "self-signed", "--tls-resumption", "off",
                          "--idle-timeout", "200ms")
    result = run_client("--technique", "short-poll", "--url", server.url, "--tls-verify", "off", "--connections", "2",
                        "--duration", "2s", "--poll-interval", "500ms", "--reconnect-delay", "0ms")
    assert result["tls_handshakes"] >= 4 and result["tls_resumed"] == 0


@pytest.fixture(scope="module")
def certificate(tmp_path_factory):
    """A certificate for 127.0.0.1 and its key, made for this test (nothing is committed)."""
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                    "-keyout", str(key), "-out", str(cert), "-days", "1", "-subj", "/CN=pushbench test",
                    "-addext", "subjectAltName=IP:127.0.0.1"], check=True, capture_output=True)
    return cert, key


@pytest.mark.parametrize("backend", ["beast"], indirect=True)  # once is enough: the TLS setup is shared
def test_certificate_files_and_verification(start_server, certificate):
    cert, key = certificate
    server = start_server("--technique", "sse", "--tls-cert", str(cert), "--tls-key", str(key), "--rate", "20")
    checked = run_client("--technique", "sse", "--url", server.url, "--tls-verify", str(cert), "--duration", "1s")
    assert checked["errors"] == 0 and checked["events_received"] > 0
    # The system's CAs do not know this certificate: the handshake fails, no event arrives.
    refused = run_client("--technique", "sse", "--url", server.url, "--duration", "1s")
    assert refused["events_received"] == 0 and refused["errors_by_kind"]["protocol"] >= 1
    assert refused["tls_handshakes"] == 0


@pytest.mark.parametrize("backend", ["beast"], indirect=True)  # once is enough: the TLS setup is shared
def test_tls_versions(start_server):
    server = start_server("--technique", "sse", "--tls", "self-signed", "--rate", "20")
    old = run_client("--technique", "sse", "--url", server.url, "--tls-verify", "off", "--tls-max-version", "1.2",
                     "--duration", "1s")
    assert old["tls_version"] == "TLSv1.2" and old["events_received"] > 0
    strict = start_server("--technique", "sse", "--tls", "self-signed", "--tls-min-version", "1.3")
    refused = run_client("--technique", "sse", "--url", strict.url, "--tls-verify", "off", "--tls-max-version", "1.2",
                         "--duration", "1s")
    assert refused["tls_handshakes"] == 0 and refused["errors_by_kind"]["protocol"] >= 1


@pytest.mark.parametrize("flags, code, message", [
    (["--tls-cert", "/nonexistent.pem"], 2, "--tls-cert and --tls-key"),
    (["--tls", "self-signed", "--tls-cert", "a", "--tls-key", "b"], 2, "--tls self-signed"),
    (["--tls", "snakeoil"], 2, "--tls"),
    (["--tls-min-version", "1.1"], 2, "--tls-min-version"),
    (["--tls-cert", "/nonexistent.pem", "--tls-key", "/nonexistent.pem"], 1, "--tls-cert /nonexistent.pem"),
])
def test_bad_tls_flags_name_the_problem(flags, code, message):
    done = subprocess.run([str(SERVER_BIN), "--technique", "sse", "--port", "0", *flags], capture_output=True,
                          text=True, timeout=10)
    assert done.returncode == code and message in done.stderr, done.stderr


def test_client_rejects_an_unreadable_ca_file():
    done = subprocess.run([str(CLIENT_BIN), "--technique", "sse", "--url", "https://127.0.0.1:1", "--tls-verify",
                           "/nonexistent-ca.pem"], capture_output=True, text=True, timeout=10)
    assert done.returncode == 2 and "--tls-verify" in done.stderr


@pytest.mark.parametrize("backend", ["beast", "httplib"], indirect=True)
def test_server_ignores_sigpipe(start_server):
    # OpenSSL writes with write(), not send(MSG_NOSIGNAL): a second write to a connection its client
    # has reset raises SIGPIPE, which ended the server mid-run (seen at 1,000 long polls over TLS).
    server = start_server("--technique", "all", "--tls", "self-signed")
    status = Path(f"/proc/{server.proc.pid}/status").read_text()
    ignored = int(next(line for line in status.splitlines() if line.startswith("SigIgn:")).split()[1], 16)
    assert ignored & (1 << (signal.SIGPIPE - 1))
