// A binary min-heap of merge candidates keyed by (priority, left), stored as parallel typed arrays
// so that a million-symbol word does not allocate a million objects. It plays the part of the
// std::priority_queue in llama.cpp's llm_tokenizer_spm / llm_tokenizer_bpe sessions: ties on the
// priority go to the leftmost pair, as their comparators order them.

export class MergeQueue {
  private prio = new Float64Array(64);
  private left = new Int32Array(64);
  private right = new Int32Array(64);
  private size_ = new Int32Array(64);
  private n = 0;

  get length(): number {
    return this.n;
  }

  clear(): void {
    this.n = 0;
  }

  push(prio: number, left: number, right: number, size: number): void {
    if (this.n === this.prio.length) this.grow();
    let i = this.n++;
    // sift up
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.less(prio, left, this.prio[p]!, this.left[p]!)) break;
      this.set(i, this.prio[p]!, this.left[p]!, this.right[p]!, this.size_[p]!);
      i = p;
    }
    this.set(i, prio, left, right, size);
  }

  /** Removes the smallest entry; its fields are then in popped*. */
  pop(): void {
    this.poppedLeft = this.left[0]!;
    this.poppedRight = this.right[0]!;
    this.poppedSize = this.size_[0]!;
    const last = --this.n;
    if (last === 0) return;
    const prio = this.prio[last]!, left = this.left[last]!, right = this.right[last]!, size = this.size_[last]!;
    let i = 0;
    for (;;) {
      const a = 2 * i + 1;
      if (a >= last) break;
      const b = a + 1;
      const c = b < last && this.less(this.prio[b]!, this.left[b]!, this.prio[a]!, this.left[a]!) ? b : a;
      if (!this.less(this.prio[c]!, this.left[c]!, prio, left)) break;
      this.set(i, this.prio[c]!, this.left[c]!, this.right[c]!, this.size_[c]!);
      i = c;
    }
    this.set(i, prio, left, right, size);
  }

  poppedLeft = 0;
  poppedRight = 0;
  poppedSize = 0;

  private less(pa: number, la: number, pb: number, lb: number): boolean {
    return pa < pb || (pa === pb && la < lb);
  }

  private set(i: number, prio: number, left: number, right: number, size: number): void {
    this.prio[i] = prio;
    this.left[i] = left;
    this.right[i] = right;
    this.size_[i] = size;
  }

  private grow(): void {
    const cap = this.prio.length * 2;
    const p = new Float64Array(cap); p.set(this.prio); this.prio = p;
    const l = new Int32Array(cap); l.set(this.left); this.left = l;
    const r = new Int32Array(cap); r.set(this.right); this.right = r;
    const s = new Int32Array(cap); s.set(this.size_); this.size_ = s;
  }
}
