"""An SMTP sink for the delivery benchmarks, in a process of its own (so that it does not share
the sender's interpreter): accepts every message and appends each recipient to a log file, one
line per accepted message, flushed at once — what a crash test counts.

    python bench/support/smtp_sink.py PORT LOGFILE
"""

import sys
import time
from typing import Any

from aiosmtpd.controller import Controller


class Recorder:
    def __init__(self, log: Any) -> None:
        self.log = log

    async def handle_DATA(self, server: object, session: object, envelope: Any) -> str:
        self.log.write("".join(f"{r}\n" for r in envelope.rcpt_tos))
        self.log.flush()
        return "250 Message accepted for delivery"


def main() -> None:
    port, path = int(sys.argv[1]), sys.argv[2]
    with open(path, "a", encoding="utf-8") as log:
        controller = Controller(Recorder(log), hostname="127.0.0.1", port=port)
        controller.start()
        try:
            while True:
                time.sleep(3600)
        finally:
            controller.stop()


if __name__ == "__main__":
    main()
