/**
 * Reads a byte stream in exact amounts whatever its chunking, counting the bytes consumed. Reads from
 * the stream only when asked for bytes it does not hold, so the caller controls how far ahead it gets.
 */
export class ChunkReader {
  readonly #reader: ReadableStreamDefaultReader<Uint8Array>;
  #chunk: Uint8Array = new Uint8Array(0);
  #offset = 0;
  #consumed = 0;

  constructor(stream: ReadableStream<Uint8Array>) {
    this.#reader = stream.getReader();
  }

  /** The bytes handed out or skipped so far. */
  get consumed(): number {
    return this.#consumed;
  }

  /** Fills `target` from the stream; returns how many bytes it got, fewer only at the end of the stream. */
  async fill(target: Uint8Array): Promise<number> {
    let filled = 0;
    while (filled < target.length) {
      if (!(await this.#ensureChunk())) break;
      const n = Math.min(target.length - filled, this.#chunk.length - this.#offset);
      target.set(this.#chunk.subarray(this.#offset, this.#offset + n), filled);
      this.#offset += n;
      this.#consumed += n;
      filled += n;
    }
    return filled;
  }

  /**
   * Skips `count` bytes, or to the end of the stream; returns how many it skipped and whether they were
   * all zero.
   */
  async skip(count: number): Promise<{ skipped: number; allZero: boolean }> {
    let skipped = 0;
    let allZero = true;
    while (skipped < count) {
      if (!(await this.#ensureChunk())) break;
      const n = Math.min(count - skipped, this.#chunk.length - this.#offset);
      if (allZero && this.#chunk.subarray(this.#offset, this.#offset + n).some((b) => b !== 0))
        allZero = false;
      this.#offset += n;
      this.#consumed += n;
      skipped += n;
    }
    return { skipped, allZero };
  }

  /** Stops the stream, for a reader that gives up before its end. */
  async cancel(reason?: unknown): Promise<void> {
    await this.#reader.cancel(reason).catch(() => undefined);
  }

  /** Releases the stream's lock. */
  release(): void {
    this.#reader.releaseLock();
  }

  async #ensureChunk(): Promise<boolean> {
    while (this.#offset === this.#chunk.length) {
      const { done, value } = await this.#reader.read();
      if (done) return false;
      this.#chunk = value;
      this.#offset = 0;
    }
    return true;
  }
}
