// A cap on scripts running at once, with a bounded first-come queue in front of it:
// a burst of requests waits its turn instead of forking the machine to a halt.

export type Release = () => void

export type Acquired =
  | { kind: 'granted', release: Release }
  /** The queue was full. */
  | { kind: 'busy' }
  /** The wait outlasted `maxWaitMs`. */
  | { kind: 'timed out' }
  /** `cancel` was called while waiting (the client went away). */
  | { kind: 'cancelled' }

interface Waiter {
  settle: (result: Acquired) => void
}

export interface Slots {
  /** Waits for a slot. Call `cancel` (e.g. from a close listener) to leave the queue. */
  acquire: (maxWaitMs: number) => { result: Promise<Acquired>, cancel: () => void }
  readonly running: number
  readonly waiting: number
}

export function createSlots (max: number, queueLimit: number): Slots {
  let running = 0
  const queue: Waiter[] = []

  function release (): void {
    const next = queue.shift()
    if (next === undefined) running--
    else next.settle({ kind: 'granted', release: once(release) })
  }

  function acquire (maxWaitMs: number): { result: Promise<Acquired>, cancel: () => void } {
    if (running < max) {
      running++
      return { result: Promise.resolve({ kind: 'granted', release: once(release) }), cancel: () => {} }
    }
    if (queue.length >= queueLimit) return { result: Promise.resolve({ kind: 'busy' }), cancel: () => {} }

    let leave: (result: Acquired) => void = () => {}
    const result = new Promise<Acquired>((resolve) => {
      const waiter: Waiter = {
        settle: (value) => {
          clearTimeout(timer)
          resolve(value)
        }
      }
      const timer = setTimeout(() => { leave({ kind: 'timed out' }) }, maxWaitMs)
      leave = (value) => {
        const index = queue.indexOf(waiter)
        if (index === -1) return
        queue.splice(index, 1)
        waiter.settle(value)
      }
      queue.push(waiter)
    })
    return { result, cancel: () => { leave({ kind: 'cancelled' }) } }
  }

  return {
    acquire,
    get running () { return running },
    get waiting () { return queue.length }
  }
}

function once (release: () => void): Release {
  let done = false
  return () => {
    if (done) return
    done = true
    release()
  }
}
