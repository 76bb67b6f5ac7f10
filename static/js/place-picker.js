/* The list pages' place picker and dependent powiat drop-down, as an enhancement: without this
   script the commune field takes a name or a TERYT code and the server finds it, and the form
   sent with a voivodeship comes back with that voivodeship's powiats only.

   - input.place-picker[data-suggestions]: an ARIA 1.2 combobox whose options are the communes
     whose names begin with what is typed (the JSON of territory.views.place_suggestions);
   - select[name=wojewodztwo] beside select[name=powiat]: choosing a voivodeship leaves only its
     powiats (their TERYT codes begin with its code). */
(function () {
  "use strict";

  function picker(input, index) {
    var url = input.getAttribute("data-suggestions");
    var list = document.createElement("ul");
    var results = [];
    var active = -1;
    var timer = null;
    var asked = "";
    list.id = input.id + "-suggestions";
    list.className = "place-picker__list";
    list.setAttribute("role", "listbox");
    list.hidden = true;
    input.insertAdjacentElement("afterend", list);
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", list.id);

    function close() {
      list.hidden = true;
      active = -1;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
    }

    function highlight(position) {
      var options = list.children;
      active = position;
      for (var i = 0; i < options.length; i++) {
        options[i].setAttribute("aria-selected", i === position ? "true" : "false");
      }
      if (position >= 0) {
        input.setAttribute("aria-activedescendant", options[position].id);
      } else {
        input.removeAttribute("aria-activedescendant");
      }
    }

    function choose(position) {
      input.value = results[position].value;
      close();
    }

    function show(found) {
      results = found;
      list.textContent = "";
      found.forEach(function (result, position) {
        var option = document.createElement("li");
        option.id = list.id + "-" + position;
        option.setAttribute("role", "option");
        option.setAttribute("aria-selected", "false");
        option.textContent = result.label;
        option.addEventListener("mousedown", function (event) {
          event.preventDefault(); // keep the focus in the field
          choose(position);
        });
        list.appendChild(option);
      });
      list.hidden = found.length === 0;
      input.setAttribute("aria-expanded", found.length ? "true" : "false");
      active = -1;
    }

    function ask() {
      var text = input.value.trim();
      if (text.length < 2 || /^[0-9]{7}$/.test(text)) {
        show([]);
        return;
      }
      asked = text;
      fetch(url + "?q=" + encodeURIComponent(text), { headers: { Accept: "application/json" } })
        .then(function (response) { return response.ok ? response.json() : { results: [] }; })
        .then(function (data) { if (asked === text) { show(data.results || []); } })
        .catch(function () { show([]); });
    }

    input.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(ask, 150);
    });
    input.addEventListener("keydown", function (event) {
      if (list.hidden) { return; }
      if (event.key === "ArrowDown") {
        event.preventDefault();
        highlight((active + 1) % results.length);
      } else if (event.key === "ArrowUp") {
        event.preventDefault();
        highlight(active <= 0 ? results.length - 1 : active - 1);
      } else if (event.key === "Enter" && active >= 0) {
        event.preventDefault();
        choose(active);
      } else if (event.key === "Escape") {
        close();
      }
    });
    input.addEventListener("blur", close);
  }

  function dependentCounties(form) {
    var voivodeship = form.querySelector("select[name=wojewodztwo]");
    var county = form.querySelector("select[name=powiat]");
    if (!voivodeship || !county) { return; }
    var all = Array.prototype.slice.call(county.options);
    voivodeship.addEventListener("change", function () {
      var code = voivodeship.value;
      var chosen = county.value;
      county.textContent = "";
      all.forEach(function (option) {
        if (!option.value || !code || option.value.indexOf(code) === 0) {
          county.appendChild(option);
        }
      });
      county.value = code && chosen.indexOf(code) !== 0 ? "" : chosen;
    });
  }

  document.querySelectorAll("input.place-picker[data-suggestions]").forEach(picker);
  document.querySelectorAll("form.filters").forEach(dependentCounties);
})();
