// The panel's words in English and Chinese. Each area of the panel keeps its labels in
// i18n/<area>.json as {"en": {key: text}, "zh": {key: text}}; the language is chosen per
// browser and remembered (localStorage). Texts may hold {name} placeholders.
//
//   await loadCatalogs(["common", "kiosks"]);
//   t("kiosks.sent", { action: "play" })      -> "Sent play." / "已发送 play。"
//   translatePage(document)                    -> fills [data-i18n] and [data-i18n-attr]
//   errorText(exc)                             -> the error code's message in the language

export const LANGUAGES = ["en", "zh"];
const STORAGE_KEY = "lantern.lang";
const catalogs = { en: {}, zh: {} };
const listeners = new Set();

function stored() {
  try {
    return localStorage.getItem(STORAGE_KEY);
  } catch {
    return null; // storage switched off: the browser's language decides each time
  }
}

let current = LANGUAGES.includes(stored()) ? stored()
  : (globalThis.navigator?.language || "en").toLowerCase().startsWith("zh") ? "zh" : "en";

export function lang() {
  return current;
}

/** Switch the language, remember it, re-translate the page and tell every listener. */
export function setLang(wanted) {
  if (!LANGUAGES.includes(wanted) || wanted === current) return;
  current = wanted;
  try {
    localStorage.setItem(STORAGE_KEY, wanted);
  } catch {
    // not remembered; still switched for this page
  }
  translatePage(document);
  for (const listener of listeners) listener(wanted);
}

/** Call ``listener(lang)`` after every switch (to redraw what was built in code). */
export function onLangChange(listener) {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** Fetch the named catalogs (once each) from i18n/<area>.json beside this module. */
const loaded = new Map();
export function loadCatalogs(areas) {
  return Promise.all(areas.map((area) => {
    if (!loaded.has(area)) {
      loaded.set(area, fetch(new URL(`i18n/${area}.json`, import.meta.url), { credentials: "same-origin" })
        .then((response) => {
          if (!response.ok) throw new Error(`labels ${area}: HTTP ${response.status}`);
          return response.json();
        })
        .then((catalog) => {
          for (const code of LANGUAGES) Object.assign(catalogs[code], catalog[code] || {});
        }));
    }
    return loaded.get(area);
  }));
}

/** The text of ``key`` in the current language, placeholders filled; the key itself when
 * no catalog has it (visible, so a missing label is noticed). */
export function t(key, vars = {}) {
  const text = catalogs[current][key] ?? catalogs.en[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (whole, name) => (name in vars ? String(vars[name]) : whole));
}

/** Whether a label exists (for optional ones, such as an error code's message). */
export function has(key) {
  return key in catalogs[current] || key in catalogs.en;
}

/** An API error in words. In English the server's message says most (it names the kiosk or
 * the field); in Chinese the code's label leads and the server's English detail follows. */
export function errorText(exc) {
  const message = (exc && exc.message) || String(exc);
  const key = `error.${exc && exc.code}`;
  if (!(exc && exc.code && has(key))) return message;
  if (current === "en") return exc.message || t(key);
  return exc.message ? `${t(key)}（${exc.message}）` : t(key);
}

/** The current language's of an object's two names: ``named(zone)`` reads ``name_en`` /
 * ``name_zh``, ``named(experience, "title")`` reads ``title_en`` / ``title_zh``; the other
 * language's when one is missing. */
export function named(thing, field = "name") {
  if (!thing) return "";
  const own = thing[`${field}_${current}`];
  const other = thing[`${field}_${current === "zh" ? "en" : "zh"}`];
  return own || other || thing.id || "";
}

/** The name in the language not shown (for a quieter second line), or "" when it is the same. */
export function otherName(thing, field = "name") {
  if (!thing) return "";
  const other = thing[`${field}_${current === "zh" ? "en" : "zh"}`];
  return other && other !== named(thing, field) ? other : "";
}

/** Fill elements marked in the markup: data-i18n="key" sets the text; data-i18n-attr=
 * "placeholder:key;aria-label:key2" sets attributes. */
export function translatePage(root) {
  root.documentElement?.setAttribute("lang", current === "zh" ? "zh-CN" : "en");
  for (const node of root.querySelectorAll("[data-i18n]")) node.textContent = t(node.dataset.i18n);
  for (const node of root.querySelectorAll("[data-i18n-attr]")) {
    for (const pair of node.dataset.i18nAttr.split(";")) {
      const [attr, key] = pair.split(":").map((s) => s.trim());
      if (attr && key) node.setAttribute(attr, t(key));
    }
  }
}
