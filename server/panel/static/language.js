// The language switch in the header: loads the page's catalogs, translates the markup, and
// flips between English and Chinese (remembered per browser by i18n.js).

import { lang, loadCatalogs, onLangChange, setLang, translatePage } from "./i18n.js";

function label(button) {
  // the button names the other language in that language: say so to screen readers
  button.setAttribute("lang", lang() === "zh" ? "en" : "zh-CN");
}

/** Load ``common`` and the named catalogs, translate the page, and wire #lang-switch. */
export async function startLanguage(areas = []) {
  await loadCatalogs(["common", ...areas]);
  translatePage(document);
  const button = document.getElementById("lang-switch");
  if (!button) return;
  label(button);
  button.hidden = false;
  button.addEventListener("click", () => setLang(lang() === "zh" ? "en" : "zh"));
  onLangChange(() => label(button));
}
