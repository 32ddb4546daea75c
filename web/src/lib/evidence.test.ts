import { describe, expect, it } from 'vitest';
import { actionFields, declaredHashProblem, handOver, integrityFailed, recordableActions, shortHash } from './evidence';

describe('recordableActions', () => {
  it('offers what people record, never what custos writes itself', () => {
    const actions = recordableActions({ state: 'active' }, false);
    expect(actions).toContain('transferred');
    expect(actions).toContain('disposed');
    for (const a of ['collected', 'downloaded', 'exported']) expect(actions).not.toContain(a);
  });
  it('offers no disposal under legal hold and nothing after disposal', () => {
    expect(recordableActions({ state: 'active' }, true)).not.toContain('disposed');
    expect(recordableActions({ state: 'disposed' }, false)).toEqual([]);
  });
});

describe('actionFields', () => {
  it('asks a transfer for from and to, an analysis for its purpose', () => {
    expect(actionFields('transferred')).toMatchObject({ from: true, to: true, toRequired: true });
    expect(actionFields('analysed')).toMatchObject({ from: false, to: false, purposeRequired: true });
    expect(actionFields('received')).toMatchObject({ to: true, toRequired: false });
  });
});

describe('declaredHashProblem', () => {
  it('accepts an empty or well-formed digest and names what is wrong otherwise', () => {
    expect(declaredHashProblem('sha256', '')).toBeNull();
    expect(declaredHashProblem('sha256', 'a'.repeat(64))).toBeNull();
    expect(declaredHashProblem('md5', 'A'.repeat(32))).toBeNull();
    expect(declaredHashProblem('sha256', 'a'.repeat(32))).toMatch(/64 hexadecimal digits, this one has 32/);
    expect(declaredHashProblem('sha1', 'xyz')).toMatch(/hexadecimal/);
  });
});

describe('shortHash and handOver', () => {
  it('shortens a digest from both ends', () => {
    const h = '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08';
    expect(shortHash(h)).toBe('9f86d081884c…f00a08');
    expect(shortHash(null)).toBe('');
  });
  it('reads a hand-over as from → to', () => {
    expect(handOver({ from: 'alice', to: 'bob' })).toBe('alice → bob');
    expect(handOver({ from: null, to: 'owner' })).toBe('to owner');
    expect(handOver({ from: null, to: null })).toBe('');
    expect(handOver({ action: 'downloaded', from: null, to: 'alex' })).toBe('');
  });
  it('flags only a failed re-hash', () => {
    expect(integrityFailed('mismatch')).toBe(true);
    expect(integrityFailed('missing')).toBe(true);
    expect(integrityFailed('unverified')).toBe(false);
    expect(integrityFailed('ok')).toBe(false);
    expect(integrityFailed(null)).toBe(false);
  });
});
