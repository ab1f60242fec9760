/**
 * One live object of each shape a request makes, for the life of the module.
 *
 * V8 compiles hot functions against the hidden classes ("maps") of the objects they meet, and the
 * compiled code holds those maps weakly. The map of a class instance, or of an object grown one
 * property at a time, is reachable only from its objects and through weak transitions; when the
 * last object of a request is gone and a full (old-generation) GC runs, V8 frees the map and throws
 * away every function compiled against it. The next request then runs in the interpreter while V8
 * compiles everything again: measured at 100,000 members, 1.3–1.6× the time of a request on a warm
 * heap (`npm run bench`, column "after a full GC").
 *
 * A server collects its old generation between two PATCHes as a matter of course, so each class
 * whose instances a request makes, and each object shape grown property by property, keeps one
 * small sample here. The cost is a few hundred bytes. Samples are made on first use, never at import,
 * so that a bundler still drops the modules an application does not use. `test/cold-heap.test.ts` runs requests,
 * forces full GCs and fails when V8 reports library code deoptimized because its maps died.
 */
const samples: object[] = [];

/** Keeps `sample` (and so its map) alive for as long as the library is loaded; returns it. */
export function keepShape<T extends object>(sample: T): T {
  samples.push(sample);
  return sample;
}

const kinds = new Set<unknown>();

/**
 * The first time it is called for `kind`, keeps the sample `make` returns. For classes whose
 * constructor needs the request's settings: the sample is made with the first request's settings
 * and an empty list, so it has the same map as the request's instance.
 */
export function keepShapeOnce(kind: unknown, make: () => object): void {
  if (kinds.has(kind)) return;
  kinds.add(kind);
  samples.push(make());
}
