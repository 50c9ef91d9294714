/**
 * The demo CRM's one page: a customer card that pops up when a call rings or
 * is answered (server-sent events), and the call records received, with a
 * player for each recording. Data is inserted with textContent, never as HTML.
 */
export function demoPage(): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Demo CRM — Switchboard reference receiver</title>
<style>
  body { font-family: system-ui, sans-serif; margin: 2rem; color: #0f172a; background: #f8fafc; }
  h1 { font-size: 1.4rem; } h2 { font-size: 1.1rem; margin-top: 2rem; }
  .card { background: white; border-radius: 12px; padding: 1rem 1.25rem; box-shadow: 0 1px 3px #0002; max-width: 32rem; }
  .card.ringing { outline: 3px solid #f59e0b; } .card.answered { outline: 3px solid #10b981; }
  .muted { color: #64748b; font-size: .9rem; }
  table { border-collapse: collapse; width: 100%; background: white; }
  th, td { text-align: left; padding: .4rem .6rem; border-bottom: 1px solid #e2e8f0; font-size: .9rem; vertical-align: top; }
  code { font-size: .8rem; }
</style>
</head>
<body>
<h1>Demo CRM</h1>
<p class="muted">Reference receiver for Switchboard's outbound APIs: signatures verified, look-ups answered, customer card live.</p>

<h2>Incoming call</h2>
<div id="card" class="card"><p class="muted">Waiting for a call…</p></div>

<h2>Call records received</h2>
<table>
  <thead><tr><th>Ended</th><th>Caller</th><th>Called</th><th>Answered by</th><th>Disposition</th><th>Talk (s)</th><th>Final</th><th>Recording</th></tr></thead>
  <tbody id="cdrs"></tbody>
</table>

<script>
const el = (tag, text, className) => { const node = document.createElement(tag); if (text !== undefined) node.textContent = String(text); if (className) node.className = className; return node; };

function showCard(event) {
  const card = document.getElementById("card");
  card.replaceChildren();
  const data = event.data;
  card.className = "card " + (data.trigger || "");
  const customer = event.customer || data.contact;
  card.append(el("p", (data.trigger === "answered" ? "Answered by " : "Ringing at ") + ((data.callee && data.callee.extension) || data.called_number), "muted"));
  card.append(el("h3", customer ? customer.name : "Unknown caller"));
  if (customer && customer.company) card.append(el("p", customer.company));
  card.append(el("p", data.caller.number));
  if (customer && customer.owner_extension) card.append(el("p", "Account owner: extension " + customer.owner_extension, "muted"));
  card.append(el("p", "call " + data.call_id, "muted"));
}

function cdrRow(event) {
  const cdr = event.data;
  const row = document.createElement("tr");
  row.append(el("td", new Date(cdr.ended_at).toLocaleString()));
  row.append(el("td", cdr.caller.number + (cdr.caller.name ? " (" + cdr.caller.name + ")" : "")));
  row.append(el("td", cdr.called_number));
  row.append(el("td", cdr.answered_by ? (cdr.answered_by.extension || cdr.answered_by.number) : "—"));
  row.append(el("td", cdr.disposition));
  row.append(el("td", cdr.talk_time_s));
  row.append(el("td", cdr.is_final ? "final" : "partial"));
  const cell = document.createElement("td");
  for (const recording of cdr.recordings || []) {
    const audio = document.createElement("audio");
    audio.controls = true;
    audio.preload = "none";
    audio.src = "/recordings/" + encodeURIComponent(recording.code);
    cell.append(audio);
  }
  if (!cell.childNodes.length) cell.textContent = "—";
  row.append(cell);
  return row;
}

async function loadCdrs() {
  const events = await (await fetch("/api/cdrs")).json();
  document.getElementById("cdrs").replaceChildren(...events.map(cdrRow));
}

const source = new EventSource("/stream");
source.onmessage = (message) => {
  const event = JSON.parse(message.data);
  if (event.type === "call.incoming") showCard(event);
  if (event.type === "call.ended") loadCdrs();
};
loadCdrs();
</script>
</body>
</html>`;
}
