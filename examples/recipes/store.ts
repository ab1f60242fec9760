/**
 * Your persistence, as the recipes use it: find a group by id, save a patched one. This one keeps
 * groups in memory; a real one reads and writes a database (see examples/shared/ for PostgreSQL).
 */
import type { ChangeSummary, Group } from 'scim-group-patch';

/** What a recipe needs of the store. */
export interface GroupStore {
  /** The stored group, or undefined when there is none with this id. */
  findGroup(id: string): Promise<Group | undefined>;
  /** Stores the patched group; `summary` says what changed (members added, removed, updated). */
  saveGroup(group: Group, summary: ChangeSummary): Promise<void>;
}

/** Groups kept in a Map, by id. */
export class MemoryGroupStore implements GroupStore {
  readonly #groups = new Map<string, Group>();

  constructor(groups: Iterable<Group> = []) {
    for (const group of groups) this.#groups.set(group.id, group);
  }

  findGroup(id: string): Promise<Group | undefined> {
    return Promise.resolve(this.#groups.get(id));
  }

  saveGroup(group: Group, _summary: ChangeSummary): Promise<void> {
    this.#groups.set(group.id, group);
    return Promise.resolve();
  }
}
