"""A foreign client: speaks to intake with nothing but pyzmq and msgpack,
following docs/protocol.md (CURVE, one msgpack map per frame, DEALER or REQ)."""
import sys
import uuid

import msgpack
import zmq

from harness import Cluster, Results


def request(sock, type_, body, rid=None):
    rid = rid or uuid.uuid4().hex
    sock.send(msgpack.packb({"v": 1, "id": rid, "type": type_, "caller": "python", "body": body}))
    return rid


def reply(sock, timeout_ms=5000):
    if not sock.poll(timeout_ms):
        return None
    return msgpack.unpackb(sock.recv(), raw=False)


def curve_socket(ctx, kind, cluster, user, server_key=None):
    pub, sec = cluster.user_keys(user)
    s = ctx.socket(kind)
    s.curve_publickey = pub.encode()
    s.curve_secretkey = sec.encode()
    s.curve_serverkey = (server_key or cluster.service_key("intake")).encode()
    s.linger = 0
    return s


REPORT = {
    "channel": "letter",
    "received_at": "2026-11-16T09:30:00+08:00",
    "reporter": {"anonymous": False, "name": "外语客户端举报人", "phone": "13700001234"},
    "accused": [{"name": "赵某", "unit": "东城区住建局", "post": "科长", "level": "section", "region": "dongcheng"}],
    "category": "abuse-of-power",
    "summary": "反映赵某在项目审批中索要好处费",
    "details": "2026年5月在区住建局办公室向申请人索要好处费2万元。",
    "specifics": {"amount_yuan": 20000, "witnesses": ["申请人公司会计"]},
    "a_field_from_the_future": {"ignored": True},
}


def main():
    t = Results()
    c = Cluster(sys.argv[1])
    try:
        c.cq("user", "add", "pyclerk", "--role", "clerk")
        c.start()
        ctx = zmq.Context()

        # Announcements: a CURVE SUB on the publish endpoint, topic "intake".
        sub = curve_socket(ctx, zmq.SUB, c, "pyclerk")
        sub.setsockopt(zmq.SUBSCRIBE, b"intake")
        sub.connect(c.endpoint("intake", "publish"))

        dealer = curve_socket(ctx, zmq.DEALER, c, "pyclerk")
        dealer.connect(c.endpoint("intake"))
        rid = request(dealer, "ping", {})
        r = reply(dealer)
        t.check(r is not None and r["ok"] and r["id"] == rid, "ping answered with our id")
        t.check(r and r["body"]["user"] == "pyclerk" and r["body"]["role"] == "clerk", "CURVE identity seen by the service")
        t.check(r and set(r) >= {"v", "id", "type", "ok", "code", "message", "body"}, "reply has every envelope field")

        import time
        time.sleep(0.3)  # let the SUB connect before the event is announced
        rid = request(dealer, "report.submit", REPORT)
        r = reply(dealer)
        t.check(r and r["ok"] and r["body"]["case_no"].startswith("XF"), "submit gives a case number")
        t.check(r and len(r["body"]["query_code"]) == 19, "submit gives a query code")
        case_no = r["body"]["case_no"] if r and r["ok"] else ""
        ann = sub.recv_multipart() if sub.poll(3000) else None
        t.check(ann is not None and ann[0] == b"intake" and int(ann[1]) >= 1, "PUB announces the new event seq")

        # The same request id again is a retry: same case, nothing new.
        request(dealer, "report.submit", REPORT, rid)
        r2 = reply(dealer)
        t.check(r2 and r2["body"]["case_no"] == case_no and r2["body"].get("replayed"), "retry returns the same case")

        # Pipelining: several requests in flight, replies matched by id.
        ids = [request(dealer, "report.get", {"case_no": case_no}) for _ in range(5)]
        got = [reply(dealer) for _ in range(5)]
        t.check(sorted(g["id"] for g in got if g) == sorted(ids), "pipelined replies carry their ids")
        g = got[0]
        t.check(g and g["body"]["accused"][0]["name"] == "赵某", "report.get returns the accused")
        t.check(g and "13700001234" not in str(g), "report.get does not return the identity")

        # Errors, per section 4.
        request(dealer, "report.submit", {**REPORT, "category": "gossip"})
        r = reply(dealer)
        t.check(r and not r["ok"] and r["code"] == "invalid", "invalid body is refused")
        t.check(r and r["body"]["errors"][0]["path"] == "body.category", "the error names the field path")
        request(dealer, "report.teleport", {})
        r = reply(dealer)
        t.check(r and r["code"] == "unknown_type", "unknown type")
        dealer.send(b"\x93\x01\x02\x03")  # an array, not a map
        r = reply(dealer)
        t.check(r and r["code"] == "bad_envelope", "a msgpack array is a bad envelope")
        dealer.send(msgpack.packb({"v": 1, "id": "x", "type": "ping", "body": {"s": b"\x00"}}, use_bin_type=True))
        r = reply(dealer)
        t.check(r and r["code"] == "bad_frame", "binary values are refused")

        # A REQ socket works too.
        req = curve_socket(ctx, zmq.REQ, c, "pyclerk")
        req.connect(c.endpoint("intake"))
        request(req, "report.list", {"limit": 10})
        r = reply(req)
        t.check(r and r["ok"] and len(r["body"]["items"]) == 1, "REQ client lists the one report")

        # A key the registry does not know gets nothing at all.
        stranger = ctx.socket(zmq.DEALER)
        pub, sec = zmq.curve_keypair()
        stranger.curve_publickey, stranger.curve_secretkey = pub, sec
        stranger.curve_serverkey = c.service_key("intake").encode()
        stranger.linger = 0
        stranger.connect(c.endpoint("intake"))
        request(stranger, "ping", {})
        t.check(reply(stranger, 1500) is None, "an unregistered key is refused")

        for s in (sub, dealer, req, stranger):
            s.close()
        ctx.term()
    finally:
        c.close()
    return t.finish()


if __name__ == "__main__":
    sys.exit(main())
