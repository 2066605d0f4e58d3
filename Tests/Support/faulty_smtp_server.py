#!/usr/bin/env python3
"""A misbehaving SMTP relay on loopback, for campaignctl's soak (scripts/soak).

A plain asyncio SMTP server (no TLS, no AUTH) that answers like a relay
having a bad day, at random rates:

  --temp-rate     451 4.3.0 to MAIL, RCPT or the message (temporary)
  --reject-rate   550 5.1.1 to RCPT (permanent: the event ends deliveryFailed)
  --close-rate    421 4.3.2 and closing, at the greeting or after the message
  --drop-rate     closes the connection without a word mid-transaction
                  (after RCPT or in the middle of the message's data)
  --stall-rate    waits --stall-seconds before answering (greeting or message)

A message counts as accepted only when its `250` after the data has been
written; a dropped or refused message is not recorded (a real relay would
not deliver it either), so every duplicate Message-ID in the record is a
resend by the client. Every accepted message is appended to --record as
one JSON line, flushed at once:

    {"message_id": "<...>", "rcpt": ["..."], "mail_from": "...", "at": 1700000000.123}

Prints the bound port (one line on stdout) once it listens; on SIGTERM or
SIGINT writes a JSON summary of its counters to --stats (if given) and exits.
"""
import argparse
import asyncio
import json
import os
import random
import signal
import sys
import time


class Counters:
    def __init__(self):
        self.values = {"connections": 0, "accepted": 0, "temp_451": 0, "reject_550": 0,
                       "close_421": 0, "dropped": 0, "stalled": 0}

    def bump(self, name):
        self.values[name] += 1


def header_value(data, name):
    """The value of header `name` in the raw message (unfolded)."""
    head = data.split(b"\r\n\r\n", 1)[0].decode("latin-1")
    lines = head.split("\r\n")
    wanted = name.lower() + ":"
    for i, line in enumerate(lines):
        if line.lower().startswith(wanted):
            value = line[len(wanted):]
            for follow in lines[i + 1:]:
                if follow[:1] in (" ", "\t"):
                    value += follow
                else:
                    break
            return value.strip()
    return None


class Relay:
    def __init__(self, args):
        self.args = args
        self.rng = random.Random(args.seed)
        self.counters = Counters()
        self.record = open(args.record, "a", buffering=1)

    def roll(self, rate):
        return rate > 0 and self.rng.random() < rate

    async def stall(self):
        self.counters.bump("stalled")
        await asyncio.sleep(self.args.stall_seconds)

    async def handle(self, reader, writer):
        self.counters.bump("connections")
        try:
            await self.session(reader, writer)
        except (ConnectionError, asyncio.IncompleteReadError, asyncio.LimitOverrunError):
            pass
        finally:
            try:
                writer.close()
            except Exception:
                pass

    async def session(self, reader, writer):
        a = self.args

        async def reply(line):
            writer.write((line + "\r\n").encode("latin-1"))
            await writer.drain()

        def drop():
            self.counters.bump("dropped")
            transport = writer.transport
            transport.abort()

        if self.roll(a.stall_rate):
            await self.stall()
        if self.roll(a.close_rate):
            self.counters.bump("close_421")
            await reply("421 4.3.2 Service not available, closing transmission channel")
            return
        await reply("220 faulty.test ESMTP campaignctl soak relay")
        mail_from, rcpts = None, []
        while True:
            raw = await reader.readline()
            if not raw:
                return
            line = raw.decode("latin-1").rstrip("\r\n")
            verb = line.split(" ", 1)[0].split(":", 1)[0].upper()
            if verb in ("EHLO", "HELO"):
                if verb == "EHLO":
                    await reply("250-faulty.test\r\n250-PIPELINING\r\n250-8BITMIME\r\n250-SIZE 52428800\r\n250 SMTPUTF8")
                else:
                    await reply("250 faulty.test")
            elif verb == "MAIL":
                if self.roll(a.temp_rate):
                    self.counters.bump("temp_451")
                    await reply("451 4.3.0 Mail server temporarily rejected the sender")
                    continue
                mail_from, rcpts = line[10:].strip(), []
                await reply("250 2.1.0 OK")
            elif verb == "RCPT":
                if mail_from is None:
                    await reply("503 5.5.1 MAIL first")
                    continue
                if self.roll(a.drop_rate):
                    drop()
                    return
                if self.roll(a.reject_rate):
                    self.counters.bump("reject_550")
                    await reply("550 5.1.1 No such user here")
                    continue
                if self.roll(a.temp_rate):
                    self.counters.bump("temp_451")
                    await reply("451 4.2.1 Mailbox busy, try again later")
                    continue
                rcpts.append(line[8:].strip())
                await reply("250 2.1.5 OK")
            elif verb == "DATA":
                if not rcpts:
                    await reply("503 5.5.1 RCPT first")
                    continue
                await reply("354 End data with <CR><LF>.<CR><LF>")
                chunks = []
                dropping = self.roll(a.drop_rate)
                while True:
                    piece = await reader.readline()
                    if not piece:
                        return
                    if piece in (b".\r\n", b".\n"):
                        break
                    chunks.append(piece[1:] if piece.startswith(b"..") else piece)
                    if dropping and len(chunks) > 3:
                        drop()
                        return
                data = b"".join(chunks)
                if self.roll(a.stall_rate):
                    await self.stall()
                if self.roll(a.close_rate):
                    self.counters.bump("close_421")
                    await reply("421 4.3.2 Shutting down, try again later")
                    return
                if self.roll(a.temp_rate):
                    self.counters.bump("temp_451")
                    await reply("451 4.3.0 Try the message again later")
                    mail_from, rcpts = None, []
                    continue
                if writer.transport.is_closing():
                    return
                # Accepted: the answer goes out, then the record.
                await reply("250 2.0.0 Ok: queued")
                self.counters.bump("accepted")
                self.record.write(json.dumps({
                    "message_id": header_value(data, "Message-ID"),
                    "rcpt": rcpts, "mail_from": mail_from, "at": round(time.time(), 3)}) + "\n")
                mail_from, rcpts = None, []
            elif verb == "RSET":
                mail_from, rcpts = None, []
                await reply("250 2.0.0 OK")
            elif verb == "NOOP":
                await reply("250 2.0.0 OK")
            elif verb == "QUIT":
                await reply("221 2.0.0 Bye")
                return
            else:
                await reply("502 5.5.2 Command not recognised")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--record", required=True, help="JSON-lines file of accepted messages (appended)")
    parser.add_argument("--stats", help="JSON file of counters, written at exit")
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--temp-rate", type=float, default=0.03)
    parser.add_argument("--reject-rate", type=float, default=0.01)
    parser.add_argument("--close-rate", type=float, default=0.005)
    parser.add_argument("--drop-rate", type=float, default=0.005)
    parser.add_argument("--stall-rate", type=float, default=0.002)
    parser.add_argument("--stall-seconds", type=float, default=2.0)
    args = parser.parse_args()

    relay = Relay(args)
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    server = loop.run_until_complete(asyncio.start_server(relay.handle, host="127.0.0.1", port=args.port))
    sys.stdout.write("%d\n" % server.sockets[0].getsockname()[1])
    sys.stdout.flush()
    loop.add_signal_handler(signal.SIGTERM, loop.stop)
    loop.add_signal_handler(signal.SIGINT, loop.stop)
    loop.run_forever()
    server.close()
    relay.record.close()
    if args.stats:
        tmp = args.stats + ".tmp"
        with open(tmp, "w") as out:
            json.dump(relay.counters.values, out)
        os.rename(tmp, args.stats)


if __name__ == "__main__":
    main()
