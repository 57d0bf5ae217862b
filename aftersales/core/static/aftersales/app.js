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

// Signature pad (客户签名): draw with finger, pen or mouse on a <canvas data-signature-pad>; on
// submit the drawing goes into the form's hidden "signature" input as a PNG data URL.
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("canvas[data-signature-pad]").forEach((canvas) => {
    const form = canvas.closest("form");
    const context = canvas.getContext("2d");
    context.lineWidth = 3; context.lineCap = "round"; context.strokeStyle = "#111";
    let drawing = false; let drawn = false;
    const point = (event) => {
      const box = canvas.getBoundingClientRect();
      return [(event.clientX - box.left) * canvas.width / box.width, (event.clientY - box.top) * canvas.height / box.height];
    };
    canvas.addEventListener("pointerdown", (event) => {
      drawing = true; canvas.setPointerCapture(event.pointerId);
      context.beginPath(); context.moveTo(...point(event)); event.preventDefault();
    });
    canvas.addEventListener("pointermove", (event) => {
      if (!drawing) return;
      context.lineTo(...point(event)); context.stroke(); drawn = true; event.preventDefault();
    });
    const stop = () => { drawing = false; };
    canvas.addEventListener("pointerup", stop);
    canvas.addEventListener("pointercancel", stop);
    const clear = form.querySelector("[data-signature-clear]");
    if (clear) clear.addEventListener("click", () => { context.clearRect(0, 0, canvas.width, canvas.height); drawn = false; });
    form.addEventListener("submit", () => {
      form.querySelector("input[name=signature]").value = drawn ? canvas.toDataURL("image/png") : "";
    });
  });
});
