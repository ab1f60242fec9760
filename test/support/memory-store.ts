/**
 * A `MemberStore` over an in-memory list, the reference store of the parity tests: each method
 * does exactly what the interface says (and nothing a real database would not), and counts the
 * rows it reads, so a test can bound the work a request makes the store do.
 */
import type { GroupMember, MemberStore, StoredMember } from '../../src/index.js';

function clean(member: StoredMember): StoredMember {
  return {
    value: member.value,
    ...(member.display === undefined ? {} : { display: member.display }),
    ...(member.type === undefined ? {} : { type: member.type }),
    ...(member.$ref === undefined ? {} : { $ref: member.$ref }),
    position: member.position,
  };
}

export class MemoryStore implements MemberStore {
  private readonly rows = new Map<string, StoredMember>();
  private lastPosition: number;
  /** Rows returned by reads (`membersByValue`, `scanMembers`). */
  rowsRead = 0;

  /** A store holding `members`, at positions 1, 2, 3… */
  constructor(members: readonly GroupMember[]) {
    members.forEach((member, i) => this.rows.set(member.value, clean({ ...member, position: i + 1 })));
    this.lastPosition = members.length;
  }

  /** The members in position order, as the group lists them. */
  members(): GroupMember[] {
    return [...this.rows.values()].sort((a, b) => a.position - b.position).map(({ position: _position, ...member }) => member);
  }

  membersByValue(values: readonly string[]): Promise<readonly StoredMember[]> {
    const found = [...new Set(values)].flatMap((value) => {
      const row = this.rows.get(value);
      return row === undefined ? [] : [row];
    });
    this.rowsRead += found.length;
    return Promise.resolve(found);
  }

  scanMembers(limit: number): Promise<readonly StoredMember[]> {
    const rows = [...this.rows.values()].sort((a, b) => a.position - b.position).slice(0, limit);
    this.rowsRead += rows.length;
    return Promise.resolve(rows);
  }

  insertMembers(members: readonly StoredMember[], onConflict: 'keep' | 'overwrite'): Promise<readonly StoredMember[]> {
    const written: StoredMember[] = [];
    for (const member of members) {
      const stored = this.rows.get(member.value);
      if (stored === undefined) {
        const row = clean(member);
        this.rows.set(member.value, row);
        written.push(row);
      } else if (onConflict === 'overwrite' && (stored.display !== member.display || stored.type !== member.type || stored.$ref !== member.$ref)) {
        const row = clean({ ...member, position: stored.position });
        this.rows.set(member.value, row);
        written.push(row);
      }
    }
    return Promise.resolve(written);
  }

  deleteMembers(values: readonly string[]): Promise<readonly StoredMember[]> {
    const deleted: StoredMember[] = [];
    for (const value of new Set(values)) {
      const row = this.rows.get(value);
      if (row === undefined) continue;
      this.rows.delete(value);
      deleted.push(row);
    }
    return Promise.resolve(deleted);
  }

  deleteMembersExcept(values: readonly string[]): Promise<readonly StoredMember[]> {
    const kept = new Set(values);
    return this.deleteMembers([...this.rows.keys()].filter((value) => !kept.has(value)));
  }

  updateMembers(members: readonly StoredMember[]): Promise<readonly StoredMember[]> {
    const written: StoredMember[] = [];
    for (const member of members) {
      const stored = this.rows.get(member.value);
      if (stored === undefined) continue;
      const row = clean({ ...member, position: stored.position });
      this.rows.set(member.value, row);
      written.push(row);
    }
    return Promise.resolve(written);
  }

  nextPositions(count: number): Promise<readonly number[]> {
    const positions = Array.from({ length: count }, (_, i) => this.lastPosition + i + 1);
    this.lastPosition += count;
    return Promise.resolve(positions);
  }

  countMembers(): Promise<number> {
    return Promise.resolve(this.rows.size);
  }
}
