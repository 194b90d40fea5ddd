// One kiosk's latest commands and how far each has got: a command is done only when the kiosk
// acknowledged it; "sent" means delivered and still unanswered; a refusal shows the kiosk's error.

import { el } from "./dom.js";
import { t } from "./i18n.js";
import { actionName } from "./kiosk_format.js";
import { siteTime } from "./time.js";

const SHOWN = 5;
// a state never goes back: events may arrive out of order (a status after its ack)
const RANK = { sending: 0, pending: 1, sent: 2, acked: 3, failed: 3, expired: 3 };
const MARK = { sending: "…", pending: "…", sent: "→", acked: "✓", failed: "✗", expired: "⊘" };

/** A command as the log keeps it, from the REST listing, an event or a send's answer. */
export function commandEntry(raw) {
  const result = raw.result && typeof raw.result === "object" ? raw.result : {};
  return {
    id: raw.id, kiosk_id: raw.kiosk_id, seq: raw.seq, action: raw.action,
    status: raw.status || "pending",
    error: raw.error ?? result.error ?? null,
    at: raw.at || raw.acked_at || raw.created_at || new Date().toISOString(),
  };
}

export class CommandLog {
  constructor(timeZone) {
    this.timeZone = timeZone;
    this.entries = new Map();
    this.node = el("ol", { class: "kiosk-commands", "aria-live": "polite" });
  }

  /** Replace what is known with the server's listing (newest first), keeping later news. */
  load(commands) {
    for (const raw of [...commands].reverse()) this.merge(commandEntry(raw), false);
    this.draw();
  }

  /** Record a command or a newer state of one; returns whether anything changed. */
  merge(entry, draw = true) {
    const old = this.entries.get(entry.id);
    if (old && RANK[entry.status] !== undefined && RANK[old.status] > RANK[entry.status]) return false;
    this.entries.set(entry.id, { ...old, ...Object.fromEntries(
      Object.entries(entry).filter(([, v]) => v !== undefined && v !== null)) });
    if (this.entries.size > 50) this.entries.delete(this.entries.keys().next().value);
    if (draw) this.draw();
    return true;
  }

  latest() {
    return [...this.entries.values()].sort((a, b) => (b.seq || 0) - (a.seq || 0)).slice(0, SHOWN);
  }

  draw() {
    const rows = this.latest().map((c) => el("li", {
      class: `command ${c.status}`, dataset: { command: c.id, action: c.action, status: c.status },
    },
    el("span", { class: "mark", "aria-hidden": "true" }, MARK[c.status] || "·"),
    el("span", { class: "what" }, actionName(c.action)),
    el("span", { class: "state" }, t(`kiosks.status.${c.status}`)),
    c.status === "failed" && c.error ? el("span", { class: "why" }, c.error) : null,
    el("time", { datetime: c.at }, siteTime(c.at, this.timeZone, "seconds"))));
    this.node.replaceChildren(...(rows.length ? rows
      : [el("li", { class: "muted none" }, t("kiosks.no_commands"))]));
  }
}
