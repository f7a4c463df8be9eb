// The request target as the routes expect it: origin-form (`/path?query`).
//
// RFC 9112 §3.2.2: a server MUST accept the absolute-form (`GET http://host/path`), which
// clients send to proxies and some send to origins. Node passes it through as `req.url`,
// so without this the router, the static files and CGI's REQUEST_URI would all see a
// target that is not a path. It is rewritten once, before routing; the scheme and host
// are dropped (servekit serves one site), and the path that remains goes through the
// same checks as any other, so `http://x/../../etc/passwd` is `/../../etc/passwd`.

// Only http and https URIs name a resource on this server; anything else (`ftp://`,
// `OPTIONS *`, CONNECT's authority-form) is left as it came and is answered as such.
const ABSOLUTE_FORM = /^https?:\/\/[^/?#]*/i

/** `target` with an absolute-form's scheme and authority removed; origin-form as given. */
export function originForm (target: string): string {
  // The common case first: this runs on every request.
  if (target.charCodeAt(0) === 0x2f) return target
  const authority = ABSOLUTE_FORM.exec(target)
  if (authority === null) return target
  const rest = target.slice(authority[0].length)
  // `http://host` and `http://host?q` name the root (RFC 9110 §4.2.3: an empty path is `/`).
  return rest.charCodeAt(0) === 0x2f ? rest : '/' + rest
}
