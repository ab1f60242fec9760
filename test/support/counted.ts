/** An array whose element reads (`items[i]`, also through iteration) are counted in `reads.count`. */
export function counted<T>(items: T[], reads: { count: number }): T[] {
  return new Proxy(items, {
    get(target, property, receiver) {
      if (typeof property === 'string' && /^\d+$/.test(property)) reads.count++;
      return Reflect.get(target, property, receiver) as unknown;
    },
  });
}
