// The status page: draws each snapshot passgated pushes on /events (server-sent events), and
// says plainly when the stream is lost, and why when it knows (a login needed, the gate busy);
// it reconnects by itself, except when a login is needed. Read-only: it never sends anything
// but GETs.
'use strict';

const STATE_LOOK = {
  idle: ['ok', 'Idle'], closed: ['ok', 'Closed'], validating: ['busy', 'Checking'], admitting: ['busy', 'Admitting'],
  open: ['busy', 'Open'], closing: ['warn', 'Closing'], fault: ['bad', 'Fault'], out_of_service: ['off', 'Out of service'],
  emergency: ['bad', 'Emergency: free'], emergency_clearing: ['warn', 'Emergency clearing'],
};
const OUTPUTS = [['release_in', 'release in'], ['release_out', 'release out'], ['led_green', 'green light'],
                 ['led_red', 'red light'], ['buzzer', 'buzzer']];

// For tests and tools/bench/status_page_latency.py: how many snapshots came, their bytes, and
// each one's latency (its change in the daemon to this page's DOM, ms).
window.passgateLatencies = [];
window.passgateSnapshots = 0;
window.passgateEventBytes = 0;

function el(tag, cls, text) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}

function tag(text, cls) { return el('span', 'tag' + (cls ? ' ' + cls : ''), text); }

function clock(iso) { return iso ? new Date(iso).toLocaleTimeString([], { hour12: false }) : ''; }

function duration(s) {
  if (s === null || s === undefined) return '';
  if (s < 60) return s + ' s';
  if (s < 3600) return Math.floor(s / 60) + ' min';
  if (s < 86400) return Math.floor(s / 3600) + ' h ' + Math.floor((s % 3600) / 60) + ' min';
  return Math.floor(s / 86400) + ' d ' + Math.floor((s % 86400) / 3600) + ' h';
}

function laneCard(lane) {
  const card = el('article', 'lane');
  card.id = 'lane-' + lane.lane;
  card.append(el('h2', null, 'Lane ' + lane.lane + ' · ' + (lane.kind === 'entry' ? 'entry ➜ in' : 'exit ➜ out')));
  const look = STATE_LOOK[lane.state] || ['off', lane.state];
  const state = el('div', 'state ' + look[0], look[1]);
  state.dataset.state = lane.state;
  if (lane.state === 'admitting') state.append(el('small', null, lane.places_left + ' place(s) left'));
  if (!lane.in_service && lane.state !== 'out_of_service') state.append(el('small', null, 'set out of service'));
  card.append(state);

  const beams = el('div', 'row beams');
  beams.append(tag('outer beam ' + (lane.beams.outer ? 'blocked' : 'clear'), lane.beams.outer ? 'blocked' : ''));
  beams.append(tag('inner beam ' + (lane.beams.inner ? 'blocked' : 'clear'), lane.beams.inner ? 'blocked' : ''));
  card.append(beams);

  const outputs = el('div', 'row outputs');
  for (const [key, name] of OUTPUTS) {
    outputs.append(tag(name + ' ' + (lane.outputs[key] ? 'on' : 'off'), lane.outputs[key] ? 'on ' + key : ''));
  }
  card.append(outputs);

  const devices = el('div', 'row devices');
  if (lane.scanner) {
    const s = tag('scanner ' + (lane.scanner.connected ? 'connected' : 'LOST'), lane.scanner.connected ? 'good' : 'lost');
    s.classList.add('scanner');
    if (lane.scanner.detail) s.title = lane.scanner.detail;
    devices.append(s);
    if (!lane.scanner.connected && lane.scanner.detail) devices.append(el('span', 'detail', lane.scanner.detail));
  }
  if (lane.card_entry) {
    devices.append(tag('card reader ' + (lane.card_entry.enabled ? 'on' : 'off: ' + lane.card_entry.reason),
                       lane.card_entry.enabled ? 'good' : 'lost'));
  }
  for (const alarm of lane.active_alarms) devices.append(tag('alarm: ' + alarm.replaceAll('_', ' '), 'alarm'));
  card.append(devices);

  const scans = el('ul', 'scans');
  for (const scan of lane.recent_scans) {
    const li = el('li');
    li.append(el('span', null, clock(scan.at) + ' '));
    li.append(el('span', scan.outcome, scan.outcome));
    const more = scan.outcome === 'admitted'
      ? ' ' + scan.people + (scan.people === 1 ? ' person' : ' people') + (scan.offline ? ', offline' : '')
      : ': ' + scan.reason;
    li.append(el('span', null, more + (scan.way === 'card' ? ' (card)' : '')));
    scans.append(li);
  }
  if (!lane.recent_scans.length && lane.kind === 'entry') scans.append(el('li', null, 'no scan yet'));
  card.append(scans);
  return card;
}

function reach(name, r) {
  if (!r || r.state === 'unknown') return [name, 'not known yet', 'off'];
  return [name, r.state + ' since ' + clock(r.since), r.state === 'reachable' ? 'ok' : 'bad'];
}

function gateFacts(s) {
  const facts = [];
  facts.push(reach('Tracking engine', s.tracking));
  facts.push(reach('Payment gateway', s.gateway));
  const q = s.payment_queue;
  if (q) {
    const owed = Object.entries(q.owed_minor || {}).map(([c, m]) => (m / 100).toFixed(2) + ' ' + c).join(', ') || 'nothing';
    facts.push(['Payment queue', q.outstanding + ' operation(s) waiting, owing ' + owed +
      (q.oldest_age_s !== null && q.oldest_age_s !== undefined ? ', oldest ' + duration(q.oldest_age_s) : ''),
      q.outstanding ? 'warn' : 'ok']);
    facts.push(['Dead letters', q.dead_letters ? q.dead_letters + ': passgatectl queue lists them' : 'none',
      q.dead_letters ? 'bad' : 'ok']);
    facts.push(['Quarantined carts', q.quarantined_carts
      ? q.quarantined_carts + ': passgatectl queue lists them; charge after correction or write off' : 'none',
      q.quarantined_carts ? 'bad' : 'ok']);
  }
  if (s.outbox !== undefined) {
    facts.push(['Outbox', s.outbox + ' message(s) waiting' + (s.outbox_dead_letters ? ', ' + s.outbox_dead_letters + ' dead letter(s)' : ''),
      s.outbox_stuck || s.outbox_dead_letters ? 'bad' : (s.outbox ? 'warn' : 'ok')]);
  }
  facts.push(['Database', s.database.ok ? 'ok' : 'cannot be read: ' + s.database.error, s.database.ok ? 'ok' : 'bad']);
  facts.push(['Health', s.health.ok ? 'ok' : s.health.problem, s.health.ok ? 'ok' : 'bad']);
  if (s.sessions_open !== undefined) facts.push(['Sessions open', String(s.sessions_open), '']);
  facts.push(['Version', s.version, '']);
  facts.push(['Up', duration(s.uptime_s) + ' (since ' + clock(s.started_at) + ')', '']);
  return facts;
}

// [name, value, look ('' for plain text)] rows into the <dl> `id`, each value's id `prefix` + its name.
function fillFacts(id, prefix, facts) {
  const rows = [];
  for (const [name, value, cls] of facts) {
    const dd = el('dd');
    dd.id = prefix + name.toLowerCase().replaceAll(' ', '-');
    dd.append(cls ? el('span', 'pill ' + cls, value) : document.createTextNode(value));
    rows.push(el('dt', null, name), dd);
  }
  document.getElementById(id).replaceChildren(...rows);
}

// "12:03:07 (40 s ago)": a moment `s` seconds before this snapshot.
function ago(s) { return clock(new Date(Date.now() - s * 1000).toISOString()) + ' (' + duration(s) + ' ago)'; }

function storeFacts(st) {
  const o = st.occupancy;
  const down = !st.reachable;
  const facts = [];
  facts.push(['Fallback', st.fallback + (down ? ': ' : ' (if etcd does not answer: ') +
    (st.fallback === 'local' ? 'entries admitted on this gate\'s own checks, claimed store-wide later'
      : 'entries denied, lane_unavailable') + (down ? '' : ')'), down ? (st.fallback === 'local' ? 'warn' : 'bad') : '']);
  facts.push(['Occupancy', o ? o.inside + ' inside now · ' + o.entered + ' entered, ' + o.exited + ' exited · ' +
    o.arrays + ' gate array(s) counted · as of ' + ago(o.read_s_ago) : 'not read yet', '']);
  const owed = st.claims_owed + st.releases_owed;
  facts.push(['Owed to etcd', owed ? st.claims_owed + ' claim(s) of admissions made while etcd did not answer, ' +
    st.releases_owed + ' release(s): made when etcd answers' : 'nothing', st.claims_owed ? 'warn' : 'ok']);
  facts.push(['Double uses', st.double_uses_24h
    ? st.double_uses_24h + ' in the last 24 h: admitted here while etcd did not answer and at another gate array ' +
      'too. Nothing was undone; a token\'s cart is quarantined (passgatectl queue). Tell loss prevention ' +
      '(log event=store_double_use names the sessions)' : 'none in the last 24 h', st.double_uses_24h ? 'bad' : 'ok']);
  facts.push(['Unchecked claims', st.claims_unchecked
    ? st.claims_unchecked + ' admission(s) could no longer be checked for a double use: tell loss prevention'
    : 'none', st.claims_unchecked ? 'bad' : 'ok']);
  facts.push(['Gate id', st.gate_id_shared ? 'SHARED with another box (see the alarm above)' : 'no other box seen using it',
    st.gate_id_shared ? 'bad' : 'ok']);
  if (down && st.last_error) facts.push(['Last error', st.last_error, '']);
  return facts;
}

// The store-wide coordination ([store]); the panel is hidden without it.
function renderStore(st) {
  document.getElementById('store').hidden = !st;
  const shared = st ? st.gate_id_shared : 0;
  document.getElementById('gate-id-shared').hidden = !shared;
  document.getElementById('gate-id-shared-text').textContent = shared
    ? shared + ' key(s) in the store\'s etcd are held under this gate_id by a session this database cannot vouch ' +
      'for: another box uses the same gate_id, or this database was restored or copied. Give every gate array its ' +
      'own gate_id (docs/troubleshooting.md).' : '';
  if (!st) return;
  const etcd = document.getElementById('store-etcd');
  etcd.className = 'state ' + (st.reachable ? 'ok' : 'bad');
  etcd.dataset.state = st.reachable ? 'reachable' : 'unreachable';
  etcd.textContent = st.reachable ? 'etcd reachable' : 'etcd UNREACHABLE';
  const read = st.occupancy ? ago(st.occupancy.read_s_ago) : null;
  etcd.append(el('small', null, st.reachable ? (read ? 'last answered ' + read : 'not asked yet')
    : 'no answer since ' + (read || 'passgated started') + ': entries follow the fallback'));
  fillFacts('store-facts', 'store-', storeFacts(st));
}

function render(s) {
  document.getElementById('identity').textContent = 'store ' + s.store_id + ' · gate ' + s.gate_id;
  document.title = (s.fire_alarm ? 'FIRE ALARM · ' : '') + s.gate_id + ' · Passgate status';
  const fire = document.getElementById('fire');
  fire.hidden = !s.fire_alarm;
  document.getElementById('fire-cause').textContent = s.fire_alarm_cause ? 'Cause: ' + s.fire_alarm_cause.text : '';

  const attention = document.getElementById('attention');
  attention.replaceChildren(...(s.attention || []).map((line) => el('li', null, line)));
  document.getElementById('attention-box').hidden = !(s.attention || []).length;

  document.getElementById('lanes').replaceChildren(...(s.lanes || []).map(laneCard));

  renderStore(s.store);
  fillFacts('gate-facts', 'fact-', gateFacts(s));
}

function setLive(live) {
  const pill = document.getElementById('live');
  pill.className = 'pill ' + (live ? 'ok' : 'bad');
  pill.textContent = live ? 'live' : 'NOT LIVE';
  const lost = document.getElementById('lost');
  if (!live && lost.hidden) document.getElementById('lost-since').textContent = 'since ' + new Date().toLocaleTimeString([], { hour12: false });
  lost.hidden = live;
}

// Why the live view is not live, on the lost banner ('': the gate is just gone).
function setWhy(text) {
  document.getElementById('lost-why').textContent = text || 'It reconnects by itself when passgated answers again.';
}

const RETRY_MIN_MS = 1000;
const RETRY_MAX_MS = 30000;
let retryMs = RETRY_MIN_MS;

// The stream was refused, or ended for good: EventSource then never tries again and hides the
// answer's status, so ask for the snapshot once to learn it. A login needed (401) is said on
// the page, and nothing retried (the browser's login prompt comes with a reload); too busy
// (429: too many failed logins here, or the gate busy checking logins; 503) is retried after
// Retry-After; anything else after a back-off.
function closed() {
  setLive(false);
  const again = (ms) => {
    setTimeout(connect, ms);
    retryMs = Math.min(retryMs * 2, RETRY_MAX_MS);
  };
  fetch('/status.json', { cache: 'no-store' }).then((reply) => {
    if (reply.status === 401) {
      setWhy('Login needed: reload the page and log in.');
      return;
    }
    const after = Number(reply.headers.get('Retry-After'));
    if (reply.status === 429) {
      // Two 429s: too many failed logins from this address, or the hashing budget spent.
      return reply.text().catch(() => '').then((body) => {
        setWhy((body.startsWith('too many failed logins')
          ? 'Too many failed logins from this computer; trying again in '
          : 'The gate is busy checking logins; trying again in ') + after + ' s.');
        again(after > 0 ? after * 1000 : retryMs);
      });
    }
    if (reply.ok) {
      setWhy('The live view could not open (8 browsers may watch already); trying again.');
      again(retryMs);
    } else {
      setWhy('');
      again(retryMs);
    }
  }, () => {
    setWhy('');
    again(retryMs);
  });
}

function connect() {
  const events = new EventSource('/events');
  events.onopen = () => {
    retryMs = RETRY_MIN_MS;
    setWhy('');
    setLive(true);
  };
  events.onerror = () => {
    if (events.readyState === EventSource.CLOSED) {
      closed();
    } else {
      setLive(false);  // lost: EventSource tries again by itself every second
    }
  };
  events.onmessage = (message) => {
    const snapshot = JSON.parse(message.data);
    render(snapshot);
    setLive(true);
    window.passgateSnapshots += 1;
    window.passgateEventBytes += message.data.length;
    if (snapshot.changed_at_ms) window.passgateLatencies.push(Date.now() - snapshot.changed_at_ms);
  };
}

connect();
