// The sign-in and sign-out pages: only their words change language.

import { startLanguage } from "./language.js";

startLanguage().catch(() => {
  // the labels could not be fetched: the page stays in English and still works
});
