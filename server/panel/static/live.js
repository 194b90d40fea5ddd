// The /control Socket.IO connection: live events in, kiosk commands out (REST when offline).

import { api } from "./api.js";

export class Live {
  constructor(handlers) {
    this.linkEl = document.getElementById("link");
    this.socket = window.io("/control", { withCredentials: true });
    this.socket.on("connect", () => {
      this.setLink("live", "live");
      if (this.connectedOnce && handlers.reconnected) handlers.reconnected();
      this.connectedOnce = true;
    });
    this.socket.on("disconnect", (reason) => {
      // the server closes a connection itself only when its sign-in has ended
      if (reason === "io server disconnect") this.signedOut();
      else this.setLink("down", "reconnecting…");
    });
    this.socket.on("signed_out", () => this.signedOut());
    this.socket.on("connect_error", (err) => this.setLink("down", `offline: ${err.message}`));
    for (const event of ["occupancy", "kiosk_status", "zone_state", "alert", "session_event"]) {
      if (handlers[event]) this.socket.on(event, handlers[event]);
    }
  }

  signedOut() {
    this.setLink("down", "signed out");
    window.location.assign(`/login?next=${encodeURIComponent(location.pathname + location.hash)}`);
  }

  setLink(state, text) {
    this.linkEl.dataset.state = state;
    this.linkEl.textContent = text;
  }

  /** Send a command; resolves to the queued commands or rejects with a readable message. */
  async command(payload) {
    if (!this.socket.connected) {
      const body = await api("POST", `/kiosks/${encodeURIComponent(payload.kiosk_id)}/commands`,
        { action: payload.action, args: payload.args || {} });
      return body.commands;
    }
    const reply = await new Promise((resolve, reject) => {
      this.socket.timeout(5000).emit("command", payload, (err, response) => {
        if (err) reject(new Error("the server did not answer the command in 5 s"));
        else resolve(response);
      });
    });
    if (!reply || !reply.ok) throw new Error((reply && reply.error) || "the command was refused");
    return reply.commands;
  }
}
