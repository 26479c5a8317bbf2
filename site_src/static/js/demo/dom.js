// Small writes to the DOM that leave an element alone when it already shows the right thing,
// so a screen reader and the browser's layout see only real changes.

export function setText(element, text) {
  if (element && element.textContent !== text) element.textContent = text;
}

/** A copy of an icon from the demo's <template id="demo-icons">. */
export function iconFrom(root, name) {
  const icons = root.querySelector("#demo-icons").content;
  return icons.querySelector(`[data-icon="${name}"]`).firstElementChild.cloneNode(true);
}

/** Give a status holder the icon `name`, unless it has it already. */
export function setIcon(root, holder, name) {
  if (holder.dataset.icon === name) return;
  holder.dataset.icon = name;
  holder.className = `status-icon status-${name}`;
  holder.replaceChildren(iconFrom(root, name));
}
