#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""fake_registrar.py - a registrar that insists on Digest (test helper).

    fake_registrar.py PORT USER PASSWORD

Answers REGISTER without credentials 401 (realm "pinhole.test", qop auth),
checks the Digest response (RFC 2617) of the next one and answers 200 with
expires=60, or 403. Prints "registered USER" / "refused" lines, flushed.
"""
import hashlib
import re
import socket
import sys


def md5(s):
    return hashlib.md5(s.encode()).hexdigest()


def reply(req, code, reason, extra=""):
    heads = [l for l in req.split("\r\n")
             if l.split(":")[0].lower() in ("via", "from", "to", "call-id", "cseq")]
    out = "SIP/2.0 %d %s\r\n" % (code, reason)
    for h in heads:
        if h.lower().startswith("to:") and ";tag=" not in h:
            h += ";tag=reg1"
        out += h + "\r\n"
    return out + extra + "Content-Length: 0\r\n\r\n"


def main():
    port, user, password = int(sys.argv[1]), sys.argv[2], sys.argv[3]
    realm, nonce = "pinhole.test", "n0nce42"
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", port))
    print("ready", flush=True)
    while True:
        data, src = s.recvfrom(65535)
        req = data.decode(errors="replace")
        if not req.startswith("REGISTER "):
            continue
        uri = req.split(" ")[1]
        auth = re.search(r"^Authorization: Digest (.*)$", req, re.M | re.I)
        if not auth:
            s.sendto(reply(req, 401, "Unauthorized",
                           'WWW-Authenticate: Digest realm="%s", nonce="%s", '
                           'qop="auth", algorithm=MD5\r\n' % (realm, nonce)).encode(), src)
            continue
        p = dict((k, v.strip('"')) for k, v in
                 re.findall(r'(\w+)=("[^"]*"|[^,\s]+)', auth.group(1)))
        ha1 = md5("%s:%s:%s" % (user, realm, password))
        ha2 = md5("REGISTER:%s" % p.get("uri", ""))
        want = md5("%s:%s:%s:%s:%s:%s" % (ha1, nonce, p.get("nc", ""),
                                          p.get("cnonce", ""), "auth", ha2))
        if p.get("username") == user and p.get("response") == want and p.get("uri") == uri:
            contact = re.search(r"^Contact: (.*)$", req, re.M | re.I)
            s.sendto(reply(req, 200, "OK", "Contact: %s;expires=60\r\n" %
                           (contact.group(1).strip() if contact else "*")).encode(), src)
            print("registered %s" % user, flush=True)
        else:
            s.sendto(reply(req, 403, "Forbidden").encode(), src)
            print("refused", flush=True)


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        pass
