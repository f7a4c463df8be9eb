// A map that keeps the most recently used entries within a count and a byte
// budget, with exact accounting: the bytes of an entry are counted while, and
// only while, it is in the map, whatever order grow, delete and eviction come in.
export interface LruLimits {
  maxEntries: number
  /** Bytes of every entry together; Infinity for no budget. */
  maxBytes: number
}

interface Slot<V> {
  value: V
  bytes: number
}

export class Lru<V> {
  readonly #slots = new Map<string, Slot<V>>()
  #bytes = 0
  /** The most recently used key (the map's last), if known: getting it again moves nothing. */
  #newest: string | undefined

  /** `onEvict` runs for every value that leaves, however it leaves. */
  readonly limits: LruLimits
  readonly onEvict: (value: V) => void

  constructor (limits: LruLimits, onEvict: (value: V) => void = () => {}) {
    this.limits = limits
    this.onEvict = onEvict
  }

  get size (): number {
    return this.#slots.size
  }

  /** Bytes counted now: the sum of the bytes of the entries in the map. */
  get bytes (): number {
    return this.#bytes
  }

  /** The value, marked most recently used. */
  get (key: string): V | undefined {
    const slot = this.#slots.get(key)
    if (slot === undefined) return undefined
    // The same key asked for again (one hot file): already the newest, and a delete and
    // set of a Map entry on every request was 3-4% of a 1 KiB GET's CPU.
    if (key !== this.#newest) {
      this.#slots.delete(key)
      this.#slots.set(key, slot)
      this.#newest = key
    }
    return slot.value
  }

  /** The value without touching its place. */
  peek (key: string): V | undefined {
    return this.#slots.get(key)?.value
  }

  /** Whether `value` is what `key` holds now. */
  holds (key: string, value: V): boolean {
    return this.#slots.get(key)?.value === value
  }

  set (key: string, value: V, bytes = 0): void {
    if (bytes > this.limits.maxBytes || this.limits.maxEntries === 0) return
    this.delete(key)
    this.#slots.set(key, { value, bytes })
    this.#newest = key
    this.#bytes += bytes
    this.#trim(key)
  }

  /** Counts `bytes` more for `key` while `value` is what it holds; false when it no longer does. */
  grow (key: string, value: V, bytes: number): boolean {
    const slot = this.#slots.get(key)
    if (slot === undefined || slot.value !== value) return false
    slot.bytes += bytes
    this.#bytes += bytes
    this.#trim(key)
    return this.#slots.get(key) === slot
  }

  delete (key: string): void {
    const slot = this.#slots.get(key)
    if (slot === undefined) return
    this.#slots.delete(key)
    if (key === this.#newest) this.#newest = undefined
    this.#bytes -= slot.bytes
    this.onEvict(slot.value)
  }

  clear (): void {
    for (const key of [...this.#slots.keys()]) this.delete(key)
  }

  /** Oldest first, until within limits; `keep` goes last of all, and only if it alone is too big. */
  #trim (keep: string): void {
    for (const key of this.#slots.keys()) {
      if (this.#slots.size <= this.limits.maxEntries && this.#bytes <= this.limits.maxBytes) return
      if (key !== keep) this.delete(key)
    }
    if (this.#bytes > this.limits.maxBytes) this.delete(keep)
  }
}
