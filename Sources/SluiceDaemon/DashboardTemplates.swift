/// The dashboard's Mustache templates: server-rendered HTML, small inline CSS, no script and
/// nothing fetched from the internet. `{{x}}` is HTML-escaped; `{{{x}}}` is used only for
/// HTML built here (the SVG from Graphviz, the rendered page inside the layout).
enum DashboardTemplates {
    static let layout = """
    <!doctype html>
    <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
    <title>{{title}} · sluice</title>
    <style>
    body{font:14px/1.45 system-ui,-apple-system,Segoe UI,Helvetica,Arial,sans-serif;margin:0;color:#111827;background:#f9fafb}
    header{background:#111827;color:#f9fafb;padding:.6rem 1rem;display:flex;gap:1.2rem;align-items:center;flex-wrap:wrap}
    header a{color:#d1d5db;text-decoration:none}header a:hover{color:#fff}header b{color:#fff}
    main{padding:1rem;max-width:1200px;margin:auto}
    h1{font-size:1.3rem;margin:.2rem 0 1rem}h2{font-size:1.05rem;margin:1.4rem 0 .5rem}
    table{border-collapse:collapse;width:100%;background:#fff;font-size:13px}
    th,td{border-bottom:1px solid #e5e7eb;padding:.35rem .5rem;text-align:left;vertical-align:top}
    th{background:#f3f4f6;font-weight:600}
    tr.failed td,tr.refused td{background:#fef2f2}tr.failed td.outcome,tr.refused td.outcome{color:#b91c1c;font-weight:600}
    .cards{display:flex;gap:.6rem;flex-wrap:wrap}.card{background:#fff;border:1px solid #e5e7eb;border-radius:6px;padding:.5rem .8rem;min-width:7rem}
    .card b{display:block;font-size:1.3rem}.card.bad{border-color:#fca5a5;background:#fef2f2}
    code,pre{font:12px ui-monospace,SFMono-Regular,Menlo,monospace}pre{background:#fff;border:1px solid #e5e7eb;padding:.6rem;overflow:auto;white-space:pre-wrap}
    .muted{color:#6b7280}.error{background:#fef2f2;border:1px solid #fca5a5;padding:.6rem;border-radius:6px}
    .added{background:#dcfce7}.altered{background:#fef3c7}.dropped{background:#fee2e2;text-decoration:line-through}
    .diagram{background:#fff;border:1px solid #e5e7eb;overflow:auto;padding:.5rem}.diagram svg{max-width:100%;height:auto}
    nav.pager a{margin-right:1rem}
    @media (max-width:640px){th.wide,td.wide{display:none}main{padding:.5rem}}
    </style></head>
    <body><header><b>sluice</b><a href="/">Deployments</a><a href="/schema">Schema</a><a href="/api/status">API</a><span class="muted">{{database}}</span></header>
    <main>{{{content}}}</main></body></html>
    """

    static let deployments = """
    <h1>Deployments</h1>
    <div class="cards" id="status">
    <div class="card"><span class="muted">applied</span><b>{{status.applied}}</b></div>
    <div class="card"><span class="muted">pending</span><b>{{status.pending}}</b></div>
    <div class="card{{#status.hasHeld}} bad{{/status.hasHeld}}"><span class="muted">held</span><b>{{status.held}}</b></div>
    <div class="card{{#status.hasDirty}} bad{{/status.hasDirty}}"><span class="muted">dirty</span><b>{{status.dirty}}</b></div>
    <div class="card{{#status.hasDrift}} bad{{/status.hasDrift}}"><span class="muted">schema drift</span><b>{{status.drift}}</b></div>
    <div class="card"><span class="muted">daemon</span><b>{{status.state}}</b><span class="muted">commit {{status.commit}}</span></div>
    <div class="card"><span class="muted">last cycle</span><b>{{status.lastResult}}</b><span class="muted">next poll {{status.nextPoll}}</span></div>
    <div class="card"><span class="muted">lock holder</span><b>{{status.lockHolder}}</b></div>
    </div>
    {{#status.hasHeld}}<h2>Held</h2><ul>{{#status.heldList}}<li>{{version}}{{#reason}}: {{.}}{{/reason}}</li>{{/status.heldList}}</ul>{{/status.hasHeld}}
    {{#status.hasDrift}}<h2>Schema drift (changed outside Sluice)</h2><ul id="drift">{{#status.driftList}}<li>{{.}}</li>{{/status.driftList}}</ul>{{/status.hasDrift}}
    {{#status.hasDirty}}<h2>Dirty</h2><p class="error">{{#status.dirtyList}}{{.}} {{/status.dirtyList}}— settle with <code>sluice resolve VERSION --mark applied|reverted</code></p>{{/status.hasDirty}}
    <h2>History</h2>
    <table id="deployments"><thead><tr><th>when</th><th>what</th><th>outcome</th><th>versions</th><th class="wide">commit</th><th class="wide">actor</th><th>duration</th></tr></thead><tbody>
    {{#events}}<tr class="{{outcome}}"><td><a href="/deployments/{{id}}">{{at}}</a></td><td>{{kind}}</td><td class="outcome">{{outcome}}</td><td>{{versions}}</td>
    <td class="wide">{{#commit}}<code>{{short}}</code> {{author}} {{subject}}{{/commit}}</td><td class="wide">{{actor}}</td><td>{{duration}}</td></tr>
    {{/events}}</tbody></table>
    <nav class="pager">{{#older}}<a href="/?before={{.}}">older →</a>{{/older}}</nav>
    """

    static let deployment = """
    <h1>{{event.kind}} · <span class="{{event.outcome}}">{{event.outcome}}</span></h1>
    <p>{{event.at}} by {{event.actor}}{{#event.commit}} at commit <code>{{.}}</code>{{/event.commit}}{{#event.duration}} · {{.}}{{/event.duration}}</p>
    <p id="message">{{event.message}}</p>
    {{#error}}<div class="error" id="error"><b>{{message}}</b>{{#sqlstate}}<br>SQLSTATE <code>{{.}}</code>{{/sqlstate}}{{#file}}<br>file <code>{{.}}</code>{{/file}}{{#hint}}<br>{{.}}{{/hint}}</div>{{/error}}
    {{#hasSteps}}<h2>Steps</h2><table id="steps"><tr><th>step</th><th>version</th><th>migration</th><th>duration</th></tr>
    {{#steps}}<tr><td>{{verb}}</td><td>{{version}}</td><td>{{name}}</td><td>{{duration}}</td></tr>{{/steps}}</table>{{/hasSteps}}
    {{#report}}<h2>Rehearsal on a {{strategy}} clone ({{size}}, {{cloneTime}})</h2>
    {{#failure}}<div class="error">FAILED: {{verb}} {{version}} {{name}} at <code>{{location}}</code>: {{message}}{{#sqlState}} (SQLSTATE {{.}}){{/sqlState}}</div>{{/failure}}
    <table id="rehearsal"><tr><th>step</th><th>duration</th><th>locks</th><th>schema changes</th><th>destroys</th></tr>
    {{#rsteps}}<tr><td>{{verb}} {{version}} {{name}}</td><td>{{duration}}</td><td>{{#locks}}{{relation}}: {{mode}}{{#blocks}} <b>({{.}})</b>{{/blocks}}<br>{{/locks}}</td>
    <td>{{#changes}}{{.}}<br>{{/changes}}</td><td>{{#destroys}}<b>{{.}}</b><br>{{/destroys}}</td></tr>{{/rsteps}}</table>{{/report}}
    {{#hasMigrations}}<h2>SQL</h2>{{#migrations}}<h3><a href="/schema/{{version}}">{{version}}</a> {{file}}</h3><pre>{{up}}</pre>{{#down}}<details><summary>down</summary><pre>{{.}}</pre></details>{{/down}}{{/migrations}}{{/hasMigrations}}
    {{#details}}<h2>Details</h2><pre>{{.}}</pre>{{/details}}
    """

    static let schema = """
    <h1>Schema at version {{version}}</h1>
    <nav class="pager">{{#previous}}<a id="previous" href="/schema/{{.}}">← {{.}}</a>{{/previous}}{{#next}}<a id="next" href="/schema/{{.}}">{{.}} →</a>{{/next}}</nav>
    {{#hasChanges}}<h2>Changed at this version</h2><ul id="changes">{{#changes}}<li class="{{action}}">{{text}}</li>{{/changes}}</ul>{{/hasChanges}}
    {{#svg}}<div class="diagram" id="diagram">{{{.}}}</div>{{/svg}}
    {{^svg}}<p class="error" id="no-graphviz">{{graphvizMissing}}</p>{{/svg}}
    <h2>Tables</h2>
    {{#tables}}<table class="schema-table {{mark}}" id="table-{{name}}"><tr><th colspan="2" class="{{mark}}">{{name}}{{#changed}} ({{mark}}){{/changed}}</th></tr>
    {{#columns}}<tr class="{{mark}}"><td>{{#key}}<span class="muted">PK</span> {{/key}}{{name}}</td><td class="muted">{{type}}</td></tr>{{/columns}}</table><br>{{/tables}}
    """

    static let message = """
    <h1>{{title}}</h1><p>{{text}}</p>
    """
}
