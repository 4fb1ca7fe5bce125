"""A real SMTP server for the notification tests (Debian's python3-aiosmtpd).

Usage: smtp_sink.py PORT DIR [hold-first]
Each message is written to DIR as <n>.eml (atomically). With `hold-first`, the first
message is written and then its 250 reply is withheld forever, so the client is stuck
between sending and hearing that it was accepted.
"""

import asyncio
import itertools
import os
import sys

from aiosmtpd.smtp import SMTP


class Sink:
    def __init__(self, directory, hold_first):
        self.directory = directory
        self.hold_first = hold_first
        self.counter = itertools.count(1)

    async def handle_DATA(self, server, session, envelope):
        n = next(self.counter)
        tmp = os.path.join(self.directory, f".{n}.tmp")
        with open(tmp, "wb") as f:
            f.write(envelope.original_content or envelope.content)
        os.rename(tmp, os.path.join(self.directory, f"{n:04}.eml"))
        if self.hold_first and n == 1:
            await asyncio.sleep(3600)
        return "250 OK"


async def main():
    port, directory = int(sys.argv[1]), sys.argv[2]
    hold_first = len(sys.argv) > 3 and sys.argv[3] == "hold-first"
    handler = Sink(directory, hold_first)
    loop = asyncio.get_running_loop()
    server = await loop.create_server(
        lambda: SMTP(handler, enable_SMTPUTF8=True), "127.0.0.1", port
    )
    print("ready", flush=True)
    async with server:
        await server.serve_forever()


asyncio.run(main())
