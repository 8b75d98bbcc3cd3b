/* global document, window, location, fetch, URLSearchParams, setInterval, clearInterval */
// The emulated Teams host page (plain browser JavaScript, served as is). It frames the tab and answers the
// @microsoft/teams-js v2 postMessage protocol the way Teams does: requests arrive as {id, uuidAsString, func, args};
// answers go back as {id, uuidAsString, args}; host-initiated events (themeChange) are {func, args}.
(function () {
  'use strict';
  var config = JSON.parse(document.getElementById('host-config').textContent);
  var frame = document.getElementById('tab');
  var pick = {
    user: document.getElementById('user'),
    client: document.getElementById('client'),
    theme: document.getElementById('theme'),
    locale: document.getElementById('locale'),
  };
  var params = new URLSearchParams(location.search);
  var logEl = document.getElementById('log');
  // What the tab asked for, readable by browser tests as window.teamsHost.calls.
  var calls = [];
  window.teamsHost = { calls: calls, setTheme: setTheme };

  config.users.forEach(function (u) {
    var o = document.createElement('option');
    o.value = u.userId;
    o.textContent = u.displayName;
    pick.user.appendChild(o);
  });
  ['user', 'client', 'theme', 'locale'].forEach(function (k) {
    var wanted = params.get(k);
    if (wanted) choose(pick[k], k === 'locale' ? normaliseLocale(wanted) : wanted);
  });

  // Teams sends locales in lower case ("en-us"); BCP 47 tags are case-insensitive, so the picker matches without
  // case and the tab gets the usual spelling ("en-US"). A locale the picker lacks is added rather than dropped.
  function normaliseLocale(tag) {
    return tag
      .split(/[-_]/)
      .map(function (part, i) {
        if (i === 0) return part.toLowerCase();
        if (part.length === 2) return part.toUpperCase();
        if (part.length === 4) return part.charAt(0).toUpperCase() + part.slice(1).toLowerCase();
        return part.toLowerCase();
      })
      .join('-');
  }

  function choose(select, wanted) {
    var match = Array.prototype.find.call(select.options, function (o) {
      return o.value.toLowerCase() === wanted.toLowerCase();
    });
    if (!match && select === pick.locale) {
      match = document.createElement('option');
      match.value = match.textContent = wanted;
      select.appendChild(match);
    }
    if (match) select.value = match.value;
  }

  function log(text) {
    logEl.textContent += text + '\n';
    logEl.scrollTop = logEl.scrollHeight;
  }

  function currentUser() {
    return (
      config.users.find(function (u) {
        return u.userId === pick.user.value;
      }) || config.users[0]
    );
  }

  // Teams hands the tab the v1 ("legacy") context shape; teams-js turns it into app.Context.
  function legacyContext() {
    var user = currentUser();
    return {
      locale: pick.locale.value,
      theme: pick.theme.value,
      hostClientType: pick.client.value,
      hostName: 'Teams',
      frameContext: 'content',
      entityId: 'switchboard',
      appSessionId: sessionId,
      sessionId: sessionId,
      userObjectId: user.userId,
      userDisplayName: user.displayName,
      loginHint: user.userId,
      userPrincipalName: user.userId,
      tid: config.tenantId,
      isCallingAllowed: true,
      isPSTNCallingAllowed: true,
    };
  }

  // What this host supports (teams-js refuses capabilities the host does not announce).
  var runtime = {
    apiVersion: 4,
    hostVersionsInfo: { adaptiveCardSchemaVersion: { majorVersion: 1, minorVersion: 5 } },
    supports: {
      appInstallDialog: {},
      pages: { appButton: {}, tabs: {}, config: {}, backStack: {}, fullTrust: {} },
      teams: { fullTrust: {} },
      call: {},
    },
  };
  var sessionId = String(Date.now());

  function reply(source, origin, msg, args) {
    source.postMessage({ id: msg.id, uuidAsString: msg.uuidAsString, args: args }, origin);
  }

  // Teams' authentication window: a popup at the URL the tab gave (teams-js insists on https), which reports back
  // with authentication.authenticate.success / .failure once the tab's auth-end page ran. Closing it cancels.
  var auth = null;
  function openAuthWindow(url, width, height, answer) {
    var win = window.open(
      url,
      'switchboard-auth',
      'popup,width=' + (width || 600) + ',height=' + (height || 535),
    );
    if (!win) return answer([false, 'The authentication window was blocked.']);
    auth = { win: win, answer: answer };
    auth.timer = setInterval(function () {
      if (auth && auth.win.closed) finishAuth(false, 'CancelledByUser');
    }, 500);
  }
  function finishAuth(ok, value) {
    if (!auth) return;
    clearInterval(auth.timer);
    var answer = auth.answer;
    auth = null;
    log('authentication window: ' + (ok ? 'success' : 'failure: ' + value));
    answer([ok, value]);
  }
  function onAuthWindowMessage(ev) {
    var msg = ev.data;
    if (!msg || typeof msg.func !== 'string') return;
    calls.push({ func: msg.func, args: msg.args, window: 'authentication' });
    log('auth window → host: ' + msg.func);
    if (msg.func === 'initialize')
      return reply(ev.source, ev.origin, msg, [
        'authentication',
        pick.client.value,
        JSON.stringify(runtime),
        '2.58.0',
      ]);
    if (msg.func === 'getContext') {
      var ctx = legacyContext();
      ctx.frameContext = 'authentication';
      return reply(ev.source, ev.origin, msg, [ctx]);
    }
    if (msg.func === 'authentication.authenticate.success') return finishAuth(true, msg.args && msg.args[0]);
    if (msg.func === 'authentication.authenticate.failure') return finishAuth(false, msg.args && msg.args[0]);
  }

  window.addEventListener('message', function (ev) {
    if (auth && ev.source === auth.win) return onAuthWindowMessage(ev);
    if (ev.source !== frame.contentWindow) return;
    var msg = ev.data;
    if (!msg || typeof msg.func !== 'string' || typeof msg.id !== 'number') return;
    calls.push({ func: msg.func, args: msg.args });
    log('tab → host: ' + msg.func);
    var answer = function (args) {
      reply(ev.source, ev.origin, msg, args);
    };
    switch (msg.func) {
      case 'initialize':
        answer(['content', pick.client.value, JSON.stringify(runtime), '2.58.0']);
        break;
      case 'getContext':
        answer([legacyContext()]);
        break;
      case 'authentication.getAuthToken':
        fetch('/_host/sso-token', {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify({ userId: currentUser().userId }),
        })
          .then(function (r) {
            return r.json().then(function (b) {
              return { ok: r.ok, body: b };
            });
          })
          .then(function (r) {
            answer(
              r.ok
                ? [true, r.body.token]
                : [false, (r.body.error && r.body.error.message) || 'token request failed'],
            );
          })
          .catch(function (e) {
            answer([false, String(e)]);
          });
        break;
      case 'authentication.authenticate':
        log('authentication window: ' + msg.args[0]);
        openAuthWindow(msg.args[0], msg.args[1], msg.args[2], answer);
        break;
      case 'executeDeepLink':
      case 'app.openLink':
        log('open link: ' + msg.args[0]);
        answer([true]);
        break;
      default:
        // One-way notifications (appInitialization.success, ...) need no answer.
        break;
    }
  });

  function setTheme(theme) {
    pick.theme.value = theme;
    document.body.className = theme === 'default' ? '' : theme;
    if (frame.contentWindow)
      frame.contentWindow.postMessage({ func: 'themeChange', args: [theme] }, location.origin);
    log('host → tab: themeChange ' + theme);
  }

  function loadTab() {
    frame.src = config.tabPath;
  }

  // Demo controls (only when the host was started with the emulators' control URLs): act as the signed-in user's
  // phone and Teams client, so presence can be seen moving both ways.
  var controlsEl = document.getElementById('demo-controls');
  var resultEl = document.getElementById('control-result');
  function control(path, body, describe) {
    resultEl.textContent = 'working…';
    return fetch(path, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(Object.assign({ userId: currentUser().userId }, body)),
    })
      .then(function (r) {
        return r.json().then(function (b) {
          resultEl.textContent = r.ok ? describe(b) : (b.error && b.error.message) || 'failed';
          log('demo control ' + path + ': ' + resultEl.textContent);
        });
      })
      .catch(function (e) {
        resultEl.textContent = String(e);
      });
  }
  if (config.controls && controlsEl) {
    controlsEl.hidden = false;
    document.getElementById('pbx-place').addEventListener('click', function () {
      control('/_host/pbx-call', { action: 'place' }, function () {
        return 'Phone: on a call';
      });
    });
    document.getElementById('pbx-end').addEventListener('click', function () {
      control('/_host/pbx-call', { action: 'end' }, function () {
        return 'Phone: call ended';
      });
    });
    document.getElementById('require-consent').addEventListener('click', function () {
      control('/_host/require-consent', {}, function () {
        return 'Consent taken away: reload the tab';
      }).then(loadTab);
    });
    var teamsPick = document.getElementById('teams-presence');
    teamsPick.addEventListener('change', function () {
      var state = teamsPick.value;
      if (!state) return;
      control('/_host/teams-presence', { state: state }, function (b) {
        return 'Teams: ' + b.availability + ' / ' + b.activity;
      }).then(function () {
        teamsPick.value = '';
      });
    });
  }

  pick.theme.addEventListener('change', function () {
    setTheme(pick.theme.value);
  });
  // Client type, user and locale are fixed for a tab's lifetime in Teams: changing them reloads the tab.
  ['user', 'client', 'locale'].forEach(function (k) {
    pick[k].addEventListener('change', loadTab);
  });
  document.body.className = pick.theme.value === 'default' ? '' : pick.theme.value;
  loadTab();
})();
