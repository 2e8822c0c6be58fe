// The last messages on the wire per technique, as the page's code received or sent them: a poll's
// answer body, a WebSocket frame's text, an SSE message's lastEventId, type and data. Above them,
// the client's last notes on its connection, kept apart so that a fast stream does not push them out.
const KEPT_MESSAGES = 8;
const KEPT_NOTES = 5;
const MAX_TEXT = 600; // characters shown of a message

export class RawPanel {
  constructor(container, techniques) {
    this.columns = new Map();
    this.changed = new Set();
    for (const { name, color } of techniques) {
      const column = document.createElement("div");
      column.className = "raw-column";
      column.dataset.technique = name;
      column.style.setProperty("--technique", color);
      const title = document.createElement("h3");
      title.textContent = name;
      const notes = document.createElement("ul");
      notes.className = "raw-notes";
      const messages = document.createElement("ol");
      messages.className = "raw-messages";
      column.append(title, notes, messages);
      container.append(column);
      this.columns.set(name, { notes, messages, noteEntries: [], messageEntries: [] });
    }
  }

  // dir: "out" (sent), "in" (received) or "state" (a client's note about its connection).
  add(name, dir, text) {
    const column = this.columns.get(name);
    const [entries, kept] = dir === "state" ? [column.noteEntries, KEPT_NOTES] : [column.messageEntries, KEPT_MESSAGES];
    entries.unshift({ dir, text: text.length > MAX_TEXT ? `${text.slice(0, MAX_TEXT)}…` : text, at: new Date() });
    entries.length = Math.min(entries.length, kept);
    this.changed.add(name);
  }

  // Redraws the columns that changed; called on a timer, so a fast stream costs little DOM work.
  render() {
    for (const name of this.changed) {
      const column = this.columns.get(name);
      column.notes.replaceChildren(...column.noteEntries.map(entryItem));
      column.messages.replaceChildren(...column.messageEntries.map(entryItem));
    }
    this.changed.clear();
  }
}

function entryItem({ dir, text, at }) {
  const item = document.createElement("li");
  item.className = `raw-${dir}`;
  const time = document.createElement("time");
  time.textContent = `${at.toLocaleTimeString("en-GB")}.${String(at.getMilliseconds()).padStart(3, "0")}`;
  const body = document.createElement("pre");
  body.textContent = `${{ out: "→", in: "←", state: "•" }[dir]} ${text}`;
  item.append(time, body);
  return item;
}
