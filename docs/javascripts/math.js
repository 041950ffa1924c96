// Render the LaTeX formulas with the site's own copy of KaTeX (javascripts/vendor/katex).
// Markdown pages: pymdownx.arithmatex (generic mode) wraps formulas in .arithmatex as \(..\)
// and \[..\]. Notebook pages: mkdocs-jupyter keeps $..$ and $$..$$ in rendered Markdown cells
// and in Markdown outputs (show_markdown). Parse errors are logged to the console, where the
// browser tests look for them.
(function () {
  "use strict";

  var ARITHMATEX = [
    { left: "\\[", right: "\\]", display: true },
    { left: "\\(", right: "\\)", display: false },
  ];
  var NOTEBOOK = [
    { left: "$$", right: "$$", display: true },
    { left: "\\[", right: "\\]", display: true },
    { left: "$", right: "$", display: false },
    { left: "\\(", right: "\\)", display: false },
  ];

  function renderIn(elements, delimiters) {
    elements.forEach(function (element) {
      renderMathInElement(element, {
        delimiters: delimiters,
        throwOnError: false,
        errorCallback: function (message, error) {
          console.error(message, error);
        },
      });
    });
  }

  function render(root) {
    renderIn(root.querySelectorAll(".arithmatex"), ARITHMATEX);
    renderIn(root.querySelectorAll(".jupyter-wrapper .jp-RenderedMarkdown"), NOTEBOOK);
  }

  if (typeof document$ !== "undefined") {
    document$.subscribe(function (doc) {
      render(doc.body);
    });
  } else {
    document.addEventListener("DOMContentLoaded", function () {
      render(document.body);
    });
  }
})();
