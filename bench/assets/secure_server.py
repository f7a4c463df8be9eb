# The tutorial's secure_server.py (realpython.com/python-http-server): Python 3.11
# has no HTTPS option on its command line, so this wraps http.server's socket in
# TLS. Changes: cert, key, folder and port come from the command line, it binds
# 127.0.0.1, and it uses ThreadingHTTPServer like `python3 -m http.server` does.
# Usage: secure_server.py CERT KEY DIRECTORY PORT
import sys
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from ssl import PROTOCOL_TLS_SERVER, SSLContext

cert, key, directory, port = sys.argv[1:5]
ssl_context = SSLContext(PROTOCOL_TLS_SERVER)
ssl_context.load_cert_chain(cert, key)
handler = partial(SimpleHTTPRequestHandler, directory=directory)
server = ThreadingHTTPServer(("127.0.0.1", int(port)), handler)
server.socket = ssl_context.wrap_socket(server.socket, server_side=True)
server.serve_forever()
