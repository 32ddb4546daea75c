// The evidence story from end to end, as the evidence issue's "done when" tells it: a
// reporter's e-mail becomes a report through `custos mailgate`, triage promotes it into an
// incident, evidence is uploaded and handed over, the incident's evidence is exported, and the
// package verifies offline — and no longer does after a single changed byte or manifest field.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { startServer, assertProblem } from '../harness/server.mjs';
import { setUpCast, read } from '../harness/incidents.mjs';
import { mail, mailgate, readEvent } from '../harness/events.mjs';
import { addItem, fetchBytes, sha256, tarEntries, upload, verifyCli, verifyTampered } from '../harness/evidence.mjs';

let srv;
let as;

before(async () => {
  srv = await startServer();
  as = await setUpCast(srv, { emails: true });
});

const custodyOf = async (client, key) => {
  const res = await client.get(`/api/v1/evidence/${key}/custody`);
  assert.equal(res.status, 200, res.text);
  return res.body.items;
};

test('a reported e-mail becomes an incident whose evidence is exported and verified, and tampering is caught', async () => {
  // 1. The reporter forwards the suspicious message to the security mailbox.
  const attachment = Buffer.from('MZ\x90\x00 pretend executable from the phishing mail\n'.repeat(40), 'latin1');
  const message = mail(
    {
      From: 'Rita <rita@example.org>',
      To: 'security@example.org',
      Subject: 'Invoice mail with a strange attachment',
      'Message-ID': '<flow-1@mail.example.org>',
      'MIME-Version': '1.0',
      'Content-Type': 'multipart/mixed; boundary="flow"',
    },
    `--flow\nContent-Type: text/plain; charset=utf-8\n\nThe attachment wanted macros enabled. I closed it.\n--flow\nContent-Type: application/octet-stream; name="invoice.exe"\nContent-Transfer-Encoding: base64\n\n${attachment.toString('base64').replace(/.{76}/g, '$&\n')}\n--flow--\n`,
  );
  const gate = mailgate(srv, message);
  assert.equal(gate.code, 0, gate.stderr);
  const eventKey = gate.stdout.match(/created (EVT-\d{6})/)?.[1];
  assert.ok(eventKey, gate.stdout);
  const reported = await readEvent(as.rita, eventKey);
  assert.equal(reported.channel, 'email');
  assert.equal(reported.reporter, 'rita');
  assert.equal(reported.status, 'new');

  // 2. Triage: an agent finds it in the queue, classifies and promotes it into an incident.
  const queue = await as.alice.get('/api/v1/events?status=new&sort=created&limit=100');
  assert.ok(queue.body.items.some((e) => e.key === eventKey), queue.text);
  const classified = await as.alice.post(`/api/v1/events/${eventKey}/classification`, { category: 'malicious-code', impact: 'moderate', urgency: 'high' });
  assert.equal(classified.status, 200, classified.text);
  const promoted = await as.alice.post(`/api/v1/events/${eventKey}/promote`, { reason: 'Malware delivered by mail to finance.' });
  assert.equal(promoted.status, 200, promoted.text);
  const incidentKey = promoted.body.incident;
  assert.match(incidentKey, /^INC-\d{6}$/);
  const incident = await read(as.alice, incidentKey);
  assert.equal(incident.source, 'email');
  const carried = await as.alice.get(`/api/v1/incidents/${incidentKey}/attachments`);
  const exe = carried.body.items.find((f) => f.filename === 'invoice.exe');
  assert.ok(exe, carried.text);
  assert.equal(exe.sha256, sha256(attachment));

  // 3. Evidence: the original message and its attachment, hashed by custos against what the
  //    collector declared, and the laptop it was opened on.
  const mailItem = await addItem(as.alice, incidentKey, { type: 'email', description: 'The reported message as received', source: 'security@example.org', collected_by: 'alice', declared_hash_algorithm: 'sha256', declared_hash: sha256(message) });
  const mailUp = await upload(as.alice, mailItem.key, Buffer.from(message), '?filename=report.eml');
  assert.equal(mailUp.status, 201, mailUp.text);
  assert.equal(mailUp.body.content.sha256, sha256(message));
  assert.equal(mailUp.body.hash_mismatch, false);
  const exeItem = await addItem(as.alice, incidentKey, { type: 'document', description: 'invoice.exe from the message', collected_by: 'alice' });
  const exeUp = await upload(as.alice, exeItem.key, attachment, `?filename=invoice.exe&declared_hash_algorithm=sha256&declared_hash=${'0'.repeat(64)}`);
  assert.equal(exeUp.status, 201, exeUp.text);
  // A declared hash that does not match is flagged, and the content is kept.
  assert.equal(exeUp.body.hash_mismatch, true);
  assert.equal(exeUp.body.content.sha256, sha256(attachment));
  const laptop = await addItem(as.alice, incidentKey, { type: 'physical_item', description: 'Finance laptop FIN-LT-042', collected_by: 'alice', location: 'evidence locker 2' });
  assert.equal(laptop.content, null);

  // 4. Chain of custody: handed to the lab, analysed there, downloaded by the analyst.
  const refused = await as.alice.post(`/api/v1/evidence/${mailItem.key}/custody`, { action: 'transferred', from: 'bob', to: 'lab' });
  assertProblem(refused, 409);
  assert.equal(refused.body.errors[0].field, 'from');
  for (const key of [mailItem.key, laptop.key]) {
    const moved = await as.alice.post(`/api/v1/evidence/${key}/custody`, { action: 'transferred', from: 'alice', to: 'bob', location: 'forensics lab', purpose: 'analysis' });
    assert.equal(moved.status, 201, moved.text);
  }
  const analysed = await as.bob.post(`/api/v1/evidence/${mailItem.key}/custody`, { action: 'analysed', purpose: 'Header analysis: sent through a compromised supplier account' });
  assert.equal(analysed.status, 201, analysed.text);
  const down = await fetchBytes(as.bob, 'GET', `/api/v1/evidence/${mailItem.key}/content`);
  assert.equal(down.status, 200);
  assert.equal(sha256(down.bytes), sha256(message));
  assert.equal((await read(as.alice, incidentKey)).key, incidentKey);
  assert.equal((await as.alice.get(`/api/v1/evidence/${mailItem.key}`)).body.custodian, 'bob');
  assert.deepEqual((await custodyOf(as.aud, mailItem.key)).map((e) => e.action), ['collected', 'transferred', 'analysed', 'downloaded']);

  // 5. A legal hold before the export: no disposal while it holds.
  const hold = await as.sam.post(`/api/v1/incidents/${incidentKey}/legal-hold`, { reason: 'Criminal complaint filed' });
  assert.equal(hold.status, 201, hold.text);
  assertProblem(await as.bob.post(`/api/v1/evidence/${laptop.key}/custody`, { action: 'disposed', purpose: 'wipe' }), 409);

  // 6. Export the incident's evidence and verify the package offline.
  const exported = await fetchBytes(as.alice, 'POST', `/api/v1/incidents/${incidentKey}/evidence/export`);
  assert.equal(exported.status, 200);
  const dir = fs.mkdtempSync(path.join(srv.dataDir, 'flow-'));
  const file = path.join(dir, `${incidentKey}.tar`);
  fs.writeFileSync(file, exported.bytes);
  const ok = verifyCli(file);
  assert.equal(ok.code, 0, ok.stderr);
  assert.match(ok.stdout, new RegExp(`package intact: ${incidentKey}, 3 item\\(s\\), 2 file\\(s\\)`));

  // The manifest carries what a court needs: every item with its hashes and its custody.
  const entries = tarEntries(exported.bytes);
  assert.deepEqual([...entries.keys()].sort(), ['files/' + exeItem.key, 'files/' + mailItem.key, 'manifest.json', 'signature.json'].sort());
  const m = entries.get('manifest.json');
  const manifest = JSON.parse(exported.bytes.subarray(m.offset, m.offset + m.size).toString('utf8'));
  assert.equal(manifest.incident.key, incidentKey);
  assert.equal(manifest.incident.legal_holds.length, 1);
  const byKey = Object.fromEntries(manifest.items.map((i) => [i.key, i]));
  assert.equal(byKey[mailItem.key].content.sha256, sha256(message));
  assert.equal(byKey[exeItem.key].hash_mismatch, true);
  assert.deepEqual(byKey[mailItem.key].custody.map((e) => e.action).slice(0, 4), ['collected', 'transferred', 'analysed', 'downloaded']);
  assert.ok(manifest.audit_entries.some((a) => a.action === 'incident.legal_hold_set'), 'the legal hold is in the audit entries');
  // The export itself is a custody entry of every item.
  for (const key of [mailItem.key, exeItem.key, laptop.key]) assert.equal((await custodyOf(as.alice, key)).at(-1).action, 'exported');

  // The reporter followed it all the way: the report names the incident.
  const outcome = await readEvent(as.rita, eventKey);
  assert.equal(outcome.status, 'promoted');
  assert.equal(outcome.incident, incidentKey);

  // 7. Tampering. One changed byte of a stored file:
  const f = entries.get(`files/${mailItem.key}`);
  const byte = verifyTampered(file, exported.bytes, 'file-byte', (b) => {
    b[f.offset + Math.floor(f.size / 2)] ^= 0x20;
  });
  assert.equal(byte.code, 1, byte.stdout);
  assert.match(byte.stderr, new RegExp(`files/${mailItem.key}: SHA-256 is`));
  // One changed field of the manifest (the analyst's name in a hand-over), same length, so the
  // archive itself stays well-formed:
  const text = exported.bytes.subarray(m.offset, m.offset + m.size).toString('latin1');
  const handover = text.indexOf('"to": "bob"');
  assert.ok(handover > 0, 'the manifest records the hand-over to bob');
  const field = verifyTampered(file, exported.bytes, 'manifest-field', (b) => {
    b.write('"to": "eve"', m.offset + handover, 'latin1');
  });
  assert.equal(field.code, 1, field.stdout);
  assert.match(field.stderr, /manifest\.json: field \/items\/\d+\/custody\/\d+\/to was changed \(it now reads "eve"\)/);
  // And a single flipped bit anywhere in the package, sampled across all of it:
  const failures = [];
  for (let i = 0; i < exported.bytes.length; i += 401) {
    const r = verifyTampered(file, exported.bytes, 'flip', (b) => {
      b[i] ^= 0x01;
    });
    if (r.code !== 1) failures.push(i);
  }
  assert.deepEqual(failures, [], 'bytes whose change went unnoticed');
  // The untouched package still verifies.
  assert.equal(verifyCli(file).code, 0);

});
