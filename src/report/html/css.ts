/**
 * The report's only stylesheet, inlined in the page. System fonts only (no web font to fetch);
 * colours come in pairs with a shape or a word, never alone; prints on paper; follows the
 * reader's dark mode.
 */
export const STYLESHEET = `
:root {
  --bg: #f5f6f8; --card: #fff; --ink: #1c2330; --muted: #5b6474; --line: #dde1e7; --code: #f2f4f7;
  --good: #1a7f37; --good-bg: #e6f4ea; --fair: #9a6700; --fair-bg: #fff4d6; --bad: #c62828; --bad-bg: #fde8e8;
  --info: #0b5cad; --info-bg: #e5f0fb; --neutral: #5b6474; --neutral-bg: #eceff3; --accent: #3451b2; --hit: #fff3bf;
  color-scheme: light dark;
}
@media (prefers-color-scheme: dark) {
  :root {
    --bg: #12151b; --card: #1b2029; --ink: #e6e9ef; --muted: #9aa3b2; --line: #2e3542; --code: #151920;
    --good: #4ac26b; --good-bg: #16301f; --fair: #d4a72c; --fair-bg: #332a10; --bad: #ff7b72; --bad-bg: #3a1a1a;
    --info: #6cb6ff; --info-bg: #142a40; --neutral: #9aa3b2; --neutral-bg: #262c37; --accent: #8fa8ff; --hit: #3b3413;
  }
}
* { box-sizing: border-box; }
html { font-size: 15px; }
body {
  margin: 0; background: var(--bg); color: var(--ink); line-height: 1.5;
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "DejaVu Sans", "Liberation Sans", sans-serif;
}
a { color: var(--accent); }
code, pre, .mono { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, "DejaVu Sans Mono", \
"Liberation Mono", monospace; font-size: 0.9rem; }
.sr-only { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
.skip { position: absolute; left: -999px; }
.skip:focus { left: 1rem; top: 1rem; background: var(--card); padding: 0.5rem; z-index: 1; }
.page-header, main, .page-footer { max-width: 1060px; margin: 0 auto; padding: 0 1.5rem; }
.page-header { padding-top: 1.6rem; }
h1 { font-size: 1.7rem; margin: 0 0 0.2rem; letter-spacing: -0.01em; }
.subtitle { margin: 0 0 1.2rem; color: var(--muted); }
h2 { font-size: 1.25rem; margin: 0 0 0.8rem; display: flex; align-items: center; gap: 0.6rem; flex-wrap: wrap; }
h3 { font-size: 1rem; margin: 0; }
.muted { color: var(--muted); }
.overview, .part, .contents { background: var(--card); border: 1px solid var(--line); border-radius: 10px; \
padding: 1.2rem 1.4rem; margin: 0 0 1.2rem; }
.overview { display: grid; grid-template-columns: minmax(220px, 1fr) 2.2fr; gap: 1.5rem; align-items: start; }
@media (max-width: 760px) { .overview { grid-template-columns: 1fr; } }
@media (max-width: 560px) { .bar-col { display: none; } }
.overall { display: flex; gap: 1rem; align-items: center; }
.overall-label { margin: 0 0 0.4rem; font-weight: 600; }
.ring .track { fill: none; stroke: var(--neutral-bg); stroke-width: 10; }
.ring .value { fill: none; stroke-width: 10; stroke-linecap: round; stroke: var(--neutral); }
.overall.good .ring .value { stroke: var(--good); } .overall.fair .ring .value { stroke: var(--fair); } \
.overall.bad .ring .value { stroke: var(--bad); }
.ring .figure { font-size: 28px; font-weight: 700; fill: var(--ink); }
.ring .of { font-size: 11px; fill: var(--muted); }
.counts { list-style: none; margin: 0; padding: 0; display: flex; flex-direction: column; gap: 0.15rem; }
.counts li { font-weight: 600; }
.counts .bad { color: var(--bad); } .counts .fair { color: var(--fair); } .counts .neutral { color: var(--muted); } \
.counts .good { color: var(--good); }
table { border-collapse: collapse; width: 100%; }
caption { text-align: left; font-weight: 600; padding: 0 0 0.4rem; }
th, td { text-align: left; padding: 0.35rem 0.6rem; border-bottom: 1px solid var(--line); vertical-align: top; }
thead th { font-size: 0.8rem; text-transform: uppercase; letter-spacing: 0.04em; color: var(--muted); \
font-weight: 600; }
.scores td, .scores th { vertical-align: middle; }
.scores th[scope=row] a { color: var(--ink); font-weight: 600; text-decoration: none; }
.scores th[scope=row] a:hover { text-decoration: underline; }
.bar-col { width: 34%; }
.bar { display: block; height: 8px; border-radius: 4px; background: var(--neutral-bg); overflow: hidden; }
.bar.none { background: repeating-linear-gradient(45deg, var(--neutral-bg) 0 6px, transparent 6px 12px); }
.fill { display: block; height: 100%; } .fill.good { background: var(--good); } .fill.fair { background: var(--fair); \
} .fill.bad { background: var(--bad); }
.badge { display: inline-block; font-size: 0.8rem; font-weight: 600; padding: 0.05rem 0.5rem; border-radius: 999px; \
white-space: nowrap; border: 1px solid transparent; }
.badge.good { color: var(--good); background: var(--good-bg); } .badge.fair { color: var(--fair); \
background: var(--fair-bg); }
.badge.bad { color: var(--bad); background: var(--bad-bg); } .badge.neutral { color: var(--neutral); \
background: var(--neutral-bg); font-style: italic; }
.contents { padding: 0.7rem 1.4rem; }
.contents ol { margin: 0; padding: 0; list-style: none; display: flex; flex-wrap: wrap; gap: 0.4rem 1.4rem; }
.contents a { font-weight: 600; }
.section-note { color: var(--muted); margin: 0 0 0.8rem; }
.findings { list-style: none; margin: 0; padding: 0; display: flex; flex-direction: column; gap: 0.8rem; }
.finding { border: 1px solid var(--line); border-left: 5px solid var(--neutral); border-radius: 8px; \
padding: 0.7rem 0.9rem; background: var(--card); }
.finding.error { border-left-color: var(--bad); } .finding.warning { border-left-color: var(--fair); } \
.finding.info { border-left-color: var(--info); }
.finding-head { display: flex; flex-wrap: wrap; align-items: baseline; gap: 0.3rem 0.7rem; }
.sev { font-size: 0.78rem; font-weight: 700; text-transform: uppercase; letter-spacing: 0.04em; \
padding: 0.05rem 0.45rem; border-radius: 4px; }
.sev.error { color: var(--bad); background: var(--bad-bg); } .sev.warning { color: var(--fair); \
background: var(--fair-bg); } .sev.info { color: var(--info); background: var(--info-bg); }
.rule { font-weight: 600; }
.service { font-size: 0.85rem; color: var(--muted); }
.service code { color: var(--ink); }
.rule-title { margin: 0.1rem 0 0; color: var(--muted); font-size: 0.9rem; }
.where { margin-left: auto; color: var(--muted); font-size: 0.85rem; overflow-wrap: anywhere; }
.message { margin: 0.4rem 0; overflow-wrap: anywhere; }
.excerpt { margin: 0.4rem 0; background: var(--code); border: 1px solid var(--line); border-radius: 6px; \
padding: 0.4rem 0; overflow-x: auto; line-height: 1.45; }
.excerpt .l { display: block; padding: 0 0.8rem 0 0; white-space: pre; }
.excerpt .n { display: inline-block; min-width: 3.2em; padding: 0 0.6em 0 0.4em; text-align: right; \
color: var(--muted); user-select: none; }
.excerpt .hit { background: var(--hit); color: inherit; }
.excerpt .hit .n { color: var(--ink); font-weight: 700; }
.excerpt .caret { color: var(--bad); font-weight: 700; }
.excerpt .caret-row { line-height: 0.9; }
.fix { margin: 0.4rem 0 0; padding: 0.45rem 0.7rem; background: var(--good-bg); border-radius: 6px; \
overflow-wrap: anywhere; }
.fix strong { color: var(--good); }
.related { margin: 0.4rem 0 0; font-size: 0.9em; }
.related ul { margin: 0.2rem 0 0; padding-left: 1.2rem; }
.clean { color: var(--good); font-weight: 600; margin: 0; }
.not-checked { color: var(--muted); font-style: italic; margin: 0; }
.chart-figure { margin: 0 0 1.2rem; }
.chart-figure figcaption { margin: 0 0 0.4rem; }
.chart { width: 100%; height: auto; display: block; background: var(--code); border: 1px solid var(--line); \
border-radius: 6px; }
.chart text { font-size: 11px; fill: var(--muted); font-family: inherit; }
.chart .grid { stroke: var(--line); stroke-width: 1; }
.chart .base, .chart .tick { stroke: var(--muted); stroke-width: 1; }
.chart .series { fill: none; stroke: var(--accent); stroke-width: 1.8; stroke-linejoin: round; }
.chart .dot { fill: var(--accent); }
.mk.good { fill: var(--good); } .mk.bad { stroke: var(--bad); stroke-width: 2.2; fill: none; }
.mk.fair { fill: var(--fair); } .mk.neutral { fill: var(--neutral); }
.chart .event line { stroke: var(--bad); stroke-dasharray: 4 3; stroke-width: 1.2; }
.chart .event circle { fill: var(--bad); }
.chart .event text { fill: #fff; font-weight: 700; font-size: 10px; }
.chart .event .span { fill: var(--bad); opacity: 0.09; }
.legend { list-style: none; padding: 0; margin: 0.4rem 0; display: flex; flex-wrap: wrap; gap: 0.2rem 1.2rem; \
font-size: 0.9rem; }
.events { margin: 0.4rem 0; padding-left: 1.6rem; font-size: 0.9rem; }
.events .num { font-variant-numeric: tabular-nums; font-weight: 600; }
details { margin: 0.4rem 0; }
summary { cursor: pointer; color: var(--accent); }
.chart-data table { font-size: 0.85rem; max-width: 36rem; }
.data td, .data th { font-size: 0.92rem; }
.page-footer { color: var(--muted); font-size: 0.85rem; padding-bottom: 2rem; }
@media print {
  body { background: #fff; }
  .overview, .part, .contents { border: none; padding: 0.5rem 0; }
  .contents, .skip { display: none; }
  .finding { break-inside: avoid; }
  details > *:not(summary) { display: block; }
}
`;
