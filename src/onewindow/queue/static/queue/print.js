// The kiosk prints the ticket as soon as it is shown; the button prints it again.
document.addEventListener("DOMContentLoaded", function () {
  var b = document.querySelector("[data-print]");
  if (b) b.addEventListener("click", function () { window.print(); });
});
