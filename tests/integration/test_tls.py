"""TLS on every endpoint (--tls self-signed, --tls-cert/--tls-key): independent peers (curl, Python's
ssl and websockets) receive events over https and wss on both backends; plain HTTP, a stalled
handshake and garbage are closed and counted while others are served; the limits, the shutdown
and pushbench-client's TLS (verification, versions, resumption) behave over it."""
import asyncio
import json
import os
import signal
import socket
import ssl
import subprocess
import time
from pathlib import Path

import pytest
import websockets

from server_process import BUILD, SANITIZED, SERVER_BIN, served_on, unverified_tls, wait_until

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


def cpu_seconds(pid):
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


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
    assert wait_until(lambda: server.stats()["tls_handshake_failures"] == 1)


def test_garbage_client_hello_is_closed_and_counted(start_server):
    server = start_server("--technique", "all", "--tls", "self-signed")
    with raw_connection(server) as garbage:
        # A handshake record whose body is no ClientHello, the first half of it held back a while.
        garbage.sendall(b"\x16\x03\x01\x00\x20" + bytes(range(16)))
        assert '"events"' in curl(server.url + "/poll?since=0")  # others are served meanwhile
        garbage.sendall(bytes(range(16, 32)))
        assert closed_by_server(garbage)
    assert wait_until(lambda: server.stats()["tls_handshake_failures"] == 1)


def test_stalled_handshake_times_out_while_others_are_served(start_server):
    # cpp-httplib bounds a handshake with its read timeout (--idle-timeout, at least 1 s).
    server = start_server("--technique", "all", "--tls", "self-signed", "--tls-handshake-timeout", "500ms",
                          "--idle-timeout", "1s")
    with raw_connection(server) as stalled, raw_connection(server) as half:
        half.sendall(b"\x16\x03\x01\x02\x00\x01")  # a ClientHello's first bytes, and no more
        assert '"events"' in curl(server.url + "/poll?since=0")
        assert closed_by_server(stalled) and closed_by_server(half)
    assert wait_until(lambda: server.stats()["tls_handshake_failures"] == 2)


@pytest.mark.parametrize("backend", ["beast"], indirect=True)  # the event loop: one thread for every connection
def test_a_partial_record_does_not_spin_the_server(start_server):
    # After the handshake, 3 bytes of a record header and no more: the server must wait for the
    # rest, not poll OpenSSL in a loop (which held its only thread, and all other connections).
    server = start_server("--technique", "all", "--tls", "self-signed")
    with raw_connection(server) as sock:
        tls = unverified_tls().wrap_bio(incoming := ssl.MemoryBIO(), outgoing := ssl.MemoryBIO())
        while True:
            try:
                tls.do_handshake()
                break
            except ssl.SSLWantReadError:
                sock.sendall(outgoing.read())
                incoming.write(sock.recv(65536))
        tls.write(b"GET /sse HTTP/1.1\r\nHost: x\r\n\r\n")
        sock.sendall(outgoing.read() + b"\x17\x03\x03")
        time.sleep(0.3)
        before = cpu_seconds(server.proc.pid)
        time.sleep(1)
        assert cpu_seconds(server.proc.pid) - before < 0.3
        assert '"events"' in curl(server.url + "/poll?since=0")


@pytest.mark.parametrize("backend", ["beast"], indirect=True)  # pushbench's own reads over TLS
def test_a_large_body_over_tls(start_server):
    # Read through OpenSSL 1 KiB at a time: each read completes later, never inside the one before.
    server = start_server("--technique", "all", "--tls", "self-signed", "--max-body-bytes", "16MiB")
    status, _, body = server.request("POST", "/publish", body=b"x" * (8 << 20))
    assert status == 200 and b'"seq"' in body


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
    if SANITIZED and backend == "httplib":
        # Debian's cpp-httplib is not instrumented: ThreadSanitizer sees the memcpy and memcmp it
        # calls on its TLS path but not what orders them, and halts the server on a race it reports
        # inside the library (a 64-byte block it allocates, under long polling).
        pytest.skip("cpp-httplib's TLS path under ThreadSanitizer: uninstrumented library")
    server = start_server("--technique", technique, "--tls", "self-signed", "--rate", "20")
    result = run_client("--technique", technique, "--url", server.url, "--tls-verify", "off", "--connections", "50",
                        "--duration", "2s", "--warmup", "500ms", "--poll-interval", "100ms",
                        "--timeout", "1s")  # shorter than the run: no connect-time timer may outlive the connect
    assert result["errors"] == 0 and result["gaps"] == 0 and result["duplicates"] == 0
    assert result["events_per_connection"]["min"] >= 30
    assert result["tls_handshakes"] == 50 and result["tls_version"] == "TLSv1.3"
    assert result["tls_cipher"].startswith("TLS_AES_") and result["tls_ciphers"] == {result["tls_cipher"]: 50}
    assert result["tls_handshake_ns"]["count"] == 50 and result["tcp_connect_ns"]["count"] == 50
    assert server.stats()["tls_handshakes"] == 50 + 1  # and this /stats request's


def polls_on_new_connections(server, *flags):
    """Short polls without keep-alive: every poll opens a connection and shakes hands."""
    return run_client("--technique", "short-poll", "--url", server.url, "--tls-verify", "off", "--connections", "4",
                      "--duration", "2s", "--poll-interval", "200ms", "--keep-alive", "off", *flags)


@pytest.mark.parametrize("backend", ["beast"], indirect=True)  # once is enough: the TLS setup is shared
@pytest.mark.parametrize("resumption", ["on", "off"])
def test_client_resumes_sessions_on_reconnect(start_server, resumption):
    server = start_server("--technique", "short-poll", "--tls", "self-signed", "--rate", "10")
    result = polls_on_new_connections(server, "--tls-resumption", resumption)
    assert result["errors"] == 0 and result["tls_handshakes"] >= 20
    if resumption == "on":
        assert result["tls_resumed"] >= result["tls_handshakes"] - 4 - 1  # all but each first, give or take one
        assert server.stats()["tls_resumed"] >= result["tls_resumed"]
    else:
        assert result["tls_resumed"] == 0


@pytest.mark.parametrize("backend", ["beast"], indirect=True)  # once is enough: the TLS setup is shared
def test_a_session_resumes_after_the_server_closed_without_close_notify(start_server):
    # The server drops each idle keep-alive connection (200 ms) before the next poll (500 ms), with
    # no close_notify: OpenSSL then spoils the client's copy of that session, so it offers a copy.
    server = start_server("--technique", "short-poll", "--tls", "self-signed", "--rate", "10", "--idle-timeout",
                          "200ms")
    result = run_client("--technique", "short-poll", "--url", server.url, "--tls-verify", "off", "--connections", "4",
                        "--duration", "3s", "--poll-interval", "500ms", "--reconnect-delay", "0ms")
    assert result["reconnects"] >= 8 and result["tls_handshakes"] >= 12
    assert result["tls_resumed"] >= result["tls_handshakes"] - 4 - 1


@pytest.mark.parametrize("backend", ["beast"], indirect=True)  # once is enough: the TLS setup is shared
def test_server_resumption_off_makes_every_handshake_full(start_server):
    server = start_server("--technique", "short-poll", "--tls", "self-signed", "--tls-resumption", "off")
    result = polls_on_new_connections(server)
    assert result["tls_handshakes"] >= 20 and result["tls_resumed"] == 0


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
