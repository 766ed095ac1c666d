// The hub's version of cdsdashboards 0.6.3's script of this name (BSD-3-Clause, Ideonate), for its Bootstrap 5 pages.
require(["jquery"], function($) {
    "use strict";

    // JupyterHub >= 4 refuses a cookie-authenticated API request without its XSRF token, and an EventSource
    // cannot send headers: the token goes in the URL, as JupyterHub's own spawn-pending page does.
    var url = dashboard_progress_url;
    if (window.jhdata && window.jhdata.xsrf_token) {
        url += (url.indexOf("?") === -1 ? "?" : "&") + "_xsrf=" + encodeURIComponent(window.jhdata.xsrf_token);
    }
    var evtSource = new EventSource(url);

    var progressMessage = $("#progress-message");
    var progressBar = $("#progress-bar");
    var srProgress = $("#sr-progress");
    var progressLog = $("#progress-log");
    var launchA = $("#launch");

    evtSource.onmessage = function(e) {
        var evt = JSON.parse(e.data);

        if (evt.progress !== undefined) {
            var progText = evt.progress.toString();
            progressBar.parent().attr("aria-valuenow", progText);
            srProgress.text(progText + "%");
            progressBar.css("width", progText + "%");
        }
        var html_message;
        if (evt.html_message !== undefined) {
            progressMessage.html(evt.html_message);
            html_message = evt.html_message;
        } else if (evt.message !== undefined) {
            progressMessage.text(evt.message);
            html_message = progressMessage.html();
        }
        if (html_message) {
            progressLog.append($("<div>").addClass("progress-log-event").html(html_message));
        }

        if (evt.ready) {
            evtSource.close();
            window.location = evt.url;
        }

        if (evt.failed) {
            evtSource.close();
            progressBar.removeClass("progress-bar-animated").addClass("bg-danger");
            $("#progress-heading").text("The dashboard did not start.");
            $("#progress-error").text(evt.message || "No details were given.");
            $("#progress-failed").show();
            $("#progress-details").prop("open", true);
            launchA.attr("href", evt.url || window.location.href);
            launchA.show();
            $("#back-to-dashboards").show();
        }
    };

    evtSource.onerror = function() {
        // The hub refused or lost the stream (a restart, a lost login): say so instead of waiting forever.
        if (evtSource.readyState === EventSource.CLOSED) {
            progressMessage.text("Lost contact with the hub. Reload the page to try again.");
            $("#back-to-dashboards").show();
        }
    };
});
