#!/usr/bin/env python3
"""One raw flood against an h2c port; prints whether the server answered with GOAWAY.
Usage: flood.py PORT rst|ping|settings|hpack   (the memory check in BENCHMARKS.md "HTTP/2 and TLS" loops it)"""
import socket, sys, struct, time
port = int(sys.argv[1]); kind = sys.argv[2]
s = socket.create_connection(("127.0.0.1", port)); s.settimeout(5)
def frame(t, f, sid, payload): return struct.pack(">I", len(payload))[1:] + bytes([t, f]) + struct.pack(">I", sid) + payload
out = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n" + frame(4, 0, 0, b"")
hdr = bytes([0x82, 0x86, 0x84, 0x41, 0x09]) + b"localhost"   # GET http / :authority
if kind == "rst":
    for i in range(2000): sid = 1 + 2*i; out += frame(1, 5, sid, hdr) + frame(3, 0, sid, struct.pack(">I", 8))
elif kind == "ping":
    out += frame(6, 0, 0, b"12345678") * 5000
elif kind == "settings":
    out += frame(4, 0, 0, b"") * 5000
elif kind == "hpack":
    block = bytes([0x82, 0x86, 0x84, 0x40, 6]) + b"x-bomb" + bytes([0x7f, 0x81, 0x1e]) + b"b"*4000 + bytes([0x80|62])*3000
    out += frame(1, 4, 1, block[:16000]) + b"".join(frame(9, 4 if i+16000 >= len(block) else 0, 1, block[i:i+16000]) for i in range(16000, len(block), 16000))
try:
    s.sendall(out)
    data = b""
    while True:
        d = s.recv(65536)
        if not d: break
        data += d
except Exception as e: pass
print(kind, "goaway" if b"\x07\x00\x00\x00\x00\x00" in data else "no-goaway", len(data))
