// The book's one script: typesets the math spans tools/book marked (class "math inline" or
// "math display", holding TeX) with the bundled KaTeX, and wires "Show all code".
(function () {
  'use strict';
  var spans = document.querySelectorAll('.math');
  for (var i = 0; i < spans.length; i++) {
    var el = spans[i];
    if (typeof katex === 'undefined') { break; } // Without KaTeX the TeX stays readable.
    katex.render(el.textContent, el, { displayMode: el.classList.contains('display'), throwOnError: false });
  }
  var button = document.getElementById('toggle-code');
  if (button) {
    button.addEventListener('click', function () {
      var cells = document.querySelectorAll('details.code');
      var open = button.textContent.indexOf('Show') === 0;
      for (var k = 0; k < cells.length; k++) { cells[k].open = open; }
      button.textContent = open ? 'Hide all code' : 'Show all code';
    });
  }
})();
