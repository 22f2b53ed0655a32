#!/usr/bin/env python3
"""Ask one DNS server for an A record, over UDP, and check the answer.

  dns-query.py SERVER NAME [EXPECTED_IP]   exit 0 when NAME resolves (to EXPECTED_IP)

Used by up.sh to prove CoreDNS answers through the kube-dns Service (no dig needed).
"""
import random
import socket
import struct
import sys


def query(server, name, timeout=2.0):
    qid = random.randrange(65536)
    q = struct.pack(">HHHHHH", qid, 0x0100, 1, 0, 0, 0)
    q += b"".join(bytes([len(p)]) + p.encode() for p in name.rstrip(".").split(".")) + b"\0"
    q += struct.pack(">HH", 1, 1)  # A, IN
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.settimeout(timeout)
        s.sendto(q, (server, 53))
        data, _ = s.recvfrom(4096)
    rid, flags, qd, an, _, _ = struct.unpack(">HHHHHH", data[:12])
    if rid != qid:
        raise RuntimeError("reply id mismatch")
    if flags & 0xF:
        raise RuntimeError(f"rcode {flags & 0xF}")
    off = 12
    for _ in range(qd):  # skip the question
        while data[off]:
            off += 1 + data[off]
        off += 5
    ips = []
    for _ in range(an):
        if data[off] & 0xC0 == 0xC0:
            off += 2
        else:
            while data[off]:
                off += 1 + data[off]
            off += 1
        rtype, _, _, rdlen = struct.unpack(">HHIH", data[off:off + 10])
        off += 10
        if rtype == 1:
            ips.append(socket.inet_ntoa(data[off:off + rdlen]))
        off += rdlen
    return ips


def main():
    if len(sys.argv) not in (3, 4):
        sys.exit(__doc__)
    try:
        ips = query(sys.argv[1], sys.argv[2])
    except Exception as e:  # noqa: BLE001 - report any failure the same way
        print(f"dns-query: {sys.argv[2]} @{sys.argv[1]}: {e}", file=sys.stderr)
        sys.exit(1)
    print(f"{sys.argv[2]} -> {' '.join(ips) or '(no A records)'}")
    if not ips or (len(sys.argv) == 4 and sys.argv[3] not in ips):
        sys.exit(1)


if __name__ == "__main__":
    main()
