// The admins' page: users, API tokens, kiosks awaiting pairing and the audit log. Each part is
// its own module; this one wires them together, keeps the pairing queue live from /control and
// reads the audit log again after every change made here.

import { AuditLog } from "./admin_audit.js";
import { PairingQueue } from "./admin_pairing.js";
import { TokenAdmin } from "./admin_tokens.js";
import { UserAdmin } from "./admin_users.js";
import { api } from "./api.js";
import { toast } from "./dom.js";
import { errorText, onLangChange } from "./i18n.js";
import { startLanguage } from "./language.js";
import { Live } from "./live.js";

function fail(exc) {
  toast(errorText(exc), "error");
}

async function start() {
  await startLanguage(["venue", "admin"]); // venue: the live link and sign-out labels
  const root = document.getElementById("admin");
  const changed = () => audit.search();
  const users = new UserAdmin(document.getElementById("users"), { me: root.dataset.user, toast, changed });
  const tokens = new TokenAdmin(document.getElementById("tokens"), { toast, changed });
  const pairing = new PairingQueue(document.getElementById("pairing"), document.getElementById("pairing-count"),
    { toast, changed });
  const audit = new AuditLog(document.getElementById("audit"), { toast, actors: () => users.names() });
  new Live({
    kiosk_status: (data) => pairing.kioskStatus(data),
    reconnected: () => pairing.load().catch(fail), // kiosks that asked meanwhile
  });
  onLangChange(() => {
    users.render();
    tokens.render();
    pairing.render();
    audit.render();
  });
  const { sites } = await api("GET", "/sites");
  await Promise.all([users.load().catch(fail), tokens.load().catch(fail), pairing.load(sites).catch(fail),
    audit.search()]);
  audit.render(); // the actor filter suggests the users now listed
  root.dataset.ready = "true";
}

start().catch(fail);
