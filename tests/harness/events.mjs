// Shared by the tests of event reports: filing and reading a report, and e-mail as an MTA
// hands it to `custos mailgate` on standard input.
import assert from 'node:assert/strict';

export async function report(client, fields = {}) {
  const res = await client.post('/api/v1/events', { title: 'Strange pop-up asking for my password', observed: 'A window titled "Session expired" after opening the invoice', ...fields });
  assert.equal(res.status, 201, res.text);
  return res.body;
}

export async function readEvent(client, key) {
  const res = await client.get(`/api/v1/events/${key}`);
  assert.equal(res.status, 200, res.text);
  return res.body;
}

// A mail as an MTA hands it over: CRLF line ends.
export const mail = (headers, body) => `${Object.entries(headers).map(([k, v]) => `${k}: ${v}`).join('\r\n')}\r\n\r\n${body.replace(/\n/g, '\r\n')}`;

export const mailgate = (srv, message, opts = {}) => srv.runCli(['mailgate'], { stdin: message, ...opts });
