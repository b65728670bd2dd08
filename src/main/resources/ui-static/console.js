// Copy buttons: a button with data-copy puts that text on the clipboard. Where the browser offers no
// clipboard (plain HTTP to a host other than localhost), the command beside the button is selected
// instead, for the user to copy.
document.addEventListener("click", (event) => {
  const button = event.target.closest("button.copy");
  if (!button) {
    return;
  }
  const text = button.dataset.copy;
  const done = (label) => {
    button.textContent = label;
    setTimeout(() => { button.textContent = "Copy"; }, 1500);
  };
  const select = () => {
    const code = button.previousElementSibling;
    if (code) {
      const range = document.createRange();
      range.selectNodeContents(code);
      const selection = window.getSelection();
      selection.removeAllRanges();
      selection.addRange(range);
    }
    done("Selected: press Ctrl+C");
  };
  if (navigator.clipboard && window.isSecureContext) {
    navigator.clipboard.writeText(text).then(() => done("Copied"), select);
  } else {
    select();
  }
});

// Confirmations: a form (or the button submitting it) with data-confirm asks before it is sent. The
// page's policy allows no inline script, so this listener is the only way to ask.
document.addEventListener("submit", (event) => {
  const question = event.submitter?.dataset.confirm || event.target.dataset.confirm;
  if (question && !window.confirm(question)) {
    event.preventDefault();
  }
});

// A table or log wider than the screen scrolls in place; keyboard users reach it with Tab and scroll
// it with the arrow keys, so each one that overflows is made focusable (and only those).
const focusOverflowing = () => {
  for (const region of document.querySelectorAll("main table, main pre.log")) {
    if (region.scrollWidth > region.clientWidth || region.scrollHeight > region.clientHeight) {
      region.tabIndex = 0;
    } else {
      region.removeAttribute("tabindex");
    }
  }
};
focusOverflowing();
window.addEventListener("resize", focusOverflowing);
