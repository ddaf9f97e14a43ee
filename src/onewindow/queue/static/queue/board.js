// Display board: speaks each new call ("请 A012 号到 3 号窗口办理") once, through speechSynthesis where available.
(function () {
  var lastSeen = null;
  function announce(root) {
    var calls = (root || document).querySelectorAll("[data-call]");
    var newest = 0;
    var fresh = [];
    calls.forEach(function (el) {
      var id = parseInt(el.getAttribute("data-call"), 10);
      if (id > newest) newest = id;
      if (lastSeen !== null && id > lastSeen) fresh.push(el);
    });
    if (lastSeen === null) { lastSeen = newest; return; }
    if (newest > lastSeen) lastSeen = newest;
    fresh.reverse().forEach(function (el) {
      var text = "请 " + el.getAttribute("data-number") + " 号到 " +
        parseInt(el.getAttribute("data-window"), 10) + " 号窗口办理";
      document.body.setAttribute("data-last-spoken", text);
      if ("speechSynthesis" in window) {
        var u = new SpeechSynthesisUtterance(text);
        u.lang = "zh-CN";
        window.speechSynthesis.speak(u);
      }
    });
  }
  document.addEventListener("DOMContentLoaded", function () { announce(document); });
  document.body && document.body.addEventListener("htmx:afterSwap", function () { announce(document); });
  document.addEventListener("htmx:afterSwap", function () { announce(document); });
})();
