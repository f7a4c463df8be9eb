// The listing's styles: roomy rows, a bar with the breadcrumbs and the filter that stays in
// view, a phone layout that gives a name the row's whole width (size and time on a line
// under it) and makes the whole name cell a thumb-high link.
import { PAGE_STYLE } from '../../src/page-style.js'
import { ICON_STYLE } from './listing-page-icons.js'

export const LISTING_STYLE = PAGE_STYLE + ICON_STYLE +
  '.top{position:sticky;top:0;z-index:1}' +
  '.crumbs{flex:1 1 20rem;min-width:0}' +
  '.crumbs ol{list-style:none;margin:0;padding:0;display:flex;flex-wrap:wrap;align-items:center;font-size:1.05rem;font-weight:600}' +
  '.crumbs li{display:flex;align-items:center;min-width:0;overflow-wrap:anywhere}' +
  '.crumbs li+li::before{content:"/";color:var(--mu);font-weight:400;margin:0 .45rem}' +
  '.crumbs a{padding:.2rem .1rem;border-radius:4px}.crumbs [aria-current]{color:var(--fg)}' +
  '.filter{flex:0 1 17rem;position:relative}' +
  '.filter input{width:100%;font:inherit;font-size:.95rem;color:var(--fg);background:var(--bg);border:1px solid var(--bd);border-radius:6px;padding:.45rem 2rem .45rem .75rem}' +
  '.filter input:focus-visible{outline-offset:0;border-color:var(--ac)}' +
  '.filter kbd{position:absolute;right:.5rem;top:50%;transform:translateY(-50%);font:.75rem ui-monospace,monospace;color:var(--mu);border:1px solid var(--bd);border-radius:4px;padding:0 .35rem;pointer-events:none}' +
  // The hint gives way to what is typed, and to the search field's own clear button.
  '.filter input:focus+kbd,.filter input:not(:placeholder-shown)+kbd{display:none}' +
  '.ls{width:100%;border-collapse:collapse;table-layout:fixed;margin:1rem 0 .5rem}' +
  '.ls th,.ls td{padding:.55rem .75rem;text-align:left;border-bottom:1px solid var(--bd);vertical-align:top}' +
  '.ls th{font-size:.8rem;font-weight:600;color:var(--mu);text-transform:uppercase;letter-spacing:.04em;white-space:nowrap;padding-block:.6rem}' +
  '.ls th a{color:inherit;display:block}.ls th[aria-sort],.ls th[aria-sort] a{color:var(--fg)}' +
  '.ar{display:inline-block;margin-left:.3rem;color:var(--ac)}' +
  '.ls .s{width:7.5rem;text-align:right}.ls .m{width:11rem}' +
  '.ls td:nth-child(2){text-align:right}' +
  '.ls td:nth-child(n+2){color:var(--mu);white-space:nowrap;font-variant-numeric:tabular-nums;font-size:.9rem;padding-top:.65rem}' +
  '.ls td:first-child{overflow-wrap:break-word}.ls td:first-child a{display:block;color:var(--fg)}' +
  '.ls tr.d td:first-child a{font-weight:500}.ls tr.up td:first-child a{color:var(--mu)}' +
  '.ls tbody tr:hover,.ls tbody tr:focus-within{background:var(--hv)}' +
  '.ls tbody a:focus-visible{outline-offset:3px}' +
  // The whole name cell is the link, so a tap anywhere in it opens the entry.
  '.ls td:first-child{padding:0}.ls td:first-child a{padding:.55rem .75rem .55rem 2.6rem;background-position:.75rem calc(.55rem + .1em)}' +
  '.ls tbody td:first-child a:focus-visible{outline-offset:-2px}' +
  '.sum{color:var(--mu);font-size:.85rem;margin:.5rem .75rem 1.5rem;display:flex;gap:1rem;flex-wrap:wrap}' +
  '.empty{color:var(--mu);margin:2rem .75rem}' +
  '.readme{border:1px solid var(--bd);border-radius:8px;margin:1.5rem 0 1rem;overflow:hidden}' +
  '.readme h2{margin:0;padding:.6rem 1rem;font-size:.85rem;background:var(--sf);border-bottom:1px solid var(--bd)}' +
  '.md{padding:.25rem 1.5rem 1rem;overflow-wrap:break-word}.md h1,.md h2{border-bottom:1px solid var(--bd);padding-bottom:.3rem}' +
  '.md img{max-width:100%}.md pre{overflow:auto;background:var(--sf);padding:.75rem 1rem;border-radius:6px}' +
  '.md code{font:.875em ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}.md :not(pre)>code{background:var(--sf);padding:.1em .35em;border-radius:4px}' +
  '.md blockquote{margin:0;padding:0 1rem;color:var(--mu);border-left:.25rem solid var(--bd)}' +
  '.md table{border-collapse:collapse}.md th,.md td{border:1px solid var(--bd);padding:.3rem .6rem}' +
  // Rows hidden by the filter stay hidden whatever display their layout gives them.
  '[hidden]{display:none!important}' +
  '@media (max-width:40rem){' +
  'body{font-size:16px}.in{padding:0 .75rem}.filter{flex:1 1 100%}' +
  '.ls th,.ls td{padding:.8rem .45rem}' +
  '.ls td:nth-child(n+2){white-space:normal;font-size:.8rem;line-height:1.35;padding-top:.7rem}' +
  '.ls td:first-child a{min-height:1.5rem}.md{padding:.25rem 1rem 1rem}' +
  // Size and time go on a line under the name, which gets the whole width: beside them it had
  // 140-170 px, and camera names (PXL_20241224_183012345.jpg, DSC01234.JPG) broke mid-word.
  // The elements stay a table, so its semantics (headers, aria-sort) are unchanged.
  '.ls,.ls thead,.ls tbody{display:block}.ls tr{display:grid;grid-template-columns:1fr auto auto;align-items:baseline}' +
  '.ls th,.ls td{display:block}.ls .s,.ls .m{width:auto}' +
  '.ls tbody tr{min-height:2.75rem;border-bottom:1px solid var(--bd)}.ls tbody td{border-bottom:0}' +
  '.ls tbody td:first-child{grid-column:1/-1}.ls td:first-child a{padding:.85rem .45rem .45rem 2.3rem;background-position:.45rem calc(.85rem + .1em)}' +
  '.ls tbody td:nth-child(n+2){padding-top:0;padding-bottom:.6rem;white-space:nowrap}' +
  '.ls tbody td:nth-child(2){grid-column:1;text-align:left;padding-left:2.3rem}.ls tbody td:nth-child(3){grid-column:2/-1}' +
  '.ls tr.up td:nth-child(n+2){display:none}}'

/**
 * The folder actions' styles (the upload forms, the progress bar, the drop zone, the zip
 * link): only in pages that show them, a second style sheet with its own hash.
 */
export const ACTIONS_STYLE = '.acts{display:flex;flex-wrap:wrap;align-items:center;gap:.6rem 1.25rem;margin:1rem 0 0;padding:.75rem;border:1px solid var(--bd);border-radius:8px;background:var(--sf)}' +
  '.acts form{display:flex;flex-wrap:wrap;align-items:center;gap:.5rem;margin:0;min-width:0;max-width:100%}' +
  '.acts input[type=file]{font:inherit;font-size:.9rem;max-width:100%;min-width:0}' +
  '.mkd input{font:inherit;font-size:.95rem;color:var(--fg);background:var(--bg);border:1px solid var(--bd);border-radius:6px;padding:.45rem .75rem;width:12rem;max-width:100%}' +
  '.acts .zip{margin-left:auto}' +
  '.prog{flex:1 1 100%;display:flex;align-items:center;gap:.75rem;min-width:0}.prog progress{flex:1 1 auto;min-width:0;height:.8rem;accent-color:var(--ac)}' +
  '#up-status{flex:0 1 auto;font-size:.85rem;color:var(--mu);overflow-wrap:anywhere}' +
  '.drop{position:fixed;inset:0;z-index:2;display:flex;align-items:center;justify-content:center;padding:1rem;text-align:center;' +
  'background:color-mix(in srgb,var(--ac) 14%,transparent);border:3px dashed var(--ac);font-size:1.25rem;font-weight:600;pointer-events:none}' +
  '.drop p{margin:0;padding:1rem 1.5rem;background:var(--bg);border:1px solid var(--bd);border-radius:8px}' +
  '@media (max-width:40rem){.mkd input{flex:1 1 8rem}.acts .zip{margin-left:0}}'
