/**
 * Cuts a byte stream into fixed-size blocks whatever the chunking of the input. A full block is held back
 * until at least one more byte arrives, so the caller knows a handed-out block is not the last one.
 */
export class BlockBuffer {
  readonly #block: Uint8Array<ArrayBuffer>;
  #filled = 0;

  constructor(blockSize: number) {
    this.#block = new Uint8Array(blockSize);
  }

  /**
   * Takes in a chunk of any length, calling `onBlock` for each full block that more bytes follow. The
   * block is reused once `onBlock` settles, so it must not keep a reference.
   */
  async write(chunk: Uint8Array, onBlock: (block: Uint8Array<ArrayBuffer>) => Promise<void>): Promise<void> {
    let offset = 0;
    while (offset < chunk.length) {
      if (this.#filled === this.#block.length) {
        await onBlock(this.#block);
        this.#filled = 0;
      }
      const n = Math.min(this.#block.length - this.#filled, chunk.length - offset);
      this.#block.set(chunk.subarray(offset, offset + n), this.#filled);
      this.#filled += n;
      offset += n;
    }
  }

  /** The bytes held back once the input has ended: the last block, which may be empty or full. */
  rest(): Uint8Array<ArrayBuffer> {
    return this.#block.subarray(0, this.#filled);
  }
}
