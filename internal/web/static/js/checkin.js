// Check-in at the door: the camera, scans sent as JSON, scans kept on the device while the connection
// is down, and the live count. Without this file the page still works through its plain forms.
"use strict";
(function () {
  var root = document.getElementById("checkin");
  if (!root || !window.fetch || !window.JSON) {
    return;
  }
  var base = root.getAttribute("data-base");
  var queueKey = "vard-checkin:" + base;
  var text = function (name) { return root.getAttribute("data-" + name) || ""; };
  var result = document.getElementById("checkin-result");
  var queueNote = document.getElementById("checkin-queue");
  var synced = document.getElementById("checkin-synced");
  var form = document.getElementById("checkin-code-form");
  var codeInput = document.getElementById("code");
  var sending = false;

  function door() {
    var field = document.getElementById("dorr");
    return (field && field.value.trim()) || root.getAttribute("data-door") || "";
  }

  // A scan's id makes a scan sent twice count once. crypto.randomUUID needs a secure context; a door
  // reached over plain http on the local network falls back to getRandomValues.
  function scanID() {
    if (window.crypto && crypto.randomUUID) {
      try { return crypto.randomUUID(); } catch (e) { /* not a secure context */ }
    }
    var b = new Uint8Array(16);
    crypto.getRandomValues(b);
    return Array.prototype.map.call(b, function (x) { return (x + 256).toString(16).slice(1); }).join("");
  }

  // --- the queue of scans not yet sent, kept in localStorage so a reload or a closed tab keeps them

  function loadQueue() {
    try { return JSON.parse(localStorage.getItem(queueKey) || "[]"); } catch (e) { return []; }
  }
  function saveQueue(q) {
    try { localStorage.setItem(queueKey, JSON.stringify(q)); } catch (e) { /* storage full or off */ }
    showQueue(q);
  }
  function showQueue(q) {
    if (!queueNote) { return; }
    if (q.length === 0) {
      queueNote.hidden = true;
      queueNote.textContent = "";
      return;
    }
    queueNote.hidden = false;
    queueNote.textContent = q.length + " " + (q.length === 1 ? text("waiting-one") : text("waiting-many"));
  }

  // --- showing answers

  function el(tag, cls, content) {
    var e = document.createElement(tag);
    if (cls) { e.className = cls; }
    if (content) { e.textContent = content; }
    return e;
  }

  function showAnswer(a) {
    result.textContent = "";
    var box = el("div", "checkin-result checkin-" + a.outcome);
    box.appendChild(el("p", "checkin-title", a.title));
    if (a.name) { box.appendChild(el("p", "checkin-name", a.name)); }
    if (a.lines && a.lines.length) {
      var ul = el("ul", "checkin-lines");
      a.lines.forEach(function (l) { ul.appendChild(el("li", "", l)); });
      box.appendChild(ul);
    }
    if (a.message) { box.appendChild(el("p", "", a.message)); }
    if (a.anyway && a.invitation_id) {
      // The same plain form the page renders: a second, deliberate press.
      var f = el("form");
      f.method = "post";
      f.action = base;
      [["inbjudan", a.invitation_id], ["anda", "1"], ["scan_id", scanID()], ["dorr", door()]].forEach(function (kv) {
        var i = el("input");
        i.type = "hidden";
        i.name = kv[0];
        i.value = kv[1];
        f.appendChild(i);
      });
      var b = el("button", "", text("anyway"));
      b.type = "submit";
      f.appendChild(b);
      box.appendChild(f);
    }
    result.appendChild(box);
  }

  function showSaved() {
    result.textContent = "";
    var box = el("div", "checkin-result checkin-queued");
    box.appendChild(el("p", "checkin-title", text("saved")));
    result.appendChild(box);
  }

  function logSynced(a) {
    if (!synced) { return; }
    synced.hidden = false;
    var li = el("li", "checkin-" + a.outcome, a.title + (a.name ? " – " + a.name : ""));
    synced.querySelector("ul").appendChild(li);
  }

  // The answer to a scan carries no count (counting for every scan would slow a rush): the page adds
  // the check-ins it made itself, and the polling brings in the other doors'.
  function addArrived(results) {
    var n = results.filter(function (a) { return a.added; }).length;
    var arrived = root.querySelector("[data-arrived]");
    if (n && arrived) {
      var now = parseInt(arrived.textContent.replace(/\D/g, ""), 10) || 0;
      showCount({ arrived: now + n, expected: parseInt(root.querySelector("[data-expected]").textContent.replace(/\D/g, ""), 10) || 0 });
    }
  }

  function showCount(c) {
    if (!c) { return; }
    var lang = root.getAttribute("data-lang") === "en" ? "en-GB" : "sv-SE";
    var arrived = root.querySelector("[data-arrived]");
    var expected = root.querySelector("[data-expected]");
    if (arrived) { arrived.textContent = c.arrived.toLocaleString(lang); }
    if (expected) { expected.textContent = c.expected.toLocaleString(lang); }
  }

  // --- sending

  // send posts scans and returns the parsed reply; it rejects with "offline" when the scans should be
  // kept and sent later (no connection, a server error, a session that has run out).
  function send(scans) {
    return fetch(base + "/skanningar", {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "Accept": "application/json" },
      body: JSON.stringify({ scans: scans })
    }).then(function (resp) {
      if (resp.status === 401 || resp.redirected) {
        if (queueNote) { queueNote.hidden = false; }
        throw new Error("signin");
      }
      if (resp.status >= 500) {
        throw new Error("offline");
      }
      if (!resp.ok) {
        throw new Error("refused");
      }
      return resp.json();
    });
  }

  function scan(code) {
    code = (code || "").trim();
    if (!code) { return; }
    var s = { code: code, scan_id: scanID(), door: door(), scanned_at: new Date().toISOString() };
    var q = loadQueue();
    if (q.length > 0 || navigator.onLine === false) {
      // Keep the order: this scan waits behind those already waiting.
      q.push(s);
      saveQueue(q);
      showSaved();
      flush();
      return;
    }
    send([s]).then(function (reply) {
      showAnswer(reply.results[0]);
      addArrived(reply.results);
    }, function (err) {
      if (err.message === "refused") {
        // A 4xx the server will give again: send the plain form, whose page says what is wrong,
        // rather than keep the scan for ever.
        codeInput.value = code;
        form.submit();
        return;
      }
      var q = loadQueue();
      q.push(s);
      saveQueue(q);
      showSaved();
      if (err.message === "signin" && queueNote) {
        queueNote.textContent += " " + text("signin");
      }
    });
  }

  function flush() {
    var q = loadQueue();
    if (sending || q.length === 0) { return; }
    sending = true;
    var batch = q.slice(0, 500);
    send(batch).then(function (reply) {
      var done = {};
      reply.results.forEach(function (a) {
        done[a.scan_id] = true;
        logSynced(a);
      });
      // Scans made while this batch was on its way stay in the queue.
      saveQueue(loadQueue().filter(function (s) { return !done[s.scan_id]; }));
      addArrived(reply.results);
    }, function (err) {
      if (err.message === "refused") {
        // The batch itself was refused (such as an event that is gone): nothing will take it.
        saveQueue(loadQueue().slice(batch.length));
      }
    }).then(function () {
      sending = false;
      if (loadQueue().length > 0 && navigator.onLine !== false) {
        setTimeout(flush, 1000);
      }
    });
  }

  if (form && codeInput) {
    form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      var code = codeInput.value;
      codeInput.value = "";
      scan(code);
      codeInput.focus();
    });
  }

  // --- the live count

  var countBox = document.getElementById("checkin-count");
  function poll() {
    if (document.hidden || !countBox) { return; }
    fetch(countBox.getAttribute("data-url"), { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (resp) { return resp.ok ? resp.json() : null; })
      .then(showCount, function () { /* offline: the count waits */ });
  }

  window.addEventListener("online", flush);
  setInterval(function () { flush(); poll(); }, 5000);
  showQueue(loadQueue());
  flush();

  // --- the camera, where the browser can read QR codes itself

  var section = document.getElementById("checkin-scan");
  var button = document.getElementById("checkin-camera");
  var video = document.getElementById("checkin-video");
  if (!section || !button || !video || !("BarcodeDetector" in window) ||
      !navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
    return;
  }
  section.hidden = false;
  var stream = null, detector = null, timer = null, last = "", lastAt = 0;

  function stop() {
    if (timer) { clearInterval(timer); timer = null; }
    if (stream) { stream.getTracks().forEach(function (t) { t.stop(); }); stream = null; }
    video.hidden = true;
    button.textContent = text("camera-start");
  }

  function look() {
    if (!detector || video.readyState < 2) { return; }
    detector.detect(video).then(function (codes) {
      if (!codes.length) { return; }
      var value = codes[0].rawValue;
      var now = Date.now();
      // The same code stays in front of the camera for a while: one scan per code every few seconds.
      if (value === last && now - lastAt < 4000) { return; }
      last = value;
      lastAt = now;
      scan(value);
    }, function () { /* a frame that could not be read */ });
  }

  button.addEventListener("click", function () {
    if (stream) { stop(); return; }
    try {
      detector = new window.BarcodeDetector({ formats: ["qr_code"] });
    } catch (e) {
      section.querySelector(".hint").textContent = text("camera-failed");
      return;
    }
    navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false }).then(function (s) {
      stream = s;
      video.srcObject = s;
      video.hidden = false;
      video.play();
      button.textContent = text("camera-stop");
      timer = setInterval(look, 300);
    }, function () {
      section.querySelector(".hint").textContent = text("camera-failed");
    });
  });
})();
