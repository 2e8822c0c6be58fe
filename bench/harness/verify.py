"""`pushbench verify`: does a server speak the SPEC for a technique? Each check sends real
requests and says what it expected and what it saw. The harness runs the checks before it
measures a server and refuses one that fails them."""
import json
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from . import techniques, wire

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class Check:
    name: str
    ok: bool
    detail: str = ""
    skipped: bool = False  # does not apply to this server (its profile says why, in detail)


class Failed(Exception):
    pass


def expect(condition, detail):
    if not condition:
        raise Failed(detail)


def is_event(e):
    return (isinstance(e, dict) and isinstance(e.get("seq"), int) and isinstance(e.get("ts"), int)
            and isinstance(e.get("data"), str) and e["ts"] > 1_000_000_000 * 10**9)


class Verifier:
    def __init__(self, url, technique, server=None, publish_url=None):
        """`server`: a server profile (scenario.SERVER_SCHEMA), for a server that is not ours: how to
        publish to it (at `publish_url`, when that is not `url`), and which checks do not apply to it
        and why."""
        self.url, self.technique, self.path = url, technique, techniques.path(technique)
        self.server, self.publish_url = server or {}, publish_url or url
        # seq of the events this verifier publishes through a profile's publish: rising from one
        # verify to the next against the same server (µs since the epoch)
        self.published = time.time_ns() // 1000
        self.results = []

    def check(self, name, function):
        if name in self.server.get("verify_skips", {}):
            self.results.append(Check(name, True, self.server["verify_skips"][name], skipped=True))
            return
        try:
            function()
            self.results.append(Check(name, True))
        except Failed as failure:
            self.results.append(Check(name, False, str(failure)))
        except (OSError, ValueError, KeyError, TypeError, json.JSONDecodeError) as error:
            self.results.append(Check(name, False, f"{type(error).__name__}: {error}"))

    def publish(self, data):
        if "publish" in self.server:
            return self.publish_as_profile(data)
        status, _, body = wire.request(self.url, "POST", "/publish", data.encode())
        expect(status == 200, f"POST /publish answered {status}")
        seq = json.loads(body).get("seq")
        expect(isinstance(seq, int) and seq >= 1, f"POST /publish answered {body[:80]!r}, not {{\"seq\":N}}")
        return seq

    def publish_as_profile(self, data):
        """As pushbench-publisher does: the SPEC event, with this verifier's seq, in the profile's body."""
        publish = self.server["publish"]
        self.published += 1
        event = json.dumps({"seq": self.published, "ts": time.time_ns(), "data": data}, separators=(",", ":"))
        body = event
        if "template" in publish:
            text = Path(publish["template"].format(root=ROOT)).read_text()
            for name, value in (("$event_string", json.dumps(event)), ("$event", event),
                                ("$prev_seq", str(self.published - 1)), ("$seq", str(self.published))):
                text = text.replace(name, value)
            body = text
        status, _, _ = wire.request(self.publish_url, "POST", publish["path"], body.encode(),
                                    {"Content-Type": publish.get("content_type", "application/json")})
        expect(200 <= status < 300, f"POST {publish['path']} answered {status}")
        return self.published

    # Checks every technique's server must pass.
    def common(self):
        def healthz():
            status, _, body = wire.request(self.url, "GET", "/healthz")
            expect(status == 200 and body == b"ok", f"GET /healthz: {status} {body[:40]!r}, expected 200 ok")

        def stats():
            status, body = wire.get_json(self.url, "/stats")
            expect(status == 200, f"GET /stats: {status}")
            missing = [k for k in ("connections", "published", "delivered", "bytes_out")
                       if not isinstance(body.get(k), int)]
            expect(not missing, f"/stats lacks {', '.join(missing)}")

        def publish():
            first, second = self.publish("verify one"), self.publish("verify two")
            expect(second > first, f"seq did not rise: {first} then {second}")

        def unknown_path():
            status, _, _ = wire.request(self.url, "GET", "/pushbench-verify-no-such-path")
            expect(status == 404, f"an unknown path answered {status}, expected 404")

        def malformed_since():
            status, _, body = wire.request(self.url, "GET", self.path + "?since=abc")
            if status == 426:  # an endpoint that needs an upgrade: ask with one
                sock, status, _ = wire.ws_open(self.url, self.path + "?since=abc")
                sock.close()
                expect(status == 400, f"an upgrade with since=abc answered {status}, expected 400")
                return
            expect(status == 400, f"since=abc answered {status}, expected 400")
            expect("error" in json.loads(body), f"the 400 body {body[:80]!r} has no \"error\"")

        self.check("GET /healthz is 200 ok", healthz)
        self.check("GET /stats has the counters", stats)
        self.check("POST /publish returns rising seq", publish)
        self.check("an unknown path is 404", unknown_path)
        self.check("a malformed since is 400 {\"error\"}", malformed_since)

    def check_short_poll(self):
        self.poll_answers(self.path)

    def poll_answers(self, path):
        def format_and_cursor():
            seq = self.publish("verify poll")
            status, body = wire.get_json(self.url, f"{path}?since={seq - 1}&timeout_ms=1000")
            expect(status == 200, f"{path}: {status}")
            events = body.get("events")
            expect(isinstance(events, list) and events and all(is_event(e) for e in events),
                   f"{path} answered {json.dumps(body)[:120]}, not events of seq, ts (ns), data")
            expect(events[0]["seq"] == seq and events[0]["data"] == "verify poll",
                   f"since={seq - 1} gave seq {events[0]['seq']} ({events[0]['data']!r}), expected {seq}")
            seqs = [e["seq"] for e in events]
            expect(seqs == sorted(set(seqs)), f"events out of order: {seqs}")
            expect(body.get("next") == seqs[-1], f"next is {body.get('next')}, expected {seqs[-1]}")

        self.check(f"{path}?since=N returns the events after N, and next", format_and_cursor)

    def check_long_poll(self):
        self.poll_answers(self.path)

        def waits_then_answers():
            _, body = wire.get_json(self.url, f"{self.path}?timeout_ms=0")
            since = body["next"]
            answer = {}
            worker = threading.Thread(target=lambda: answer.update(
                result=wire.get_json(self.url, f"{self.path}?since={since}&timeout_ms=10000", timeout=15)))
            worker.start()
            time.sleep(0.3)
            seq = self.publish("verify wake")
            worker.join(15)
            expect("result" in answer, "the long poll did not answer after a publish")
            body = answer["result"][1]
            expect(body["events"] and body["events"][0]["seq"] > since, f"the held poll answered {body}")
            # A server with its own publisher may have answered with its event: follow the cursor.
            for _ in range(1000):
                if any(e["seq"] == seq for e in body["events"]):
                    return
                body = wire.get_json(self.url, f"{self.path}?since={body['next']}&timeout_ms=5000")[1]
            raise Failed(f"event {seq} never came by following the cursor")

        def times_out_empty():
            far = 10**18  # beyond any seq
            _, body = wire.get_json(self.url, f"{self.path}?since={far}&timeout_ms=200")
            expect(body == {"events": [], "next": far}, f"timeout answered {body}, expected no events, next {far}")

        self.check("a held long poll answers right after a publish", waits_then_answers)
        self.check("a long poll times out with no events and the same cursor", times_out_empty)

    def check_sse(self):
        def has(seq):
            return lambda e: "data" in e and json.loads(e["data"]).get("seq") == seq

        def stream_of(publishing, *headers):
            """The events of a fresh stream up to the one `publishing` publishes, and its first bytes."""
            with wire.Stream(self.url, self.path, *headers) as stream:
                kind = stream.headers.get("content-type", "")
                expect(stream.status == 200 and kind.startswith("text/event-stream"),
                       f"{self.path} answered {stream.status} {kind}")
                first = stream.read(time.monotonic() + 5)
                seq = publishing()
                events = wire.sse_events(stream, first, has(seq))
                expect(events and has(seq)(events[-1]), f"event {seq} did not arrive on the stream")
                return seq, events, first

        def data_per_event():
            _, events, _ = stream_of(lambda: self.publish("verify sse"))
            expect(is_event(json.loads(events[-1]["data"])), f"data is not an event: {events[-1]['data'][:80]}")

        def retry_and_seq_ids():
            seq, events, first = stream_of(lambda: self.publish("verify sse id"))
            expect(first.startswith(b"retry:"), f"the stream's body begins {first[:20]!r}, not with retry:")
            expect(events[-1].get("id") == str(seq), f"its id is {events[-1].get('id')!r}, expected {seq}")

        def resumes_after_its_id():
            def two():
                first = self.publish("verify resume")
                self.publish("verify resume after")
                return first

            seq, events, _ = stream_of(two)
            expect("id" in events[-1], f"event {seq} has no id: a stream cannot resume after it")
            with wire.Stream(self.url, self.path, {"Last-Event-ID": events[-1]["id"]}) as stream:
                resumed = wire.sse_events(stream, b"", lambda e: "data" in e)
                expect(resumed and "data" in resumed[-1] and json.loads(resumed[-1]["data"])["seq"] == seq + 1,
                       f"Last-Event-ID {events[-1]['id']} (event {seq}) did not resume at event {seq + 1}")

        self.check("SSE: text/event-stream, a data: line per event holding the event", data_per_event)
        self.check("SSE: the stream begins with retry:, each event's id is its seq", retry_and_seq_ids)
        self.check("SSE: Last-Event-ID resumes after the event it names", resumes_after_its_id)

    def check_http_stream(self):
        def lines_and_resume():
            with wire.Stream(self.url, self.path, accept="application/x-ndjson") as stream:
                kind = stream.headers.get("content-type", "")
                expect(stream.status == 200 and kind.startswith("application/x-ndjson"),
                       f"{self.path} answered {stream.status} {kind}")
                seq = self.publish("verify stream")
                lines = wire.ndjson_lines(stream, lambda line: json.loads(line).get("seq") == seq)
                expect(lines and json.loads(lines[-1]).get("seq") == seq, f"event {seq} did not arrive: {lines[-3:]}")
                expect(all(is_event(json.loads(line)) for line in lines), f"a line is not an event: {lines[-3:]}")
            with wire.Stream(self.url, f"{self.path}?since={seq - 1}", accept="application/x-ndjson") as stream:
                lines = wire.ndjson_lines(stream, lambda line: True)
                expect(lines and json.loads(lines[0])["seq"] == seq,
                       f"since={seq - 1} did not resume at {seq}: {lines}")

        self.check("HTTP stream: application/x-ndjson, a JSON line per event, ?since resume", lines_and_resume)

    def check_websocket(self):
        def frames():
            sock, status, accepted = wire.ws_open(self.url, self.path)
            with sock:
                expect(status == 101 and accepted, f"the upgrade answered {status} (accept key right: {accepted})")
                seq = self.publish("verify ws")
                for _ in range(10000):
                    opcode, payload = wire.read_ws_frame(sock)
                    if opcode == 0x1 and json.loads(payload)["seq"] == seq:
                        break
                expect(is_event(json.loads(payload)), f"the frame is not an event: {payload[:80]!r}")

        def since_resumes():
            seq = self.publish("verify ws resume")
            sock, _, _ = wire.ws_open(self.url, f"{self.path}?since={seq - 1}")
            with sock:
                opcode, payload = wire.read_ws_frame(sock)
                expect(opcode == 0x1 and json.loads(payload)["seq"] == seq,
                       f"since={seq - 1} began with {payload[:60]!r}")

        def ping_and_close():
            sock, _, _ = wire.ws_open(self.url, self.path)
            with sock:
                sock.sendall(wire.ws_frame(0x9, b"verify"))
                for _ in range(10000):
                    opcode, payload = wire.read_ws_frame(sock)
                    if opcode == 0xA:
                        break
                expect(payload == b"verify", f"the pong carried {payload!r}")
                sock.sendall(wire.ws_frame(0x8, b"\x03\xe8"))
                expect(wire.ws_close_code(sock) == 1000, "the close was not answered with 1000")

        def unmasked_is_1002():
            sock, _, _ = wire.ws_open(self.url, self.path)
            with sock:
                sock.sendall(wire.ws_frame(0x1, b"unmasked", mask=False))
                code = wire.ws_close_code(sock)
                expect(code == 1002, f"an unmasked frame was closed with {code}, expected 1002")

        self.check("WebSocket: 101 with the right accept key, a text frame per event", frames)
        self.check("WebSocket: ?since=N resumes after N", since_resumes)
        self.check("WebSocket: ping answered by pong, close answered by close", ping_and_close)
        self.check("WebSocket: an unmasked client frame is closed with 1002", unmasked_is_1002)

    def run(self):
        self.common()
        # A technique's own checks: the method named after it (check_long_poll for long-poll).
        own = getattr(self, "check_" + self.technique.replace("-", "_"), None)
        if own is None:
            self.results.append(Check(f"{self.technique}: its own checks", False, "verify.py has none for it yet"))
        else:
            own()
        return self.results


def verify(url, technique, server=None, publish_url=None):
    """Every check's result for a server of `technique` at `url` (`server`: its profile, when it is
    not ours, and `publish_url` where its events are published, when not at `url`)."""
    return Verifier(url, technique, server, publish_url).run()
