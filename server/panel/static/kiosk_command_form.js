// A form that sends any command to a group of kiosks, leaving out the ones ticked, or to one
// kiosk; the arguments asked for follow the action (an experience, a language, a text, minutes).

import { el } from "./dom.js";
import { errorText, t } from "./i18n.js";
import { actionName, experienceTitle } from "./kiosk_format.js";

const ACTIONS = ["play", "pause", "end_session", "load_scene", "set_language", "announce",
  "extend_session", "screenshot"];

export class CommandForm {
  /** ``grid`` gives kiosks() (this site's records), experiences, send(payload), toast, log,
   * and delivered(commands) to show what was queued on each card. */
  constructor(grid) {
    this.grid = grid;
    this.target = el("select", { name: "target", "aria-label": t("kiosks.form_target"),
      onchange: () => this.drawExclusions() });
    this.action = el("select", { name: "action", "aria-label": t("kiosks.form_action"),
      onchange: () => this.drawArgs() }, ACTIONS.map((a) => el("option", { value: a }, actionName(a))));
    this.args = el("div", { class: "row form-args" });
    this.exclusions = el("fieldset", { class: "exclusions" });
    this.submit = el("button", { type: "submit", class: "small", dataset: { action: "send_group" } }, t("kiosks.form_send"));
    this.node = el("details", { class: "fold command-form" },
      el("summary", {}, t("kiosks.form_title")),
      el("form", { onsubmit: (event) => { event.preventDefault(); this.sendNow(); } },
        el("div", { class: "row" },
          el("label", {}, t("kiosks.form_target"), " ", this.target),
          el("label", {}, t("kiosks.form_action"), " ", this.action)),
        this.args, this.exclusions, el("div", { class: "row" }, this.submit)));
    this.refresh();
    this.drawArgs();
  }

  /** Re-read the groups and kiosks of the site, keeping the choice when it still exists; left
   * alone while nothing the form lists has changed (statuses come with every new fps). */
  refresh() {
    const kiosks = this.grid.kiosks().filter((k) => k.status === "approved");
    const listed = JSON.stringify(kiosks.map((k) => [k.kiosk_id, k.name, k.group, Boolean(k.online)]));
    if (listed === this.listed) return;
    this.listed = listed;
    const groups = new Map();
    for (const k of kiosks) if (k.group) groups.set(k.group, (groups.get(k.group) || 0) + 1);
    const chosen = this.target.value;
    this.target.replaceChildren(...[
      groups.size ? el("optgroup", { label: t("kiosks.form_groups") }, [...groups].sort().map(([g, n]) =>
        el("option", { value: `group:${g}` }, t("kiosks.form_group_option", { group: g, n })))) : null,
      el("optgroup", { label: t("kiosks.form_one_kiosk") }, kiosks.map((k) =>
        el("option", { value: `kiosk:${k.kiosk_id}` }, k.name ? `${k.name} (${k.kiosk_id})` : k.kiosk_id)))]
      .filter(Boolean));
    if ([...this.target.options].some((o) => o.value === chosen)) this.target.value = chosen;
    this.drawExclusions();
  }

  drawExclusions() {
    const [kind, name] = splitTarget(this.target.value);
    const ticked = new Set([...this.exclusions.querySelectorAll("input:checked")].map((i) => i.value));
    const members = kind === "group" ? this.grid.kiosks().filter((k) => k.status === "approved" && k.group === name) : [];
    this.exclusions.hidden = !members.length;
    this.exclusions.replaceChildren(el("legend", {}, t("kiosks.form_exclude")), ...members.map((k) =>
      el("label", { class: "check" }, el("input", { type: "checkbox", name: "exclude", value: k.kiosk_id,
        checked: ticked.has(k.kiosk_id) }), " ", k.name || k.kiosk_id,
      k.online ? null : el("span", { class: "muted" }, ` (${t("kiosks.offline")})`))));
  }

  drawArgs() {
    const action = this.action.value;
    const field = (name, node) => { node.name = name; return node; };
    const parts = {
      load_scene: () => [field("experience", el("select", { "aria-label": t("kiosks.experience_to_load") },
        this.grid.experiences.map((x) => el("option", { value: x.id }, experienceTitle(x)))))],
      set_language: () => [field("lang", el("select", { "aria-label": t("kiosks.language") },
        el("option", { value: "en" }, "English"), el("option", { value: "zh" }, "中文")))],
      announce: () => [
        field("text_en", el("input", { type: "text", maxlength: "200", placeholder: t("kiosks.announce_en_hint"),
          "aria-label": t("kiosks.announce_en") })),
        field("text_zh", el("input", { type: "text", maxlength: "200", placeholder: t("kiosks.announce_zh_hint"),
          "aria-label": t("kiosks.announce_zh") }))],
      extend_session: () => [field("minutes", el("input", { type: "number", min: "1", max: "240", value: "5",
        class: "minutes", "aria-label": t("kiosks.extend_minutes") })), el("span", { class: "unit" }, t("kiosks.min"))],
    };
    this.args.replaceChildren(...(parts[action] ? parts[action]() : []));
    this.args.hidden = !parts[action];
  }

  /** The command's arguments from the fields, or null (with a toast) when they are missing. */
  readArgs(action) {
    const value = (name) => (this.args.querySelector(`[name="${name}"]`)?.value || "").trim();
    if (action === "load_scene") {
      const x = this.grid.experiences.find((e) => e.id === value("experience"));
      return x ? { experience_id: x.id, scene: x.scene } : null;
    }
    if (action === "set_language") return { lang: value("lang") };
    if (action === "announce") {
      const en = value("text_en");
      const zh = value("text_zh");
      return en || zh ? { text: { en: en || zh, zh: zh || en }, duration_s: 15 } : null;
    }
    if (action === "extend_session") {
      const minutes = Number(value("minutes"));
      return minutes > 0 ? { seconds: Math.round(minutes * 60) } : null;
    }
    return {};
  }

  async sendNow() {
    const action = this.action.value;
    const args = this.readArgs(action);
    if (args === null) {
      this.grid.toast(t("kiosks.form_missing"), "warn");
      return;
    }
    const [kind, name] = splitTarget(this.target.value);
    if (!name) return;
    const exclude = [...this.exclusions.querySelectorAll("input:checked")].map((i) => i.value);
    const payload = kind === "group" ? { group: name, exclude, action, args } : { kiosk_id: name, action, args };
    this.submit.disabled = true;
    try {
      const commands = (await this.grid.send(payload)) || [];
      this.grid.delivered(commands);
      const text = t("kiosks.form_sent", { action: actionName(action), n: commands.length });
      this.grid.toast(text);
      this.grid.log(kind === "group" ? `${text} · ${name}${exclude.length ? ` − ${exclude.join(", ")}` : ""}` : `${text} · ${name}`);
    } catch (exc) {
      this.grid.toast(errorText(exc), "error");
    } finally {
      this.submit.disabled = false;
    }
  }
}

function splitTarget(value) {
  const at = (value || "").indexOf(":");
  return at < 0 ? ["", ""] : [value.slice(0, at), value.slice(at + 1)];
}
