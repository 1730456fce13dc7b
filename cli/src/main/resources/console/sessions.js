// The sessions page's live update: polls the JSON endpoint every 2 s and rebuilds the table with
// textContent only (never markup), so a key or a server id from the store cannot inject anything.
(() => {
  const table = document.getElementById('sessions');
  const body = document.getElementById('sessions-body');
  const empty = document.getElementById('no-sessions');
  const updated = document.getElementById('updated');
  const store = table.dataset.store;
  const cell = (tr, text) => { const td = document.createElement('td'); td.textContent = text; tr.appendChild(td); return td; };
  async function refresh() {
    try {
      const res = await fetch('/api/sessions?store=' + encodeURIComponent(store), { credentials: 'same-origin' });
      if (!res.ok) { updated.textContent = 'update failed: HTTP ' + res.status; return; }
      const sessions = await res.json();
      const rows = sessions.map((s) => {
        const tr = document.createElement('tr');
        tr.className = s.leaseState;
        const link = document.createElement('a');
        link.href = '/profile?store=' + encodeURIComponent(store) + '&key=' + encodeURIComponent(s.key);
        link.textContent = s.key;
        cell(tr, '').appendChild(link);
        cell(tr, String(s.epoch));
        cell(tr, s.serverId);
        cell(tr, s.placeId);
        cell(tr, s.jobId);
        cell(tr, s.leaseText);
        return tr;
      });
      body.replaceChildren(...rows);
      empty.hidden = sessions.length > 0;
      updated.textContent = 'updated ' + new Date().toLocaleTimeString();
    } catch (e) {
      updated.textContent = 'update failed: ' + e;
    }
  }
  setInterval(refresh, 2000);
})();
