// The chat: the other direction. A message is an event's data, {"chat":text,"tab":id,"sent":ms}
// as JSON; every tab receives it through every technique, and the tab that sent it times each
// technique's round trip.
export function createChat(log, sendFrame) {
  return {
    tab: Math.random().toString(36).slice(2, 8),
    messages: new Map(), // seq -> {text, tab, via, up, arrivals: {technique: ms}}
    pending: new Map(), // sent here, by its JSON: how it went up

    // WebSocket sends up its own connection; the others POST on a connection of their own.
    send(via, text) {
      const data = JSON.stringify({ chat: text, tab: this.tab, sent: Date.now() });
      const bytes = new Blob([data]).size;
      if (via === "websocket" && sendFrame(data)) {
        this.pending.set(data, { via, up: `one frame, ${bytes + 6} bytes` }); // 2 of header, 4 of mask
      } else {
        fetch(`/publish?from=${this.tab}`, { method: "POST", body: data });
        this.pending.set(data, { via, up: `one POST, ${bytes} body bytes + headers` });
      }
    },

    receive(technique, e) {
      let body;
      try { body = JSON.parse(e.data); } catch { return; }
      if (typeof body?.chat !== "string") return;
      if (!this.messages.has(e.seq)) {
        const sent = this.pending.get(e.data);
        this.messages.set(e.seq, { text: body.chat, tab: body.tab, via: sent?.via, up: sent?.up, arrivals: {} });
      }
      const message = this.messages.get(e.seq);
      message.arrivals[technique] = body.tab === this.tab ? Date.now() - body.sent : null;
      this.render();
    },

    render() {
      log.replaceChildren(...[...this.messages.values()].slice(-20).reverse().map((m) => {
        const li = document.createElement("li");
        const times = Object.entries(m.arrivals).map(([t, ms]) => (ms === null ? t : `${t} ${ms} ms`)).join(", ");
        li.textContent = m.tab === this.tab
          ? `you (${m.via}, ${m.up}): ${m.text} — back through ${times}`
          : `tab ${m.tab}: ${m.text} — received through ${times}`;
        return li;
      }));
    },
  };
}
