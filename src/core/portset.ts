// Sets of port numbers as bitmaps: 8 KB for all 65,536 ports, no hashing and no growth. The one pass
// over a snapshot (tally.ts) adds to several of them per socket; as JavaScript Sets of 15,000 numbers,
// rebuilt on every refresh, they were half the analysis time of the live view at 30,000 sockets.

const WORDS = 65536 / 32;

export class PortSet implements Iterable<number> {
  private readonly words = new Uint32Array(WORDS);
  size = 0;

  /** Adds the port; true when it was not in the set. */
  add(port: number): boolean {
    const word = port >>> 5;
    const bit = 1 << (port & 31);
    if ((this.words[word]! & bit) !== 0) return false;
    this.words[word] = this.words[word]! | bit;
    this.size++;
    return true;
  }

  has(port: number): boolean {
    return (this.words[port >>> 5]! & (1 << (port & 31))) !== 0;
  }

  /** The ports, ascending. */
  *[Symbol.iterator](): Iterator<number> {
    for (let word = 0; word < WORDS; word++) {
      let bits = this.words[word]!;
      while (bits !== 0) {
        const low = bits & -bits;
        yield word * 32 + (31 - Math.clz32(low));
        bits ^= low;
      }
    }
  }
}

/** Ports per dynamic range (an index into the snapshot's ranges): a bitmap made for each range used. */
export class RangePortSets {
  private readonly sets: (PortSet | undefined)[] = [];
  size = 0;

  add(rangeIndex: number, port: number): boolean {
    let set = this.sets[rangeIndex];
    if (!set) this.sets[rangeIndex] = set = new PortSet();
    if (!set.add(port)) return false;
    this.size++;
    return true;
  }

  has(rangeIndex: number, port: number): boolean {
    return this.sets[rangeIndex]?.has(port) ?? false;
  }

  /** Calls `visit` with each (range index, port). */
  forEach(visit: (rangeIndex: number, port: number) => void): void {
    this.sets.forEach((set, rangeIndex) => {
      if (set) for (const port of set) visit(rangeIndex, port);
    });
  }
}
