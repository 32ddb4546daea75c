// The command line contract: custos version, --help, migrate, user add, token issue, audit verify.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, freePort, PASSWORD } from '../harness/server.mjs';

let srv;
let admin;

before(async () => {
  srv = await startServer();
  admin = await srv.adminClient();
});

test('custos version prints the version and exits 0', () => {
  const r = srv.runCli(['version'], { common: false });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^custos \d+\.\d+\.\d+\S*\n$/);
});

test('--help of the program and of each command lists its options', () => {
  const expected = {
    '': ['serve', 'migrate', 'user', 'token', 'audit', 'version'],
    serve: ['--config', '--listen', '--data-dir', '--db'],
    migrate: ['--data-dir', '--db'],
    'user add': ['--username', '--role', '--email', '--display-name', '--password-stdin', '--data-dir', '--db'],
    'token issue': ['--user', '--name', '--expires', '--data-dir', '--db'],
    'audit verify': ['--data-dir', '--db'],
  };
  for (const [cmd, words] of Object.entries(expected)) {
    const args = cmd ? [...cmd.split(' '), '--help'] : ['--help'];
    const r = srv.runCli(args, { common: false });
    assert.equal(r.code, 0, `custos ${args.join(' ')}: ${r.stderr}`);
    for (const w of words) {
      assert.ok(r.stdout.includes(w), `custos ${args.join(' ')} does not mention ${w}:\n${r.stdout}`);
    }
  }
});

test('user add creates users with one or several roles', async () => {
  let r = srv.runCli(['user', 'add', '--username', 'cli.one', '--role', 'agent', '--email', 'one@example.org',
    '--display-name', 'Cli One', '--password-stdin'], { stdin: `${PASSWORD}\n` });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /cli\.one/);

  r = srv.runCli(['user', 'add', '--username', 'cli.two', '--role', 'auditor,incident_manager', '--password-stdin'],
    { stdin: `${PASSWORD}\n` });
  assert.equal(r.code, 0, r.stderr);
  r = srv.runCli(['user', 'add', '--username', 'cli.three', '--role', 'reporter', '--role', 'security_manager',
    '--password-stdin'], { stdin: `${PASSWORD}\n` });
  assert.equal(r.code, 0, r.stderr);

  const one = await admin.get('/api/v1/users/cli.one');
  assert.equal(one.status, 200, one.text);
  assert.deepEqual(one.body.roles, ['agent']);
  assert.equal(one.body.email, 'one@example.org');
  assert.equal(one.body.display_name, 'Cli One');
  const two = await admin.get('/api/v1/users/cli.two');
  assert.deepEqual([...two.body.roles].sort(), ['auditor', 'incident_manager']);
  assert.equal(two.body.display_name, 'cli.two', 'display name defaults to the username');
  const three = await admin.get('/api/v1/users/cli.three');
  assert.deepEqual([...three.body.roles].sort(), ['reporter', 'security_manager']);

  // The password read from stdin is the one that signs in.
  const session = await srv.login('cli.one', PASSWORD);
  const me = await session.get('/api/v1/me');
  assert.equal(me.body.username, 'cli.one');

  // And the creation is audited with a cli: actor.
  const audit = await admin.get('/api/v1/audit?action=user.create&object_id=cli.one');
  assert.equal(audit.body.items.length, 1);
  assert.match(audit.body.items[0].actor, /^cli:/);
});

test('user add rejects an unknown role, naming --role', async () => {
  const r = srv.runCli(['user', 'add', '--username', 'cli.badrole', '--role', 'overlord', '--password-stdin'],
    { stdin: `${PASSWORD}\n` });
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /--role/);
  assert.match(r.stderr, /overlord/);
  assert.equal((await admin.get('/api/v1/users/cli.badrole')).status, 404);
});

test('user add rejects a short password with a message about the password', async () => {
  const r = srv.runCli(['user', 'add', '--username', 'cli.short', '--role', 'agent', '--password-stdin'],
    { stdin: 'short\n' });
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /password/i);
  assert.match(r.stderr, /at least \d+ characters/);
  assert.equal((await admin.get('/api/v1/users/cli.short')).status, 404);
});

test('user add rejects a bad username, a duplicate, and missing required options', () => {
  let r = srv.runCli(['user', 'add', '--username', 'Bad Name', '--role', 'agent', '--password-stdin'],
    { stdin: `${PASSWORD}\n` });
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /--username/);

  r = srv.runCli(['user', 'add', '--username', 'admin', '--role', 'agent', '--password-stdin'], { stdin: `${PASSWORD}\n` });
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /already exists/);

  r = srv.runCli(['user', 'add', '--username', 'cli.norole', '--password-stdin'], { stdin: `${PASSWORD}\n` });
  assert.notEqual(r.code, 0);
  assert.match(r.stderr + r.stdout, /--role/);
});

test('token issue prints only a token, and it works as a bearer token', async () => {
  const r = srv.runCli(['token', 'issue', '--user', 'cli.one', '--name', 'ci']);
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout.split('\n').filter((l) => l !== '');
  assert.equal(lines.length, 1, `expected only the token on stdout, got:\n${r.stdout}`);
  const token = lines[0];
  assert.match(token, /^[A-Za-z0-9_\-.]{20,128}$/);

  const me = await srv.tokenClient(token).get('/api/v1/me');
  assert.equal(me.status, 200, me.text);
  assert.equal(me.body.username, 'cli.one');
  assert.equal(me.body.auth, 'token');
  assert.deepEqual(me.body.roles, ['agent']);

  const list = await admin.get('/api/v1/tokens?user=cli.one');
  const entry = list.body.items.find((t) => t.name === 'ci');
  assert.ok(entry, JSON.stringify(list.body));
  assert.ok(entry.expires_at, 'default --expires 90d sets an expiry');
  const days = (Date.parse(entry.expires_at) - Date.now()) / 86_400_000;
  assert.ok(days > 89 && days <= 90.01, `expires in ${days} days`);
  assert.ok(!JSON.stringify(list.body).includes(token), 'token lists never show the secret');
});

test('token issue --expires: never, a duration, and bad values', async () => {
  let r = srv.runCli(['token', 'issue', '--user', 'cli.one', '--name', 'forever', '--expires', 'never']);
  assert.equal(r.code, 0, r.stderr);
  r = srv.runCli(['token', 'issue', '--user', 'cli.one', '--name', 'short', '--expires', '12h']);
  assert.equal(r.code, 0, r.stderr);
  const list = await admin.get('/api/v1/tokens?user=cli.one');
  assert.equal(list.body.items.find((t) => t.name === 'forever').expires_at, null);
  const hours = (Date.parse(list.body.items.find((t) => t.name === 'short').expires_at) - Date.now()) / 3_600_000;
  assert.ok(hours > 11.9 && hours <= 12.01, `expires in ${hours} h`);

  for (const bad of ['soon', '90x', '-5d', '0d', 'd', '99999999d']) {
    r = srv.runCli(['token', 'issue', '--user', 'cli.one', '--expires', bad]);
    assert.notEqual(r.code, 0, `--expires ${bad} was accepted: ${r.stdout}`);
    assert.match(r.stderr, /--expires/, `--expires ${bad}: ${r.stderr}`);
    assert.equal(r.stdout, '', 'no token printed on error');
  }
});

test('token issue for an unknown or deactivated user fails', async () => {
  let r = srv.runCli(['token', 'issue', '--user', 'nobody-here']);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /--user/);
  assert.equal(r.stdout, '');

  const u = await admin.get('/api/v1/users/cli.three');
  const off = await admin.patch('/api/v1/users/cli.three', { active: false }, { headers: { 'if-match': u.headers.get('etag') } });
  assert.equal(off.status, 200, off.text);
  r = srv.runCli(['token', 'issue', '--user', 'cli.three']);
  assert.notEqual(r.code, 0);
  assert.equal(r.stdout, '');
});

test('migrate on a fresh database applies migrations once; the second run applies 0', async () => {
  const blank = await startServer({ serve: false });
  const first = blank.runCli(['migrate']);
  assert.equal(first.code, 0, first.stderr);
  const applied = Number(/applied (\d+) migration/.exec(first.stdout)?.[1]);
  assert.ok(applied >= 1, first.stdout);
  const second = blank.runCli(['migrate']);
  assert.equal(second.code, 0, second.stderr);
  assert.match(second.stdout, /applied 0 migration/);
  // The running server's database is up to date too.
  const again = srv.runCli(['migrate']);
  assert.equal(again.code, 0, again.stderr);
  assert.match(again.stdout, /applied 0 migration/);
});

test('audit verify exits 0 with a summary covering every entry', async () => {
  const entries = await srv.auditEntries();
  const r = srv.runCli(['audit', 'verify']);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  const m = /audit chain intact: (\d+) entries/.exec(r.stdout);
  assert.ok(m, r.stdout);
  assert.ok(Number(m[1]) >= entries.length, `${m[1]} entries verified, API lists ${entries.length}`);
  assert.ok(entries.length >= 5);
});

test('a command with a database URL it cannot use fails with a message, not a crash', () => {
  const r = srv.runCli(['migrate', '--db', 'mysql://nowhere/x'], { common: false });
  assert.ok(r.code !== 0 && r.code !== null, `exit ${r.code} signal ${r.signal}`);
  assert.ok(r.stderr.trim().length > 0);
});

test('serve refuses an invalid configuration with a message naming the setting', async () => {
  const listen = `127.0.0.1:${await freePort()}`;
  const cases = [
    [{ CUSTOS_AUTH_PASSWORD_HASHING: 'fast' }, [], /password_hashing/],
    [{ CUSTOS_SERVER_MAX_BODY_BYTES: 'lots' }, [], /CUSTOS_SERVER_MAX_BODY_BYTES/],
    [{ CUSTOS_AUTH_LOCKOUT_ACCOUNT_THRESHOLD: '0' }, [], /lockout_account_threshold/],
    [{ CUSTOS_SERVER_TLS_CERTIFICATE: '/nonexistent/cert.pem' }, [], /tls/],
    [{}, ['--config', '/nonexistent/custos.toml'], /custos\.toml/],
  ];
  for (const [env, extra, message] of cases) {
    // Were the configuration wrongly accepted, the server would start: the timeout stops it.
    const r = srv.runCli(['serve', '--listen', listen, ...extra], { env, timeoutMs: 10_000 });
    assert.ok(r.code !== 0 && r.code !== null, `${JSON.stringify(env)} ${extra}: exit ${r.code} signal ${r.signal}`);
    assert.match(r.stderr + r.stdout, message, JSON.stringify(env));
  }
  const r = srv.runCli(['serve', '--listen', 'no-port-here'], { timeoutMs: 10_000 });
  assert.ok(r.code !== 0 && r.code !== null);
  assert.match(r.stderr, /listen/);
});
