// The look every servekit page shares (listings, error pages, the login demo): one
// palette with a dark twin from `prefers-color-scheme`, system fonts (no request for
// a web font), visible keyboard focus. Pages add their own rules after it.
export const PAGE_STYLE = ':root{color-scheme:light dark;--bg:#fff;--fg:#1f2328;--mu:#636c76;--bd:#d8dee4;' +
  '--sf:#f6f8fa;--ac:#0969da;--hv:#f2f6fc;--er:#cf222e}' +
  '@media (prefers-color-scheme:dark){:root{--bg:#0d1117;--fg:#e6edf3;--mu:#8d96a0;--bd:#30363d;' +
  '--sf:#161b22;--ac:#4493f8;--hv:#1a2230;--er:#f85149}}' +
  '*{box-sizing:border-box}html{-webkit-text-size-adjust:100%;text-size-adjust:100%}' +
  'body{margin:0;background:var(--bg);color:var(--fg);font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans",sans-serif}' +
  'a{color:var(--ac);text-decoration:none}a:hover{text-decoration:underline}' +
  ':focus-visible{outline:2px solid var(--ac);outline-offset:2px;border-radius:2px}' +
  '.top{background:var(--sf);border-bottom:1px solid var(--bd)}' +
  '.in{max-width:66rem;margin:0 auto;padding:0 1rem}' +
  '.bar{display:flex;flex-wrap:wrap;align-items:center;gap:.5rem 1rem;min-height:3.5rem;padding-block:.5rem}' +
  '.brand{font-weight:600;color:var(--fg)}' +
  '.sr{position:absolute;width:1px;height:1px;margin:-1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}' +
  '.btn{display:inline-block;padding:.5rem 1rem;border:1px solid var(--bd);border-radius:6px;background:var(--sf);color:var(--fg);font:inherit;font-weight:500;cursor:pointer}' +
  '.btn:hover{background:var(--hv);text-decoration:none}' +
  '.foot{color:var(--mu);font-size:.8rem;padding-block:1.5rem}'
