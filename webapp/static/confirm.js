// A button with data-confirm asks before it acts (deleting a draft): "Avbryt" keeps everything
// as it is. Without scripts the button acts at once, as a plain form button does.
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-confirm]");
  if (button && !window.confirm(button.dataset.confirm)) {
    event.preventDefault();
  }
});
