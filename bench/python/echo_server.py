"""Workload 6, eventlet: an echo server on eventlet.serve (one greenthread
per connection: recv, then sendall). Prints its port, then serves until
killed; bench/echo.ts's load client drives it.

    python3 bench/python/echo_server.py
"""

import eventlet


def handle(sock, addr):
    while True:
        data = sock.recv(65536)
        if not data:
            return
        sock.sendall(data)


server = eventlet.listen(("127.0.0.1", 0))
print(server.getsockname()[1], flush=True)
eventlet.serve(server, handle, concurrency=10000)
