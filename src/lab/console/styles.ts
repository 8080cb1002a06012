/**
 * The test console's stylesheet, inlined into the page under the CSP nonce. Plain
 * CSS: system fonts, colours with at least 4.5:1 contrast on their background,
 * a visible focus ring everywhere, one column on narrow screens.
 */
export const CONSOLE_CSS = String.raw`
:root {
  --fg: #1b1f24; --muted: #4a5260; --bg: #f3f5f8; --card: #ffffff; --line: #d0d6df;
  --accent: #0b57d0; --accent-bg: #e8f0fe; --ok: #146c2e; --ok-bg: #e6f4ea;
  --warn: #7a4a00; --warn-bg: #fef3d6; --bad: #b3261e; --bad-bg: #fce8e6;
  --mono: ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace;
}
* { box-sizing: border-box; }
html { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "Liberation Sans", sans-serif; color: var(--fg); background: var(--bg); }
body { margin: 0; padding: 0 1rem 2rem; }
h1, h2, h3, h4 { line-height: 1.2; margin: 0 0 .5rem; }
h1 { font-size: 1.35rem; }
h2 { font-size: 1.1rem; }
h3 { font-size: 1rem; margin-top: 1rem; }
h4 { font-size: .9rem; margin: .75rem 0 .25rem; color: var(--muted); text-transform: uppercase; letter-spacing: .04em; }
p { margin: .25rem 0 .5rem; }
code, pre, .mono { font-family: var(--mono); font-size: .85rem; }
a { color: var(--accent); }
.skip { position: absolute; left: -999px; top: .5rem; background: var(--card); padding: .5rem; }
.skip:focus { left: 1rem; z-index: 10; }
.sr-only { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
:focus-visible { outline: 3px solid var(--accent); outline-offset: 2px; }
[hidden] { display: none !important; }

.top { padding: 1rem 0 .75rem; }
.top h1 span { display: block; font-size: .95rem; font-weight: 500; color: var(--muted); margin-top: .2rem; }
.top p { color: var(--muted); max-width: 60rem; }

.card { background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: 1rem; }
.layout { display: grid; grid-template-columns: 13.5rem minmax(0, 1fr) 21rem; gap: 1rem; align-items: start; margin-top: 1rem; }
@media (max-width: 1180px) { .layout { grid-template-columns: 14rem minmax(0, 1fr); } .layout > aside { grid-column: 1 / -1; } }
@media (max-width: 760px) { .layout { grid-template-columns: minmax(0, 1fr); } }

label { font-weight: 600; display: block; margin-bottom: .2rem; }
input, select, textarea, button { font: inherit; color: inherit; }
input, select, textarea { border: 1px solid #8a94a3; border-radius: 4px; padding: .35rem .5rem; background: #fff; width: 100%; }
input[readonly] { background: #f0f2f5; }
textarea { font-family: var(--mono); font-size: .85rem; }
button { border: 1px solid #8a94a3; background: #fff; border-radius: 4px; padding: .35rem .75rem; cursor: pointer; }
button:hover { background: #eef1f5; }
button:disabled { opacity: .6; cursor: default; }
button.primary { background: var(--accent); border-color: var(--accent); color: #fff; font-weight: 600; padding: .45rem 1.4rem; }
button.primary:hover { background: #0842a0; }
button.fix { background: var(--accent-bg); border-color: var(--accent); color: #0842a0; font-weight: 600; text-align: left; }
button[aria-pressed="true"] { background: var(--accent-bg); border-color: var(--accent); }

.token-form { display: grid; grid-template-columns: minmax(0, 1fr) auto auto; gap: .5rem; align-items: end; max-width: 60rem; }
.token-form label { grid-column: 1 / -1; margin: 0; }
.token-form button { align-self: stretch; padding-top: 0; padding-bottom: 0; }
.help { color: var(--muted); font-size: .88rem; }
.msg { font-weight: 600; }
.msg.error { color: var(--bad); }
.msg.ok { color: var(--ok); }

.ops { list-style: none; margin: 0; padding: 0; display: grid; gap: .25rem; }
.ops button { width: 100%; text-align: left; display: flex; gap: .5rem; align-items: center; border-color: transparent; }
.ops button[aria-current="true"] { background: var(--accent-bg); border-color: var(--accent); font-weight: 600; }

.method { display: inline-block; min-width: 3.6rem; text-align: center; border-radius: 3px; padding: .05rem .3rem; font: 700 .72rem/1.5 var(--mono); color: #fff; background: #4a5260; }
.m-get { background: #146c2e; } .m-post { background: #0b57d0; } .m-put { background: #7a4a00; }
.m-delete { background: #b3261e; } .m-head { background: #5b4b8a; } .m-patch { background: #00616b; }

.request-line { display: flex; gap: .5rem; align-items: center; padding: .5rem; background: var(--bg); border: 1px solid var(--line); border-radius: 4px; overflow-wrap: anywhere; margin: .5rem 0 .75rem; }
fieldset { border: 1px solid var(--line); border-radius: 6px; margin: 0 0 .75rem; padding: .5rem .75rem .75rem; }
legend { font-weight: 700; padding: 0 .25rem; }
.params { display: grid; grid-template-columns: repeat(auto-fill, minmax(14rem, 1fr)); gap: .5rem .75rem; }
.params .req { color: var(--bad); }

table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: .3rem .35rem; vertical-align: top; border-bottom: 1px solid var(--line); }
th { font-size: .8rem; color: var(--muted); text-transform: uppercase; letter-spacing: .04em; }
td.name { width: 32%; } td.value { width: 34%; }
td.source { min-width: 9rem; }
td input { font-family: var(--mono); font-size: .85rem; }
.src { display: inline-block; border-radius: 3px; padding: .1rem .4rem; font-size: .85rem; }
.src-hardcoded, .src-nokey { background: var(--bad-bg); color: var(--bad); font-weight: 600; }
.src-adminkey { background: var(--ok-bg); color: var(--ok); font-weight: 600; }
.src-definition, .src-user { background: var(--bg); color: var(--muted); }
.notsent { display: block; font-size: .8rem; color: var(--muted); margin-top: .15rem; }
.toolbar { display: flex; flex-wrap: wrap; gap: .5rem; margin-top: .5rem; }
.send-row { display: flex; align-items: center; gap: 1rem; margin-top: .75rem; }
.send-row label.inline { display: inline-flex; align-items: center; gap: .35rem; margin: 0; font-weight: normal; white-space: nowrap; }
.trace { padding-left: 1.25rem; }
.trace li { margin: .2rem 0; overflow-wrap: anywhere; }

details { margin: .5rem 0; }
summary { cursor: pointer; font-weight: 600; }
pre { background: #1f2430; color: #e8ecf2; padding: .6rem .75rem; border-radius: 4px; overflow: auto; max-height: 22rem; white-space: pre-wrap; overflow-wrap: anywhere; margin: 0; }

#response { border-top: 2px solid var(--line); margin-top: 1rem; padding-top: .75rem; }
.status { font: 700 1.05rem var(--mono); display: inline-block; padding: .2rem .6rem; border-radius: 4px; }
.status.s2 { background: var(--ok-bg); color: var(--ok); }
.status.s4, .status.s5, .status.s0 { background: var(--bad-bg); color: var(--bad); }
.status.s3 { background: var(--warn-bg); color: var(--warn); }
.explain { border-left: 4px solid var(--accent); background: var(--accent-bg); padding: .5rem .75rem; border-radius: 0 4px 4px 0; margin: .5rem 0; }
.explain.bad { border-color: var(--bad); background: var(--bad-bg); }
.explain.ok { border-color: var(--ok); background: var(--ok-bg); }
.explain p { margin: .2rem 0; }

.badge { display: inline-block; font-weight: 700; padding: .15rem .6rem; border-radius: 999px; background: var(--bg); }
.badge.broken, .badge.missing { background: var(--bad-bg); color: var(--bad); }
.badge.partly { background: var(--warn-bg); color: var(--warn); }
.badge.fixed { background: var(--ok-bg); color: var(--ok); }
.findings { list-style: none; padding: 0; margin: .5rem 0; display: grid; gap: .6rem; }
.findings li { border: 1px solid var(--line); border-left: 4px solid var(--bad); border-radius: 4px; padding: .5rem .6rem; }
.findings li.hint { border-left-color: var(--ok); }
.findings li.info { border-left-color: var(--warn); }
.findings .fixhint { font-size: .88rem; color: var(--muted); }
.scenarios { display: grid; gap: .75rem; margin: .5rem 0; }
.scenario { border-top: 1px solid var(--line); padding-top: .5rem; }
.scenario h3 { margin-top: 0; font-size: .95rem; }
.scenario .findings { font-size: .9rem; }
.scenario button.fix { display: block; width: 100%; margin-top: .35rem; }
`;
