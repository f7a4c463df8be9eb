#!/usr/bin/env python3
"""A form that posts to itself: GET shows it, POST also lists what was sent.

Reads exactly CONTENT_LENGTH bytes of application/x-www-form-urlencoded data
from stdin, as RFC 3875 section 4.2 says a script should.
"""

import html
import os
import sys
from urllib.parse import parse_qsl

fields = []
if os.getenv("REQUEST_METHOD") == "POST":
    length = int(os.getenv("CONTENT_LENGTH") or 0)
    body = sys.stdin.buffer.read(length).decode("utf-8", "replace")
    fields = parse_qsl(body, keep_blank_values=True)

sent = "".join(
    f"\n  <li><b>{html.escape(name)}:</b> {html.escape(value)}</li>"
    for name, value in fields
)

print(
    f"""\
Content-Type: text/html; charset=utf-8

<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>A CGI form</title>
</head>
<body>
<form method="post">
  <p><label>Name <input name="name"></label></p>
  <p><label>Message <input name="message"></label></p>
  <p><button>Send</button></p>
</form>
{f"<h2>You sent</h2>{chr(10)}<ul>{sent}{chr(10)}</ul>" if fields else "<p>Nothing sent yet.</p>"}
</body>
</html>"""
)
