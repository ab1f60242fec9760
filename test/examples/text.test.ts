/**
 * examples/shared/text.ts: the strings PostgreSQL `text` cannot hold as sent (U+0000 is refused,
 * an unpaired surrogate is replaced by U+FFFD on the way to UTF-8) and the displayName limit,
 * checked on normalized changes of every kind, including those the two servers' HTTP tests cannot
 * reach (externalId is read-only on both).
 */
import { describe, expect, it } from 'vitest';
import { normalizePatchRequest, ScimError, type GroupChange } from 'scim-group-patch';
import { checkStorableChanges, clip, MAX_DISPLAY_NAME_LENGTH, unstorableReason } from '../../examples/shared/text.js';
import { patchOp } from './support.js';

function changesOf(...operations: object[]): GroupChange[] {
  return normalizePatchRequest(patchOp(...operations), { externalIdMutability: 'readWrite' });
}

function rejection(changes: readonly GroupChange[]): ScimError {
  try {
    checkStorableChanges(changes);
  } catch (error) {
    if (error instanceof ScimError) return error;
    throw error;
  }
  throw new Error('accepted');
}

const NUL = 'contains U+0000 (NUL), which PostgreSQL text cannot store';

describe('unstorableReason', () => {
  it('names NUL and unpaired surrogates; paired surrogates, controls other than NUL and U+FFFF are text', () => {
    expect(unstorableReason('a\u0000')).toBe(NUL);
    expect(unstorableReason('\ud800x')).toBe('contains an unpaired surrogate (U+D800), which is not Unicode text');
    expect(unstorableReason('x\udfff')).toBe('contains an unpaired surrogate (U+DFFF), which is not Unicode text');
    expect(unstorableReason('\udc00\ud800')).toMatch(/unpaired surrogate \(U\+DC00\)/);
    for (const text of ['', '😀', 'tab\there', '\u0001\u007f', '\uffff', 'ünï©ødé']) expect(unstorableReason(text)).toBeUndefined();
  });
});

describe('checkStorableChanges', () => {
  const rejected: [string, GroupChange[], string][] = [
    ['displayName', changesOf({ op: 'replace', path: 'displayName', value: 'a\u0000' }), `Operations[0].value: displayName ${NUL}`],
    ['externalId', changesOf({ op: 'replace', path: 'externalId', value: 'a\u0000' }), `Operations[0].value: externalId ${NUL}`],
    [
      'externalId in a pathless value, second operation',
      changesOf({ op: 'add', path: 'members', value: [{ value: 'u1' }] }, { op: 'replace', value: { externalId: '\u0000' } }),
      `Operations[1].value: externalId ${NUL}`,
    ],
    [
      'a member display',
      changesOf({ op: 'add', path: 'members', value: [{ value: 'u1', display: '\u0000' }] }),
      `Operations[0].value: the display of member 'u1' ${NUL}`,
    ],
    [
      'a member type in a replace',
      changesOf({ op: 'replace', path: 'members', value: [{ value: 'u1', type: '\u0000' }] }),
      `Operations[0].value: the type of member 'u1' ${NUL}`,
    ],
    [
      'a filter value deep in and/or/not',
      changesOf({ op: 'remove', path: 'members[display eq "x" or (type pr and not (display co "\\u0000"))]' }),
      `Operations[0].path: the filter value '\u0000' ${NUL}`,
    ],
    ['a $ref update', changesOf({ op: 'replace', path: 'members.$ref', value: '\u0000' }), `Operations[0].value: $ref ${NUL}`],
  ];
  for (const [name, changes, detail] of rejected) {
    it(`rejects NUL in ${name}: 400 invalidValue`, () => {
      const error = rejection(changes);
      expect({ status: error.status, scimType: error.scimType, detail: error.detail }).toEqual({ status: 400, scimType: 'invalidValue', detail });
    });
  }

  it(`displayName: ${String(MAX_DISPLAY_NAME_LENGTH)} code points pass, one more is rejected, counted in code points`, () => {
    expect(() => checkStorableChanges(changesOf({ op: 'replace', path: 'displayName', value: '😀'.repeat(MAX_DISPLAY_NAME_LENGTH) }))).not.toThrow();
    expect(rejection(changesOf({ op: 'replace', path: 'displayName', value: 'x'.repeat(MAX_DISPLAY_NAME_LENGTH + 1) })).detail).toBe(
      `Operations[0].value: displayName is ${String(MAX_DISPLAY_NAME_LENGTH + 1)} characters long; this server stores at most ${String(MAX_DISPLAY_NAME_LENGTH)}`,
    );
  });

  it('accepts ordinary requests of every kind, null sub-attributes included', () => {
    const changes = changesOf(
      { op: 'replace', value: { displayName: 'Eng', externalId: 'ext' } },
      { op: 'add', path: 'members', value: [{ value: 'u1', display: 'Ann', type: 'User', $ref: null }] },
      { op: 'remove', path: 'members', value: [{ value: 'u2' }] },
      { op: 'remove', path: 'members[display sw "A" and not (type eq "Group")]' },
      { op: 'replace', path: 'members[value eq "u1"].display', value: null },
      { op: 'replace', path: 'members', value: [{ value: 'u3' }] },
      { op: 'remove', path: 'externalId' },
    );
    expect(changes.map((change) => change.kind)).toEqual([
      'setDisplayName',
      'setExternalId',
      'addMembers',
      'removeMembers',
      'removeMembersWhere',
      'updateMembers',
      'replaceMembers',
      'setExternalId',
    ]);
    expect(() => checkStorableChanges(changes)).not.toThrow();
  });

  it('quotes client text clipped, as the library does', () => {
    expect(clip('x'.repeat(80))).toBe('x'.repeat(80));
    expect(clip('y'.repeat(81))).toBe(`${'y'.repeat(80)}… (81 characters)`);
    const long = `${'v'.repeat(200)}\u0000`;
    expect(rejection(changesOf({ op: 'add', path: 'members', value: [{ value: long }] })).detail).toBe(
      `Operations[0].value: the member value '${'v'.repeat(80)}… (201 characters)' ${NUL}`,
    );
  });
});
