import { describe, expect, it } from 'vitest';
import { matchesFilter, parseFilter, valueConstraintOf } from '../src/index.js';

const ann = { value: 'U1', display: 'Ann Lee', type: 'User' };
const user = {
  userName: 'bjensen',
  active: true,
  age: 42,
  name: { givenName: 'Barbara', familyName: 'Jensen' },
  emails: [
    { value: 'bjensen@example.com', type: 'work', primary: true },
    { value: 'babs@home.example', type: 'home' },
  ],
  'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User': { employeeNumber: '701984' },
};

function matches(filter: string, resource: unknown = ann): boolean {
  return matchesFilter(parseFilter(filter), resource);
}

describe('matchesFilter', () => {
  it.each([
    ['value eq "u1"', true],
    ['VALUE eq "U1"', true],
    ['value ne "u2"', true],
    ['value ne "u1"', false],
    ['display co "n L"', true],
    ['display sw "ann"', true],
    ['display ew "LEE"', true],
    ['display ew "Ann"', false],
    ['display gt "Ann"', true],
    ['display ge "Ann Lee"', true],
    ['display lt "B"', true],
    ['display le "Ann"', false],
    ['type pr', true],
    ['$ref pr', false],
    ['$ref eq null', true],
    ['display ne null', true],
    ['nickname ne "x"', true],
    ['value eq "u1" and type eq "Group"', false],
    ['value eq "x" or type eq "user"', true],
    ['not (type eq "User")', false],
    ['not(value eq "x") and (display sw "A" or display sw "B")', true],
  ])('%s on a member is %s (case-insensitive by default)', (filter, expected) => {
    expect(matches(filter)).toBe(expected);
  });

  it('compares case-exactly where the options say so', () => {
    const isCaseExact = (attribute: { name: string }): boolean => attribute.name === 'value';
    expect(matchesFilter(parseFilter('value eq "u1"'), ann, { isCaseExact })).toBe(false);
    expect(matchesFilter(parseFilter('value eq "U1"'), ann, { isCaseExact })).toBe(true);
    expect(matchesFilter(parseFilter('display eq "ann lee"'), ann, { isCaseExact })).toBe(true);
  });

  it.each([
    ['userName eq "bjensen"', true],
    ['active eq true', true],
    ['active eq false', false],
    ['age gt 40 and age le 42', true],
    ['age lt 42', false],
    ['age ge 42', true],
    ['age eq 42', true],
    ['age ne 41.5', true],
    ['age eq "42"', false],
    ['name.familyName co "ens"', true],
    ['emails.type eq "home"', true],
    ['emails[type eq "work" and value co "@example.com"]', true],
    ['emails[type eq "other"]', false],
    ['emails pr', true],
    ['name pr', true],
    ['urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber eq "701984"', true],
    ['urn:ietf:params:scim:schemas:core:2.0:User:userName sw "bj"', true],
  ])('%s on a user is %s', (filter, expected) => {
    expect(matches(filter, user)).toBe(expected);
  });

  it('treats empty strings, arrays and objects as not present', () => {
    expect(matches('a pr', { a: '' })).toBe(false);
    expect(matches('a pr', { a: [] })).toBe(false);
    expect(matches('a pr', { a: {} })).toBe(false);
    expect(matches('a pr', { a: { b: null } })).toBe(false);
    expect(matches('a pr', { a: 0 })).toBe(true);
  });

  it('reads only own properties, never the prototype chain', () => {
    expect(matches('constructor pr', {})).toBe(false);
    expect(matches('toString pr', { value: 'x' })).toBe(false);
    expect(matches('value pr', 'not an object')).toBe(false);
    expect(matches('value pr', null)).toBe(false);
  });
});

describe('valueConstraintOf', () => {
  it.each([
    ['value eq "u1"', { values: ['u1'], exact: true }],
    ['value eq "u1" or value eq "u2"', { values: ['u1', 'u2'], exact: true }],
    ['value eq "u1" and display pr', { values: ['u1'], exact: false }],
    ['display pr and (value eq "u1" or value eq "u2")', { values: ['u1', 'u2'], exact: false }],
    ['value eq "u1" or display eq "x"', undefined],
    ['value ne "u1"', undefined],
    ['value eq 1', undefined],
    ['not (value eq "u1")', undefined],
  ])('%s', (filter, expected) => {
    expect(valueConstraintOf(parseFilter(filter))).toEqual(expected);
  });
});
