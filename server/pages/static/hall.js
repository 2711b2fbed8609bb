// The opening hall: a countdown to the opening time on the SERVER's clock, and live updates by
// server-sent events. The browser's own clock is never read as a time of day: the server's "now"
// comes with the page and with every event, and only the time elapsed since (performance.now())
// is added to it between events.
(() => {
  var hall = document.getElementById('hall');
  if (!hall) return;
  var d = hall.dataset;
  var openingAt = Number(d.openingAt);
  var serverNow = Number(d.serverNow);
  var at = performance.now();
  var countdown = document.getElementById('countdown');
  var serverTime = document.getElementById('server-time');
  var stateEl = document.getElementById('hall-state');
  var connection = document.getElementById('connection');

  function pad(n) {
    return (n < 10 ? '0' : '') + n;
  }
  function remaining(ms) {
    var total = Math.max(0, Math.floor(ms / 1000));
    var days = Math.floor(total / 86400);
    var hms = pad(Math.floor((total % 86400) / 3600)) + ':' + pad(Math.floor((total % 3600) / 60)) + ':' + pad(total % 60);
    return days > 0 ? days + d.days + ' ' + hms : hms;
  }
  function shanghai(ms) {
    // UTC+8 all year (no daylight saving): shift and read the UTC fields.
    var t = new Date(ms + 8 * 3600 * 1000);
    return t.getUTCFullYear() + '-' + pad(t.getUTCMonth() + 1) + '-' + pad(t.getUTCDate()) + ' ' + pad(t.getUTCHours()) + ':' + pad(t.getUTCMinutes()) + ':' + pad(t.getUTCSeconds()) + ' (UTC+8)';
  }
  function now() {
    return serverNow + (performance.now() - at);
  }
  function render() {
    var n = now();
    countdown.textContent = remaining(openingAt - n);
    serverTime.textContent = shanghai(n);
  }
  render();
  setInterval(render, 500);

  // Each cell carries its column's head, shown before it in the narrow stacked layout (portal.css).
  var heads = Array.prototype.map.call(document.querySelectorAll('#record-table thead th'), (th) => th.textContent);
  function cell(row, text, cls) {
    var td = document.createElement('td');
    td.textContent = text;
    if (cls) td.className = cls;
    var label = heads[row.children.length];
    if (label) td.setAttribute('data-label', label);
    row.appendChild(td);
    return td;
  }
  function showRecord(s) {
    var section = document.getElementById('hall-record');
    var tbody = document.getElementById('record-bids');
    document.getElementById('bid-count').textContent = String(s.bidCount);
    while (tbody.firstChild) tbody.removeChild(tbody.firstChild);
    s.bids.forEach((b) => {
      var tr = document.createElement('tr');
      cell(tr, String(b.seq));
      cell(tr, b.bidder, 'bidder');
      cell(tr, b.receivedAt);
      cell(tr, b.price, 'num price');
      cell(tr, b.status);
      cell(tr, b.validity);
      cell(tr, b.remarks);
      var a = document.createElement('a');
      a.href = b.ciphertextUrl;
      a.textContent = '↓';
      cell(tr, '').appendChild(a);
      tbody.appendChild(tr);
    });
    section.hidden = false;
    hall.dataset.opened = 'true';
  }

  // The objection form the server rendered hidden for a bidder before the window: shown when this
  // viewer may raise an objection, hidden again when the window closes.
  var later = document.getElementById('objections-later');
  var opened = document.getElementById('objections-opened');
  function showObjectionForm(w) {
    if (!later || !w) return;
    if (w.mayRaise && later.hidden) {
      later.hidden = false;
      opened.textContent = opened.dataset.text;
      opened.className = 'notice';
      hall.dataset.objections = 'open';
    } else if (!w.mayRaise && !later.hidden) {
      later.hidden = true;
      opened.textContent = '';
      opened.className = '';
      hall.dataset.objections = 'closed';
    }
  }

  if (!window.EventSource) return;
  var es = new EventSource(d.events);
  es.addEventListener('open', () => {
    connection.textContent = '● ' + d.live;
  });
  es.addEventListener('error', () => {
    connection.textContent = d.disconnected;
  });
  es.addEventListener('state', (e) => {
    var s = JSON.parse(e.data);
    serverNow = Number(s.now);
    at = performance.now();
    openingAt = Number(s.openingAt);
    stateEl.textContent = s.stateName;
    hall.dataset.state = s.state;
    render();
    showObjectionForm(s.objections);
  });
  es.addEventListener('opened', (e) => {
    showRecord(JSON.parse(e.data));
  });
})();
