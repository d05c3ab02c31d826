#!/usr/bin/env python3
"""Frame-level HTTP/2 tests against a live server, with the PyPI `h2` library as the client.

Run by HTTPServerTests (HTTP2LiveTests) against a test server with these routes:
  GET  /hello          -> 200 "hello"
  POST /echo           -> 200, the request body
  GET  /big?n=N        -> 200, N bytes (i % 251), streamed
  GET  /slow           -> 200 "slow" after ~300 ms
  GET  /shutdown       -> 200, and starts the server's graceful shutdown
Usage: h2_frames.py PORT [--tls CA_FILE] [--only NAME[,NAME]] [--shutdown]
Exits non-zero (with the failing check) on the first failure.
"""
import socket
import ssl
import sys
import time

import h2.config
import hpack
import hyperframe.frame
import h2.connection
import h2.errors
import h2.events
import h2.exceptions

PORT = int(sys.argv[1])
CA = sys.argv[sys.argv.index("--tls") + 1] if "--tls" in sys.argv else None
ONLY = sys.argv[sys.argv.index("--only") + 1].split(",") if "--only" in sys.argv else None
TIMEOUT = 20


class Client:
    """One HTTP/2 connection: h2 state machine over a blocking socket."""

    def __init__(self):
        raw = socket.create_connection(("127.0.0.1", PORT), timeout=TIMEOUT)
        if CA:
            context = ssl.create_default_context(cafile=CA)
            context.set_alpn_protocols(["h2"])
            raw = context.wrap_socket(raw, server_hostname="localhost")
            check(raw.selected_alpn_protocol() == "h2", "ALPN selected h2")
        self.sock = raw
        self.conn = h2.connection.H2Connection(h2.config.H2Configuration(client_side=True, header_encoding="utf-8"))
        self.conn.initiate_connection()
        self.flush()
        self.responses = {}  # stream id -> {"headers": dict, "body": bytearray, "ended": bool, "reset": code}
        self.terminated = []  # ConnectionTerminated events
        self.pings = []
        self.closed = False

    def flush(self):
        data = self.conn.data_to_send()
        if data:
            self.sock.sendall(data)

    def request(self, path, method="GET", body=None, extra=(), end=True):
        sid = self.conn.get_next_available_stream_id()
        headers = [(":method", method), (":path", path), (":scheme", "https" if CA else "http"), (":authority", "localhost")]
        headers += list(extra)
        self.conn.send_headers(sid, headers, end_stream=end and body is None)
        self.responses[sid] = {"headers": None, "body": bytearray(), "ended": False, "reset": None}
        self.flush()
        return sid

    def pump(self):
        """Reads once and processes events; returns False at EOF."""
        try:
            data = self.sock.recv(65536)
        except (ConnectionResetError, ssl.SSLError):
            data = b""
        if not data:
            self.closed = True
            return False
        for event in self.conn.receive_data(data):
            self.handle(event)
        self.flush()
        return True

    def handle(self, event):
        if isinstance(event, h2.events.ResponseReceived):
            self.responses[event.stream_id]["headers"] = dict(event.headers)
        elif isinstance(event, h2.events.DataReceived):
            self.responses[event.stream_id]["body"] += event.data
            self.conn.acknowledge_received_data(event.flow_controlled_length, event.stream_id)
        elif isinstance(event, h2.events.StreamEnded):
            self.responses[event.stream_id]["ended"] = True
        elif isinstance(event, h2.events.StreamReset):
            if event.stream_id in self.responses:
                self.responses[event.stream_id]["reset"] = event.error_code
        elif isinstance(event, h2.events.ConnectionTerminated):
            self.terminated.append(event)
        elif isinstance(event, h2.events.PingAckReceived):
            self.pings.append(event.ping_data)

    def wait(self, condition, what):
        deadline = time.monotonic() + TIMEOUT
        while not condition():
            check(time.monotonic() < deadline, "timed out waiting for " + what)
            check(self.pump() or condition(), "connection closed while waiting for " + what)

    def send_body(self, sid, body):
        """Sends `body` on `sid` within the peer's flow-control windows."""
        offset = 0
        while offset < len(body):
            window = min(self.conn.local_flow_control_window(sid), self.conn.max_outbound_frame_size)
            if window <= 0:
                self.pump()  # wait for WINDOW_UPDATE
                continue
            chunk = body[offset:offset + window]
            offset += len(chunk)
            self.conn.send_data(sid, chunk, end_stream=offset == len(body))
            self.flush()

    def close(self):
        try:
            self.conn.close_connection()
            self.flush()
        except Exception:
            pass
        self.sock.close()


def check(condition, message):
    if not condition:
        print("FAIL: " + message, flush=True)
        sys.exit(1)


def status(response):
    return response["headers"].get(":status") if response["headers"] else None


# MARK: tests

def test_fifty_concurrent_streams():
    c = Client()
    sids = [c.request("/slow" if i % 5 == 0 else "/hello?i=%d" % i) for i in range(50)]
    c.wait(lambda: all(c.responses[s]["ended"] for s in sids), "50 responses")
    for i, sid in enumerate(sids):
        r = c.responses[sid]
        check(status(r) == "200", "stream %d status %s" % (sid, status(r)))
        check(bytes(r["body"]) == (b"slow" if i % 5 == 0 else b"hello"), "stream %d body" % sid)
    c.close()


def test_five_megabytes_each_way():
    c = Client()
    size = 5 * 1024 * 1024
    upload = bytes((i * 7 + (i >> 10)) % 256 for i in range(size))
    sid = c.request("/echo", method="POST", body=upload, extra=[("content-length", str(size))])
    c.send_body(sid, upload)
    big = c.request("/big?n=%d" % size)
    c.wait(lambda: c.responses[sid]["ended"] and c.responses[big]["ended"], "5 MB echo and 5 MB download")
    check(status(c.responses[sid]) == "200", "echo status")
    check(bytes(c.responses[sid]["body"]) == upload, "echo body is the 5 MB upload")
    check(len(c.responses[big]["body"]) == size, "download is 5 MB")
    check(bytes(c.responses[big]["body"][:1000]) == bytes(i % 251 for i in range(1000)), "download content")
    c.close()


def test_oversized_header_block_is_rejected():
    c = Client()
    sid = c.request("/hello", extra=[("x-big-%d" % i, "v" * 4000) for i in range(5)])  # 20 KB > 16 KiB
    c.wait(lambda: c.responses[sid]["ended"] or c.responses[sid]["reset"] is not None or c.terminated, "rejection")
    check(status(c.responses[sid]) == "431", "oversized header list gets 431, got %s" % status(c.responses[sid]))
    after = c.request("/hello")
    c.wait(lambda: c.responses[after]["ended"], "a request after the rejection")
    check(status(c.responses[after]) == "200", "the connection carries on")
    c.close()


def test_rst_stream_flood_ends_in_goaway():
    c = Client()
    try:
        for _ in range(1500):
            sid = c.conn.get_next_available_stream_id()
            c.conn.send_headers(sid, [(":method", "GET"), (":path", "/slow"), (":scheme", "https" if CA else "http"),
                                      (":authority", "localhost")], end_stream=True)
            c.conn.reset_stream(sid, error_code=h2.errors.ErrorCodes.CANCEL)
            if sid % 101 == 0:
                c.flush()
        c.flush()
    except (BrokenPipeError, ConnectionResetError, ssl.SSLError):
        pass  # the server may already have sent GOAWAY and closed
    deadline = time.monotonic() + TIMEOUT
    while not c.terminated and time.monotonic() < deadline:
        try:
            if not c.pump():
                break
        except h2.exceptions.ProtocolError:
            break
    check(len(c.terminated) >= 1, "RST_STREAM flood ends in GOAWAY")
    check(c.terminated[0].error_code != h2.errors.ErrorCodes.NO_ERROR, "GOAWAY carries an error code")
    c.sock.close()
    healthy = Client()
    sid = healthy.request("/hello")
    healthy.wait(lambda: healthy.responses[sid]["ended"], "a request on a new connection after the flood")
    check(status(healthy.responses[sid]) == "200", "the server stays healthy after the flood")
    healthy.close()


def test_ping_is_answered():
    c = Client()
    c.conn.ping(b"rewardpi")
    c.flush()
    c.wait(lambda: c.pings, "PING ACK")
    check(c.pings == [b"rewardpi"], "PING ACK echoes the payload")
    c.close()


class RawConnection:
    """Frames by hand (hyperframe + hpack): h2's state machine stops reading at the first GOAWAY,
    but a graceful shutdown is about what happens after it."""

    def __init__(self):
        raw = socket.create_connection(("127.0.0.1", PORT), timeout=TIMEOUT)
        if CA:
            context = ssl.create_default_context(cafile=CA)
            context.set_alpn_protocols(["h2"])
            raw = context.wrap_socket(raw, server_hostname="localhost")
        self.sock = raw
        self.encoder, self.decoder = hpack.Encoder(), hpack.Decoder()
        self.buffer = b""
        self.sock.sendall(b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n" + hyperframe.frame.SettingsFrame(0).serialize())

    def request(self, sid, path):
        frame = hyperframe.frame.HeadersFrame(sid)
        frame.data = self.encoder.encode([(":method", "GET"), (":path", path), (":scheme", "https" if CA else "http"),
                                          (":authority", "localhost")])
        frame.flags.add("END_HEADERS")
        frame.flags.add("END_STREAM")
        self.sock.sendall(frame.serialize())

    def frames(self):
        """Yields frames until EOF (answering SETTINGS and PING as a well-behaved peer would)."""
        deadline = time.monotonic() + TIMEOUT
        while time.monotonic() < deadline:
            while len(self.buffer) >= 9:
                header, length = hyperframe.frame.Frame.parse_frame_header(memoryview(self.buffer[:9]))
                if len(self.buffer) < 9 + length:
                    break
                header.parse_body(memoryview(self.buffer[9:9 + length]))
                self.buffer = self.buffer[9 + length:]
                if isinstance(header, hyperframe.frame.SettingsFrame) and "ACK" not in header.flags:
                    self.sock.sendall(hyperframe.frame.SettingsFrame(0, flags=["ACK"]).serialize())
                if isinstance(header, hyperframe.frame.PingFrame) and "ACK" not in header.flags:
                    self.sock.sendall(hyperframe.frame.PingFrame(0, opaque_data=header.opaque_data, flags=["ACK"]).serialize())
                yield header
            try:
                data = self.sock.recv(65536)
            except (ConnectionResetError, ssl.SSLError):
                data = b""
            if not data:
                return
            self.buffer += data
        check(False, "timed out reading frames")


def test_graceful_shutdown_with_an_open_stream():
    c = RawConnection()
    c.request(1, "/slow")
    c.request(3, "/shutdown")
    goaways, bodies, ended, statuses = [], {1: b"", 3: b""}, set(), {}
    for frame in c.frames():
        if isinstance(frame, hyperframe.frame.GoAwayFrame):
            check(frame.error_code == 0, "GOAWAY during a graceful shutdown is NO_ERROR")
            goaways.append(frame.last_stream_id)
        elif isinstance(frame, hyperframe.frame.HeadersFrame):
            statuses[frame.stream_id] = dict(c.decoder.decode(frame.data))[":status"]
        elif isinstance(frame, hyperframe.frame.DataFrame):
            bodies[frame.stream_id] += frame.data
        elif isinstance(frame, hyperframe.frame.RstStreamFrame):
            check(False, "stream %d was reset during the graceful shutdown" % frame.stream_id)
        if "END_STREAM" in frame.flags:
            ended.add(frame.stream_id)
            if frame.stream_id == 1:
                check(len(goaways) == 2, "the open stream finished after both GOAWAYs (saw %s)" % goaways)
    check(goaways[:1] == [2**31 - 1], "first GOAWAY is the notice with the maximum stream id: %s" % goaways)
    check(goaways[1:] == [3], "final GOAWAY names the last processed stream: %s" % goaways)
    check(ended == {1, 3} and statuses == {1: "200", 3: "200"}, "both streams answered: %s %s" % (ended, statuses))
    check(bodies[1] == b"slow", "the open stream got its whole body")


TESTS = [test_fifty_concurrent_streams, test_five_megabytes_each_way, test_oversized_header_block_is_rejected,
         test_rst_stream_flood_ends_in_goaway, test_ping_is_answered]
if "--shutdown" in sys.argv:
    TESTS = [test_graceful_shutdown_with_an_open_stream]

for test in TESTS:
    if ONLY and test.__name__ not in ONLY:
        continue
    test()
    print("ok " + test.__name__, flush=True)
