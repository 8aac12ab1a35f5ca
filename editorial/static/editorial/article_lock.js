// The edit lock on intent (ADR 0023). Opening an article takes no lock; the first change on its
// form does: any input or change event (a text box, a select, a contenteditable editor, all of
// which bubble to the form) posts to the lock endpoint once. While the editor keeps changing
// things the lock is renewed every few minutes; leaving the page (not by saving) releases it.
(function () {
  "use strict";
  const status = document.getElementById("lock-status");
  const form = document.getElementById("article_form");
  if (!status || !form) return;
  const url = status.dataset.lockUrl;
  const renewEvery = Number(status.dataset.renewSeconds) * 1000;
  const token = form.querySelector("input[name=csrfmiddlewaretoken]").value;
  const text = document.getElementById("lock-status-text");
  const startForm = document.getElementById("start-editing");
  let mine = status.dataset.mine === "1";
  let asked = false; // the first edit asked for the lock
  let editedSince = false; // changes since the lock was last asked for
  let pending = false;
  let saving = false;

  function body(extra) {
    const data = new FormData();
    data.append("csrfmiddlewaretoken", token);
    for (const [name, value] of Object.entries(extra || {})) data.append(name, value);
    return data;
  }

  async function take() {
    pending = true;
    editedSince = false;
    try {
      const response = await fetch(url, {
        method: "POST",
        body: body(),
        credentials: "same-origin",
        headers: { Accept: "application/json" },
      });
      const answer = await response.json();
      mine = answer.mine;
      status.dataset.mine = mine ? "1" : "0";
      if (text && answer.text) text.textContent = answer.text;
      if (startForm && mine) startForm.remove();
    } catch (error) {
      editedSince = true; // try again with the next renewal
    } finally {
      pending = false;
    }
  }

  function edited() {
    editedSince = true;
    if (!asked && !mine) {
      asked = true;
      take();
    }
  }

  form.addEventListener("input", edited);
  form.addEventListener("change", edited);
  form.addEventListener("submit", function () {
    saving = true; // a successful save releases the lock; a refused one keeps it
  });
  window.setInterval(function () {
    if (editedSince && !pending) take();
  }, renewEvery);
  window.addEventListener("pagehide", function () {
    if (mine && !saving) navigator.sendBeacon(url, body({ release: "1" }));
  });
})();
