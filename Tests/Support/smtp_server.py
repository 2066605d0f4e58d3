#!/usr/bin/env python3
"""A real SMTP server on loopback for campaignctl's delivery tests (aiosmtpd).

Listens on 127.0.0.1, port 0 unless --port is given, and prints the bound port
on stdout (one line) once it accepts connections. Every accepted message is
saved as one JSON file in --dir:

    {"mail_from": "...", "rcpt_tos": ["..."], "data": "<raw message, latin-1>",
     "peer_port": 12345, "tls": true, "auth_user": "..." or null}

Recipients whose local part starts with `temp-` get `450`, `reject-` get
`550`; the others are accepted, so one transaction can mix them. A recipient
`drop-*` makes the server drop the connection without an answer. A message
for `tempdata-*` gets `451` and for `rejectdata-*` gets `554` after its data.

Options:
  --tls-cert/--tls-key   certificate for STARTTLS (or implicit TLS)
  --require-starttls     refuse MAIL before STARTTLS
  --implicit-tls         TLS from the first byte (SMTPS), no STARTTLS
  --auth-user/--auth-password   require AUTH (PLAIN/LOGIN), only over TLS
  --no-pipelining        do not offer PIPELINING (RFC 2920) in the EHLO answer
  --max-messages N       like Exim's smtp_accept_max_per_connection: the MAIL
                         after N accepted messages on a connection gets 421
                         and the connection is closed
Stops on SIGTERM or when stdin closes.
"""
import argparse
import asyncio
import json
import os
import signal
import ssl
import sys
import warnings

from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword


class Recorder:
    def __init__(self, folder, pipelining=True, max_messages=None):
        self.folder = folder
        self.count = 0
        self.pipelining = pipelining
        self.max_messages = max_messages

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        if self.max_messages is not None and getattr(session, "accepted", 0) >= self.max_messages:
            # Closed once this answer is written (it is, before the loop runs again).
            asyncio.get_event_loop().call_soon(server.transport.close)
            return "421 4.7.0 Too many messages on this connection"
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        session.host_name = hostname
        if self.pipelining:
            # Like postfix: aiosmtpd reads pipelined commands in order, it only does not say so.
            responses.insert(len(responses) - 1, "250-PIPELINING")
        return responses

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        local = address.split("@", 1)[0].lower()
        if local.startswith("drop-"):
            server.transport.abort()
            return "421 4.3.2 dropped"
        if local.startswith("temp-"):
            return "450 4.2.1 Mailbox temporarily unavailable: " + address
        if local.startswith("reject-"):
            return "550 5.1.1 No such user: " + address
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server, session, envelope):
        locals_ = [r.split("@", 1)[0].lower() for r in envelope.rcpt_tos]
        if any(l.startswith("tempdata-") for l in locals_):
            return "451 4.3.0 Try the message again later"
        if any(l.startswith("rejectdata-") for l in locals_):
            return "554 5.6.0 Message content rejected"
        self.count += 1
        name = "%06d-%d" % (self.count, os.getpid())
        record = {
            "mail_from": envelope.mail_from,
            "rcpt_tos": list(envelope.rcpt_tos),
            "data": envelope.original_content.decode("latin-1"),
            "peer_port": session.peer[1] if session.peer else None,
            "tls": session.ssl is not None or server.transport.get_extra_info("sslcontext") is not None,
            "auth_user": session.auth_data.login.decode() if isinstance(session.auth_data, LoginPassword) else None,
        }
        tmp = os.path.join(self.folder, "." + name + ".tmp")
        with open(tmp, "w") as out:
            json.dump(record, out)
        os.rename(tmp, os.path.join(self.folder, name + ".json"))
        session.accepted = getattr(session, "accepted", 0) + 1
        return "250 2.0.0 Ok: queued as " + name


def detach_from_parent():
    """Foundation's Process starts its children from libdispatch's threads
    with their blocked SIGTERM (and SIGHUP ignored by a test that traps it):
    undo both, so that SIGTERM stops this server. (Its inherited descriptors
    must stay open: Foundation learns of a child's exit when they close.)"""
    signal.pthread_sigmask(signal.SIG_SETMASK, [])
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGHUP, signal.SIG_DFL)


def main():
    detach_from_parent()
    parser = argparse.ArgumentParser()
    parser.add_argument("--dir", required=True)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--tls-cert")
    parser.add_argument("--tls-key")
    parser.add_argument("--require-starttls", action="store_true")
    parser.add_argument("--implicit-tls", action="store_true")
    parser.add_argument("--auth-user")
    parser.add_argument("--auth-password")
    parser.add_argument("--no-pipelining", action="store_true")
    parser.add_argument("--max-messages", type=int)
    args = parser.parse_args()
    os.makedirs(args.dir, exist_ok=True)
    warnings.simplefilter("ignore")

    context = None
    if args.tls_cert:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(args.tls_cert, args.tls_key)

    def authenticate(server, session, envelope, mechanism, auth_data):
        ok = (isinstance(auth_data, LoginPassword)
              and auth_data.login.decode() == args.auth_user
              and auth_data.password.decode() == args.auth_password)
        return AuthResult(success=ok, handled=False, auth_data=auth_data)

    recorder = Recorder(args.dir, pipelining=not args.no_pipelining, max_messages=args.max_messages)

    def factory():
        options = dict(hostname="smtp.test", ident="campaignctl-test-smtp")
        if args.auth_user is not None:
            options.update(authenticator=authenticate, auth_required=True)
            # With implicit TLS the whole socket is encrypted; aiosmtpd only
            # knows about STARTTLS, so tell it not to insist on it.
            options.update(auth_require_tls=not args.implicit_tls)
        if context is not None and not args.implicit_tls:
            options.update(tls_context=context, require_starttls=args.require_starttls)
        return SMTP(recorder, **options)

    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    server = loop.run_until_complete(loop.create_server(
        factory, host="127.0.0.1", port=args.port,
        ssl=context if args.implicit_tls else None))
    port = server.sockets[0].getsockname()[1]
    sys.stdout.write("%d\n" % port)
    sys.stdout.flush()

    loop.add_signal_handler(signal.SIGTERM, loop.stop)
    loop.add_signal_handler(signal.SIGINT, loop.stop)
    # The parent holds our stdin open; when it goes away, so do we.
    loop.add_reader(sys.stdin.fileno(), lambda: loop.stop() if not os.read(sys.stdin.fileno(), 1024) else None)
    loop.run_forever()
    server.close()


if __name__ == "__main__":
    main()
