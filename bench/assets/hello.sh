#!/bin/sh
# The smallest CGI script: what a CGI benchmark measures is the server's cost of
# spawning a process and relaying its output, not the script. Content-Length lets
# the client see where the body ends without the connection closing (Python's CGI
# handler speaks HTTP/1.0 and would otherwise end each response with a close,
# which autocannon cannot time).
printf 'Content-Type: text/plain\nContent-Length: 14\n\nHello, World!\n'
