#!/bin/sh
# A CGI script in plain POSIX sh: a header block, a blank line, then the body.
# Try: curl 'http://localhost:8000/cgi-bin/hello.sh/some/path?name=world'

printf 'Content-Type: text/plain; charset=utf-8\r\n'
printf '\r\n'
printf 'Hello from %s\n\n' "$SCRIPT_NAME"
printf 'REQUEST_METHOD=%s\n' "$REQUEST_METHOD"
printf 'QUERY_STRING=%s\n' "$QUERY_STRING"
printf 'PATH_INFO=%s\n' "$PATH_INFO"
printf 'REMOTE_ADDR=%s\n' "$REMOTE_ADDR"
printf 'SERVER_SOFTWARE=%s\n' "$SERVER_SOFTWARE"
