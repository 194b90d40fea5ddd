// A kiosk written with the official JavaScript client: connect, heartbeat, obey one command.
// Usage: node kiosk.mjs URL KIOSK_ID TOKEN ; prints one JSON line per step.
import { io } from "socket.io-client";

const [url, kioskId, token] = process.argv.slice(2);
const socket = io(`${url}/kiosk`, {
  transports: ["websocket"],
  auth: { kiosk_id: kioskId, token, last_seq: 0 },
  reconnection: false,
});
const say = (obj) => console.log(JSON.stringify(obj));
const timer = setTimeout(() => { say({ step: "timeout" }); process.exit(2); }, 15000);

socket.on("connect", async () => {
  say({ step: "connected" });
  const ack = await socket.emitWithAck("heartbeat", { scene: "mogao_cave", state: "idle", fps: 30 });
  say({ step: "heartbeat", ack });
});
socket.on("connect_error", (err) => { say({ step: "refused", message: err.message }); process.exit(1); });
socket.on("command", (command, callback) => {
  say({ step: "command", command });
  callback({ ok: true });
  setTimeout(() => { clearTimeout(timer); socket.close(); process.exit(0); }, 300);
});
