// Live updates: GET /api/v1/stream is a text/event-stream that tells each user about changes
// to incidents they may see, whoever made them, and nothing about the ones they may not.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, assertProblem } from '../harness/server.mjs';
import { setUpCast, logIncident, move } from '../harness/incidents.mjs';

let srv;
let as;

before(async () => {
  srv = await startServer();
  as = await setUpCast(srv);
});

// Opens a stream and collects its events; `next(predicate)` waits for a matching one.
async function openStream(client, headers = {}) {
  const controller = new AbortController();
  const res = await fetch(`${srv.baseUrl}/api/v1/stream`, {
    headers: { authorization: `Bearer ${client.token}`, ...headers },
    signal: controller.signal,
  });
  const events = [];
  const waiters = [];
  let buffer = '';
  const pump = (async () => {
    const decoder = new TextDecoder();
    try {
      for await (const chunk of res.body) {
        buffer += decoder.decode(chunk, { stream: true });
        let end;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const event = { event: 'message', data: '', id: null, comment: false };
          for (const line of block.split('\n')) {
            if (line.startsWith(':')) event.comment = true;
            else if (line.startsWith('event: ')) event.event = line.slice(7);
            else if (line.startsWith('data: ')) event.data += line.slice(6);
            else if (line.startsWith('id: ')) event.id = line.slice(4);
          }
          if (event.data) event.json = JSON.parse(event.data);
          events.push(event);
          for (const w of [...waiters]) w();
        }
      }
    } catch {
      // aborted by close()
    }
  })();
  return {
    res,
    events,
    next(predicate, timeoutMs = 5000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const found = events.find(predicate);
          if (found) {
            waiters.splice(waiters.indexOf(check), 1);
            clearTimeout(timer);
            resolve(found);
          }
        };
        const timer = setTimeout(() => {
          waiters.splice(waiters.indexOf(check), 1);
          reject(new Error(`no matching event within ${timeoutMs} ms; got ${JSON.stringify(events)}`));
        }, timeoutMs);
        waiters.push(check);
        check();
      });
    },
    async close() {
      controller.abort();
      await pump;
    },
  };
}

const changeOf = (key) => (e) => e.event === 'change' && e.json?.key === key;

test('the stream needs a signed-in user', async () => {
  const res = await fetch(`${srv.baseUrl}/api/v1/stream`);
  assert.equal(res.status, 401);
  assertProblem({ status: res.status, headers: res.headers, body: await res.json() }, 401);
});

test('a change made by one user reaches another who may see it, with its version', async () => {
  const stream = await openStream(as.bob);
  try {
    assert.equal(stream.res.status, 200);
    assert.match(stream.res.headers.get('content-type'), /^text\/event-stream/);
    assert.equal(stream.res.headers.get('cache-control'), 'no-store');
    await stream.next((e) => e.event === 'ready');
    const { key } = await logIncident(as.alice, { title: 'Phishing wave against finance' });
    const created = await stream.next(changeOf(key));
    assert.equal(created.json.type, 'incident');
    assert.equal(created.json.action, 'incident.create');
    assert.equal(created.json.actor, 'user:alice');
    assert.match(created.id, /^[0-9]+$/);
    await move(as.alice, key, 'assigned');
    const moved = await stream.next((e) => changeOf(key)(e) && e.json.action === 'incident.transition');
    assert.ok(moved.json.version > created.json.version);
  } finally {
    await stream.close();
  }
});

test('changes to a restricted incident reach its team but never an outsider', async () => {
  const insider = await openStream(as.fiona);
  const outsider = await openStream(as.olga);
  const reporter = await openStream(as.rita);
  try {
    await Promise.all([insider, outsider, reporter].map((s) => s.next((e) => e.event === 'ready')));
    const secret = await logIncident(as.fiona, { title: 'Insider case', restricted: true, group: 'forensics' });
    const open = await logIncident(as.rita, { title: 'Lost badge' });
    await insider.next(changeOf(secret.key));
    // The reporter hears of their own report; by then the restricted one was long published.
    await reporter.next(changeOf(open.key));
    await outsider.next(changeOf(open.key));
    assert.equal(outsider.events.some(changeOf(secret.key)), false);
    assert.equal(reporter.events.some(changeOf(secret.key)), false);
    assert.equal(JSON.stringify(outsider.events).includes('Insider'), false);
  } finally {
    await Promise.all([insider.close(), outsider.close(), reporter.close()]);
  }
});

test('the stream counts in /metrics and a closed stream is let go', async () => {
  const stream = await openStream(as.ian);
  await stream.next((e) => e.event === 'ready');
  const metric = async () => {
    const text = (await as.admin.get('/metrics')).text;
    return Number(/^custos_live_streams (\d+)/m.exec(text)?.[1]);
  };
  assert.ok((await metric()) >= 1);
  await stream.close();
  // The server notices a closed stream when it next writes to it; a change makes it write.
  await logIncident(as.ian, { title: 'Trigger a write' });
  const deadline = Date.now() + 10_000;
  while ((await metric()) !== 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  assert.equal(await metric(), 0);
});
