/**
 * An incremental JSON scanner for a plan as it streams in: it reports each element of the
 * top-level `nodes` array the moment its closing brace arrives, so its call can start before
 * the rest of the plan is written. It only tracks nesting and strings; the text of each
 * complete node is handed to JSON.parse. A prefix that never becomes valid is harmless: a
 * node that fails to parse is skipped.
 */
export class PlanNodeScanner {
  #buffer = '';
  #pos = 0;
  /** Container stack: '{' or '['. */
  #stack: string[] = [];
  #inString = false;
  #escape = false;
  #stringStart = -1;
  /** The last complete string at depth 1 (a candidate key of the top-level object). */
  #lastTopString: string | undefined;
  #nodesDepth = -1;
  #nodeStart = -1;
  #count = 0;

  /** Feeds more text; returns the nodes completed by it, in order. */
  push(text: string): unknown[] {
    this.#buffer += text;
    const found: unknown[] = [];
    const s = this.#buffer;
    for (; this.#pos < s.length; this.#pos++) {
      const ch = s[this.#pos];
      if (this.#inString) {
        if (this.#escape) this.#escape = false;
        else if (ch === '\\') this.#escape = true;
        else if (ch === '"') {
          this.#inString = false;
          if (this.#stack.length === 1) {
            try {
              this.#lastTopString = JSON.parse(s.slice(this.#stringStart, this.#pos + 1));
            } catch {
              this.#lastTopString = undefined;
            }
          }
        }
        continue;
      }
      switch (ch) {
        case '"':
          this.#inString = true;
          this.#stringStart = this.#pos;
          break;
        case '{':
          if (this.#nodesDepth >= 0 && this.#stack.length === this.#nodesDepth) {
            this.#nodeStart = this.#pos;
          }
          this.#stack.push('{');
          break;
        case '[':
          this.#stack.push('[');
          if (this.#stack.length === 2 && this.#lastTopString === 'nodes') {
            this.#nodesDepth = 2;
          }
          break;
        case '}':
        case ']':
          this.#stack.pop();
          if (ch === ']' && this.#stack.length === 1 && this.#nodesDepth === 2) {
            this.#nodesDepth = -1;
          }
          if (ch === '}' && this.#nodeStart >= 0 && this.#stack.length === this.#nodesDepth) {
            try {
              found.push(JSON.parse(s.slice(this.#nodeStart, this.#pos + 1)));
              this.#count++;
            } catch {
              // Not a node after all; the validator will say why when the plan is complete.
            }
            this.#nodeStart = -1;
          }
          break;
        case ',':
          if (this.#stack.length === 1) this.#lastTopString = undefined;
          break;
      }
    }
    return found;
  }

  get count(): number {
    return this.#count;
  }

  get text(): string {
    return this.#buffer;
  }
}
