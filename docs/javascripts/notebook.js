// Notebook pages, once loaded:
// - nbconvert puts every cell's input and output wrapper in the tab order (tabindex="0"),
//   so a keyboard reader tabs through dozens of invisible stops between two links: take
//   them out (a box that really scrolls stays reachable: Chromium and Firefox focus scroll
//   containers by themselves);
// - text outputs wrap at spaces, and browsers also break after the minus of an exponent
//   ("9.3576e-" / "14"): keep such numbers on one line.
document.addEventListener("DOMContentLoaded", () => {
  const wrappers = document.querySelectorAll(
    ".jupyter-wrapper .jp-Cell-inputWrapper[tabindex], " +
      ".jupyter-wrapper .jp-Cell-outputWrapper[tabindex], " +
      ".jupyter-wrapper .jp-OutputArea-output[tabindex]"
  );
  for (const wrapper of wrappers) {
    wrapper.removeAttribute("tabindex");
  }

  const exponent = /\d[\d.]*e[-+]\d+/g;
  for (const output of document.querySelectorAll(".jupyter-wrapper .jp-OutputArea-output pre")) {
    const walker = document.createTreeWalker(output, NodeFilter.SHOW_TEXT);
    const nodes = [];
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      if (node.data.search(exponent) >= 0) nodes.push(node);
    }
    for (const node of nodes) {
      const parts = document.createDocumentFragment();
      let last = 0;
      for (const match of node.data.matchAll(exponent)) {
        parts.append(node.data.slice(last, match.index));
        const number = document.createElement("span");
        number.className = "tl-number";
        number.textContent = match[0];
        parts.append(number);
        last = match.index + match[0].length;
      }
      parts.append(node.data.slice(last));
      node.replaceWith(parts);
    }
  }
});
