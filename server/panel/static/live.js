// The /control Socket.IO connection: live events in, kiosk commands out (REST when offline).

import { api } from "./api.js";
import { onLangChange, t } from "./i18n.js";

// Every event operators hear on /control; a handler for each is optional.
export const EVENTS = ["occupancy", "kiosk_status", "zone_state", "alert", "session_event", "readings",
  "command_status", "report_progress"];

export class Live {
  constructor(handlers) {
    this.linkEl = document.getElementById("link");
    this.link = ["connecting", "live.connecting", {}];
    onLangChange(() => this.setLink(...this.link));
    this.socket = window.io("/control", { withCredentials: true });
    this.socket.on("connect", () => {
      this.setLink("live", "live.live");
      if (this.connectedOnce && handlers.reconnected) handlers.reconnected();
      this.connectedOnce = true;
    });
    this.socket.on("disconnect", (reason) => {
      // the server closes a connection itself only when its sign-in has ended
      if (reason === "io server disconnect") this.signedOut();
      else this.setLink("down", "live.reconnecting");
    });
    this.socket.on("signed_out", () => this.signedOut());
    this.socket.on("connect_error", (err) => this.setLink("down", "live.offline", { reason: err.message }));
    for (const event of EVENTS) {
      if (handlers[event]) this.socket.on(event, handlers[event]);
    }
  }

  signedOut() {
    this.setLink("down", "live.signed_out");
    window.location.assign(`/login?next=${encodeURIComponent(location.pathname + location.hash)}`);
  }

  setLink(state, key, vars = {}) {
    this.link = [state, key, vars];
    this.linkEl.dataset.state = state;
    this.linkEl.textContent = t(key, vars);
  }

  /** Send a command; resolves to the queued commands or rejects with a readable message. */
  async command(payload) {
    if (!this.socket.connected) {
      // the same command over REST: one kiosk, or a group minus the excluded ones
      const body = payload.group
        ? await api("POST", "/commands", { group: payload.group, exclude: payload.exclude || [],
          action: payload.action, args: payload.args || {} })
        : await api("POST", `/kiosks/${encodeURIComponent(payload.kiosk_id)}/commands`,
          { action: payload.action, args: payload.args || {} });
      return body.commands;
    }
    const reply = await new Promise((resolve, reject) => {
      this.socket.timeout(5000).emit("command", payload, (err, response) => {
        if (err) reject(new Error(t("live.no_answer")));
        else resolve(response);
      });
    });
    if (!reply || !reply.ok) {
      const refusal = new Error((reply && reply.error) || t("live.refused"));
      refusal.code = reply && reply.code; // errorText words it from the code
      throw refusal;
    }
    return reply.commands;
  }
}
