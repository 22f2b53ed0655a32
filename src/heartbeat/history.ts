// A fixed-size ring of numeric samples in one Float64Array: with 10,000 clients, thirty small
// arrays each would cost several times the memory and keep the garbage collector busy.
export class History<const F extends readonly string[]> {
  private readonly data: Float64Array;
  private start = 0;
  private length = 0;

  constructor(
    readonly fields: F,
    readonly capacity: number,
  ) {
    this.data = new Float64Array(fields.length * capacity);
  }

  /** Appends one sample (values in `fields` order), dropping the oldest when full. */
  push(values: { [K in keyof F]: number }) {
    const slot = (this.start + this.length) % this.capacity;
    this.data.set(values as ArrayLike<number>, slot * this.fields.length);
    if (this.length < this.capacity) this.length += 1;
    else this.start = (this.start + 1) % this.capacity;
  }

  get size() {
    return this.length;
  }

  /** Oldest first; NaN (an unknown value) comes out as null, as JSON would have it. */
  toRows(): Array<Record<F[number], number | null>> {
    const rows = [];
    for (let i = 0; i < this.length; i++) {
      const offset = ((this.start + i) % this.capacity) * this.fields.length;
      const row: Record<string, number | null> = {};
      this.fields.forEach((field, f) => {
        const value = this.data[offset + f] as number;
        row[field] = Number.isNaN(value) ? null : value;
      });
      rows.push(row as Record<F[number], number | null>);
    }
    return rows;
  }
}
