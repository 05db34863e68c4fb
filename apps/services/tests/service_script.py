"""A small stand-in for a trader service, run by the tests as a real child process (plain Python, no Django).

    python service_script.py --port 12345 [--status 503] [--crash] [--ignore-term] [--spawn-children]
                             [--argv-out FILE] [--delay S] [ARG ...]

It answers GET /api/status like the trader contract; the flags make it misbehave.
"""

import argparse
import json
import signal
import subprocess
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

SLEEPER = "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); time.sleep(600)"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--status", type=int, default=200, help="HTTP status of /api/status")
    parser.add_argument("--crash", action="store_true", help="print an error and exit 3 at once")
    parser.add_argument("--ignore-term", action="store_true", help="ignore SIGTERM (needs SIGKILL)")
    parser.add_argument("--spawn-children", action="store_true", help="leave a child in the group and one outside")
    parser.add_argument("--argv-out", help="write sys.argv as JSON to this file")
    parser.add_argument("--delay", type=float, default=0.0, help="seconds before listening")
    parser.add_argument("--sick-after", type=float, default=0.0, help="answer 503 after this many seconds (a hang)")
    parser.add_argument("rest", nargs="*", help="literal arguments, recorded only")
    args = parser.parse_args()
    if args.argv_out:
        with open(args.argv_out, "w") as out:
            json.dump(sys.argv, out)
    print(f"service starting on port {args.port}", flush=True)
    if args.crash:
        print("fatal: cannot reach the exchange", flush=True)
        sys.exit(3)
    if args.ignore_term:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
    if args.spawn_children:
        subprocess.Popen([sys.executable, "-c", SLEEPER])  # same process group
        subprocess.Popen([sys.executable, "-c", SLEEPER], start_new_session=True)  # escapes the group
    time.sleep(args.delay)
    ready_at = time.monotonic()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (http.server's name)
            sick = args.sick_after and time.monotonic() - ready_at > args.sick_after
            status = 503 if sick else args.status
            body = json.dumps({"service": "trader", "engine_ready": status == 200}).encode()
            self.send_response(status if self.path == "/api/status" else 404)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    print("service ready", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
