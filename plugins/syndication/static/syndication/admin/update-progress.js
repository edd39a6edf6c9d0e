/* Syndication: keeps an update's figures current while it waits or sends;
   without it the page is complete as drawn. The page says where to ask
   (data-url) and how often (data-refresh-seconds). */
(function () {
  "use strict";
  var box = document.querySelector("[data-syndication-progress]");
  if (!box || !window.fetch) { return; }
  var interval = (Number(box.dataset.refreshSeconds) || 5) * 1000;
  function show(selector, value) {
    box.querySelectorAll(selector).forEach(function (node) { node.textContent = value; });
  }
  function refresh() {
    fetch(box.dataset.url, {credentials: "same-origin", headers: {"Accept": "application/json", "X-Requested-With": "XMLHttpRequest"}})
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (!data) { return; }
        if (data.status !== box.dataset.status) { window.location.reload(); return; }
        Object.keys(data.counts).forEach(function (status) { show('[data-count="' + status + '"]', data.counts[status]); });
        show('[data-count="total"]', data.total);
        show("[data-done]", data.done);
        show("[data-total]", data.total);
        show("[data-percent]", data.percent);
        show("[data-sentence]", data.sentence);
        box.querySelectorAll("[data-progress]").forEach(function (bar) { bar.value = data.percent; bar.textContent = data.percent + "%"; });
        window.setTimeout(refresh, interval);
      })
      .catch(function () { window.setTimeout(refresh, interval * 4); });
  }
  window.setTimeout(refresh, interval);
})();
