// Keyboard help for people on the phone: "/" jumps to the search box; after a failed submit the
// first field with an error takes the focus. No inline script anywhere (CSP: script-src 'self').
document.addEventListener("keydown", (event) => {
  if (event.key !== "/" || event.target.closest("input, textarea, select")) return;
  const search = document.querySelector("input[type=search]");
  if (search) { event.preventDefault(); search.focus(); }
});
document.addEventListener("DOMContentLoaded", () => {
  const invalid = document.querySelector(".field.invalid input, .field.invalid select, .field.invalid textarea");
  if (invalid) invalid.focus();
});
