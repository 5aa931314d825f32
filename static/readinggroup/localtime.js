// Shows each session time also in the visitor's own time zone. The page already says the
// time in the site's zone, so without JavaScript nothing is lost. No inline script: the
// site's Content-Security-Policy allows only files like this one.
(function () {
  "use strict";
  var zone;
  try {
    zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  } catch (error) {
    return;
  }
  var format = {
    weekday: "long", day: "numeric", month: "long", year: "numeric",
    hour: "2-digit", minute: "2-digit", timeZoneName: "short"
  };
  document.querySelectorAll("time[data-localtime]:not([data-localised])").forEach(function (element) {
    element.setAttribute("data-localised", "");
    var when = new Date(element.getAttribute("datetime"));
    if (isNaN(when.getTime())) {
      return;
    }
    var siteZone = element.getAttribute("data-tz");
    if (siteZone && (siteZone === zone || (siteZone === "UTC" && zone === "Etc/UTC"))) {
      return; // the visitor's zone is the site's: the time shown is already theirs
    }
    var local = document.createElement("span");
    local.className = "local-time";
    local.textContent = "Your time: " + when.toLocaleString(undefined, format);
    element.insertAdjacentElement("afterend", local);
  });
})();
