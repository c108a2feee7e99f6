// Client-side notice of the automatic logout. The server is the authority: it ends the session
// after the pharmacy's inactivity delay whatever this script does.
(function () {
  "use strict";
  const body = document.body;
  const seconds = parseInt(body.dataset.inactivitySeconds || "", 10);
  if (!seconds) {
    return;
  }
  const notice = document.getElementById("inactivity-notice");
  const countdown = notice ? notice.querySelector("[data-countdown]") : null;
  const warnBefore = Math.min(60, Math.floor(seconds / 2));
  let lastActivity = Date.now();

  function reset() {
    lastActivity = Date.now();
    if (notice) {
      notice.hidden = true;
    }
  }

  // Only exchanges with the server keep the session alive, so only they reset the timer.
  document.addEventListener("htmx:afterRequest", reset);

  setInterval(function () {
    const left = seconds - Math.floor((Date.now() - lastActivity) / 1000);
    if (left <= 0) {
      window.location.assign("/connexion?motif=inactivite");
      return;
    }
    if (notice && left <= warnBefore) {
      if (countdown) {
        countdown.textContent = String(left);
      }
      if (notice.hidden) {
        notice.hidden = false;
        const button = notice.querySelector("button");
        if (button) {
          button.focus();
        }
      }
    }
  }, 1000);
})();
