/*!
 * 工会数据问答 — embeddable chat widget.
 *
 * Plain JavaScript, no build step, no third-party scripts. Embed with:
 *
 *   <script src="https://qa.example.org/widget.js"
 *           data-endpoint="https://qa.example.org"
 *           data-title="工会数据问答"
 *           data-placeholder="例如：苏州2016年职工书屋多少家"
 *           async></script>
 *
 * Optional attributes:
 *   data-endpoint     API base URL; empty or missing means the origin of this script.
 *   data-position     "bottom-right" (default) or "bottom-left".
 *   data-accent       accent colour, any CSS colour ("#c8102e").
 *   data-greeting     first message in the panel.
 *   data-open="true"  open the panel when the page loads.
 *
 * Everything is drawn inside an open Shadow DOM, so the host page's CSS cannot reach
 * it and it adds no CSS to the host page. The only global is `window.UnionQAWidget`
 * ({open, close, toggle, ask, version}). Text from the server or the user is only
 * ever inserted with textContent / createTextNode, never parsed as HTML.
 */
(function () {
  "use strict";

  var VERSION = "1.0.0";
  if (window.UnionQAWidget && window.UnionQAWidget.version) {
    return; // already loaded on this page
  }

  var script = document.currentScript || findScript();
  var attr = function (name) {
    var v = script && script.getAttribute("data-" + name);
    return v == null ? null : String(v).trim();
  };

  var scriptUrl = script && script.src ? new URL(script.src, location.href) : new URL(location.href);
  var endpoint = resolveEndpoint(attr("endpoint"), scriptUrl);
  var config = {
    endpoint: endpoint,
    title: attr("title") || "工会数据问答",
    placeholder: attr("placeholder") || "例如：苏州2016年职工书屋多少家",
    position: attr("position") === "bottom-left" ? "bottom-left" : "bottom-right",
    accent: validColor(attr("accent")) || "#c8102e",
    greeting:
      attr("greeting") ||
      "您好！我可以从已收录的工会工作报告中查找数字，并给出原文出处。请输入您的问题。",
    open: attr("open") === "true",
    topK: 5,
    timeoutMs: 30000,
  };

  var TEXT = {
    launcherOpen: "打开" + config.title,
    launcherClose: "关闭" + config.title,
    close: "关闭",
    send: "发送",
    inputLabel: "输入问题",
    // Read before each message, so a screen reader says who speaks.
    userSays: "您的问题：",
    botSays: "回答：",
    // Shown near the input's limit: how many characters are left, and at the limit why
    // typing stops.
    charsLeft: function (n) {
      return "还可输入 " + n + " 字";
    },
    charsFull: "问题最多 500 字，请精简后再发送",
    loading: "正在查找答案",
    empty: "请输入问题。",
    source: "来源",
    openDoc: "（在新窗口打开原文并高亮该句）",
    closest: "最接近的句子：",
    passages: "文档中的相关原文：",
    items: function (n) {
      return "共 " + n + " 项";
    },
    previously: "此前",
    grew: "增加",
    shrank: "减少",
    rest: "其余",
    whole: function (whole, part) {
      return "共 " + whole + "，其中 " + part;
    },
    more: "更多",
    fewer: "更少",
    tied: "两地数字相同",
    footer: "答案摘自文档原文 · 点击来源查看出处",
    network: "无法连接问答服务，请检查网络后重试。",
    cors:
      "无法访问问答服务：本网站可能未被授权调用该服务（跨域未授权），或服务暂时无法连接。请联系网站管理员。",
    timeout: "问答服务响应超时，请稍后重试。",
    invalid: "问题无效，请修改后重试。",
    rateLimited: "提问过于频繁，请稍后再试。",
    rateLimitedIn: function (s) {
      return "提问过于频繁，请 " + s + " 秒后再试。";
    },
    notReady: "问答服务正在启动或维护中，请稍后再试。",
    serverError: function (status) {
      return "问答服务出错（HTTP " + status + "），请稍后再试。";
    },
    badResponse: "问答服务返回了无法识别的内容，请稍后再试。",
    notFound: "未在文档中找到该数字。",
    newChat: "新对话",
    newChatLabel: "开始新对话（清除本页的对话记录）",
    resolved: function (q) {
      return "按“" + q + "”查找";
    },
  };

  // ---------------------------------------------------------------- helpers

  function findScript() {
    var all = document.querySelectorAll("script[src]");
    for (var i = all.length - 1; i >= 0; i--) {
      if (/(^|\/)widget\.js(\?|#|$)/.test(all[i].getAttribute("src") || "")) return all[i];
    }
    return null;
  }

  function resolveEndpoint(value, base) {
    if (!value) return base.origin;
    try {
      var u = new URL(value, base);
      if (u.protocol !== "http:" && u.protocol !== "https:") return base.origin;
      return (u.origin + u.pathname).replace(/\/+$/, "");
    } catch (e) {
      return base.origin;
    }
  }

  function validColor(value) {
    if (!value) return null;
    try {
      return window.CSS && CSS.supports && CSS.supports("color", value) ? value : null;
    } catch (e) {
      return null;
    }
  }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text != null) node.textContent = String(text);
    return node;
  }

  function svg(paths, size) {
    var ns = "http://www.w3.org/2000/svg";
    var node = document.createElementNS(ns, "svg");
    node.setAttribute("viewBox", "0 0 24 24");
    node.setAttribute("width", String(size || 24));
    node.setAttribute("height", String(size || 24));
    node.setAttribute("aria-hidden", "true");
    node.setAttribute("focusable", "false");
    paths.forEach(function (d) {
      var p = document.createElementNS(ns, "path");
      p.setAttribute("d", d);
      node.appendChild(p);
    });
    return node;
  }

  var ICON_CHAT = [
    "M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H9l-5 4v-4H4a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2z",
  ];
  var ICON_DOC = ["M6 2h9l5 5v15H6z", "M14 2v6h6", "M9 13h8M9 17h6"];
  var ICON_CLOSE = ["M6 6l12 12M18 6L6 18"];
  var ICON_SEND = ["M3 11.5L21 3l-8.5 18-2-7.5z", "M10.5 13.5L21 3"];

  function docUrl(c) {
    var url =
      config.endpoint +
      "/documents/" +
      encodeURIComponent(String(c.doc_id)) +
      "?start=" +
      encodeURIComponent(String(c.start)) +
      "&end=" +
      encodeURIComponent(String(c.end));
    return url;
  }

  function isSafeHttpUrl(url) {
    try {
      var u = new URL(url, location.href);
      return u.protocol === "http:" || u.protocol === "https:";
    } catch (e) {
      return false;
    }
  }

  function sourceLabel(c) {
    var bits = [];
    if (c.region) bits.push(String(c.region));
    if (c.period) bits.push(/^\d{4}$/.test(String(c.period)) ? c.period + "年" : String(c.period));
    return bits.join(" · ");
  }

  function shorten(text, n) {
    text = String(text || "")
      .replace(/\*\*|^#+\s*/gm, "")
      .replace(/\s+/g, " ")
      .trim();
    return text.length > n ? text.slice(0, n) + "…" : text;
  }

  function formatValue(v, unit, like) {
    if (typeof v !== "number" || !isFinite(v)) return "";
    var s;
    if (Math.abs(v) >= 1e8 && /亿/.test(like || "")) s = trim(v / 1e8) + " 亿";
    else if (Math.abs(v) >= 1e4 && /万/.test(like || "")) s = trim(v / 1e4) + " 万";
    else s = trim(v);
    return unit ? s + (/ (万|亿)$/.test(s) ? "" : " ") + unit : s;
  }

  // Ways a value may be written in the source text: 59600 → "5.96万", "5.96 万", "59600".
  function numberNeedles(v) {
    var out = [];
    if (Math.abs(v) >= 1e8) out.push(trim(v / 1e8) + "亿", trim(v / 1e8) + " 亿");
    if (Math.abs(v) >= 1e4) out.push(trim(v / 1e4) + "万", trim(v / 1e4) + " 万");
    out.push(trim(v));
    return out;
  }

  function trim(n) {
    return String(Math.round(n * 100) / 100);
  }

  // Split `quote` around the figures and wrap each in <mark> (text nodes only, no HTML).
  // `groups` is a list of [className, alternatives]; the first alternative found is marked.
  function highlighted(quote, groups) {
    // A quote is one sentence: line breaks inside it are wraps of the converted PDF.
    quote = String(quote || "").replace(/[ \t]*\n\s*/g, "");
    var ranges = [];
    groups.forEach(function (group) {
      var alts = group[1];
      for (var i = 0; i < alts.length; i++) {
        if (!alts[i]) continue;
        var at = findWhole(quote, alts[i]);
        if (at < 0) continue;
        var r = { start: at, end: at + alts[i].length, cls: group[0] };
        var overlaps = ranges.some(function (o) {
          return r.start < o.end && o.start < r.end;
        });
        if (!overlaps) ranges.push(r);
        break;
      }
    });
    ranges.sort(function (a, b) {
      return a.start - b.start;
    });
    var frag = document.createDocumentFragment();
    var pos = 0;
    ranges.forEach(function (r) {
      frag.appendChild(document.createTextNode(quote.slice(pos, r.start)));
      var mark = document.createElement("mark");
      if (r.cls) mark.className = r.cls;
      mark.textContent = quote.slice(r.start, r.end);
      frag.appendChild(mark);
      pos = r.end;
    });
    frag.appendChild(document.createTextNode(quote.slice(pos)));
    return frag;
  }

  // The quote with document spans [start, end] marked: offsets, not text search, so a
  // name that occurs twice in the sentence is marked where the answer is.
  function markedSpans(c, spans) {
    var quote = String(c.quote || "");
    var ranges = [];
    spans.forEach(function (sp) {
      var r = { start: sp[0] - c.start, end: sp[1] - c.start };
      if (!(r.start >= 0 && r.end <= quote.length && r.end > r.start)) return;
      var overlaps = ranges.some(function (o) {
        return r.start < o.end && o.start < r.end;
      });
      if (!overlaps) ranges.push(r);
    });
    ranges.sort(function (a, b) {
      return a.start - b.start;
    });
    var unwrap = function (text) {
      return text.replace(/[ \t]*\n\s*/g, "");
    };
    var frag = document.createDocumentFragment();
    var pos = 0;
    ranges.forEach(function (r) {
      frag.appendChild(document.createTextNode(unwrap(quote.slice(pos, r.start))));
      var mark = document.createElement("mark");
      mark.textContent = unwrap(quote.slice(r.start, r.end));
      frag.appendChild(mark);
      pos = r.end;
    });
    frag.appendChild(document.createTextNode(unwrap(quote.slice(pos))));
    return frag;
  }

  // indexOf that will not match "918" inside "1918" or "9180".
  function findWhole(text, needle) {
    var from = 0;
    for (;;) {
      var at = text.indexOf(needle, from);
      if (at < 0) return -1;
      var before = text.charAt(at - 1);
      var after = text.charAt(at + needle.length);
      var digitStart = /^[\d.]/.test(needle);
      var digitEnd = /[\d.]$/.test(needle);
      var next = text.charAt(at + needle.length + 1);
      var clashBefore = digitStart && /[\d.]/.test(before);
      var clashAfter = digitEnd && (/\d/.test(after) || (after === "." && /\d/.test(next)));
      if (!clashBefore && !clashAfter) return at;
      from = at + 1;
    }
  }

  function sourceLink(c, text) {
    var href = docUrl(c);
    var a = el("a", "source");
    if (isSafeHttpUrl(href)) a.href = href;
    a.target = "_blank";
    a.rel = "noopener noreferrer";
    a.appendChild(svg(ICON_DOC, 14));
    var body = el("span", "source-text");
    body.appendChild(el("span", "source-title", text));
    var meta = sourceLabel(c);
    if (meta) body.appendChild(el("span", "source-meta", meta));
    body.appendChild(el("span", "sr", TEXT.openDoc));
    a.appendChild(body);
    return withPageLink(c, a);
  }

  // A PDF citation also links to the original file, opened at the cited page.
  function withPageLink(c, a) {
    if (typeof c.page !== "number" || !(c.page >= 1)) return a;
    var frag = document.createDocumentFragment();
    frag.appendChild(a);
    var link = el("a", "page-link", "PDF 原文第 " + c.page + " 页");
    var href =
      config.endpoint + "/v1/documents/" + encodeURIComponent(String(c.doc_id)) +
      "/original#page=" + Math.floor(c.page);
    if (isSafeHttpUrl(href)) link.href = href;
    link.target = "_blank";
    link.rel = "noopener noreferrer";
    frag.appendChild(link);
    return frag;
  }

  // ------------------------------------------------------------------ styles

  var CSS_TEXT = [
    ":host{all:initial !important;}",
    "*,*::before,*::after{box-sizing:border-box;}",
    ".root{--accent:#c8102e;--on-accent:#fff;--fg:#1f2328;--muted:#5b6470;--bg:#fff;--soft:#f5f6f8;--line:#e3e6ea;",
    "font-family:system-ui,-apple-system,'PingFang SC','Hiragino Sans GB','Microsoft YaHei','Noto Sans CJK SC','WenQuanYi Zen Hei',sans-serif;",
    "font-size:15px;line-height:1.55;color:var(--fg);-webkit-font-smoothing:antialiased;text-align:left;direction:ltr;}",
    ".launcher{position:fixed;bottom:20px;right:20px;z-index:2147483000;display:inline-flex;align-items:center;gap:8px;",
    "min-height:52px;padding:0 18px 0 14px;border:0;border-radius:26px;background:var(--accent);color:var(--on-accent);",
    "font:inherit;font-weight:600;cursor:pointer;box-shadow:0 6px 20px rgba(0,0,0,.22);transition:transform .15s ease;}",
    ".launcher:hover{transform:translateY(-1px);}",
    ".launcher svg{fill:currentColor;}",
    ".launcher:focus-visible,button:focus-visible,a:focus-visible,textarea:focus-visible{outline:3px solid #1a73e8;outline-offset:2px;}",
    ".left .launcher{right:auto;left:20px;}",
    ".panel{position:fixed;bottom:84px;right:20px;z-index:2147483001;width:380px;max-width:calc(100vw - 40px);",
    "height:560px;max-height:calc(100vh - 104px);display:flex;flex-direction:column;background:var(--bg);",
    "border:1px solid var(--line);border-radius:14px;box-shadow:0 12px 40px rgba(0,0,0,.25);overflow:hidden;}",
    ".panel[hidden]{display:none;}",
    ".left .panel{right:auto;left:20px;}",
    ".head{display:flex;align-items:center;gap:8px;padding:12px 10px 12px 16px;background:var(--accent);color:var(--on-accent);}",
    ".title{flex:1;margin:0;font-size:16px;font-weight:700;line-height:1.3;}",
    ".close{display:inline-flex;align-items:center;justify-content:center;width:36px;height:36px;border:0;border-radius:8px;",
    "background:transparent;color:inherit;cursor:pointer;}",
    ".close:hover{background:rgba(255,255,255,.18);}",
    ".close svg{stroke:currentColor;stroke-width:2.2;stroke-linecap:round;fill:none;}",
    ".log{flex:1;overflow-y:auto;padding:14px 14px 6px;background:var(--soft);overscroll-behavior:contain;}",
    ".msg{margin:0 0 12px;max-width:100%;word-wrap:break-word;overflow-wrap:anywhere;}",
    ".msg.user{display:flex;justify-content:flex-end;}",
    ".bubble{display:inline-block;max-width:88%;padding:8px 12px;border-radius:12px;white-space:pre-wrap;}",
    ".user .bubble{background:var(--accent);color:var(--on-accent);border-bottom-right-radius:4px;}",
    ".bot .card{background:var(--bg);border:1px solid var(--line);border-radius:12px;border-bottom-left-radius:4px;padding:10px 12px;}",
    ".figure{display:block;font-size:28px;font-weight:800;line-height:1.2;color:var(--accent);letter-spacing:.5px;}",
    ".compare-winner{margin:0 0 2px;font-weight:700;}",
    ".compared{list-style:none;margin:4px 0 0;padding:0;color:var(--fg);font-size:14px;}",
    ".compared-figure{font-weight:700;}",
    ".figure-note{display:block;margin-top:2px;color:var(--muted);font-size:13px;}",
    ".span-answer{display:block;font-size:20px;font-weight:700;line-height:1.35;color:var(--accent);}",
    ".post,.post-sep{font-size:14px;font-weight:400;color:var(--muted);}",
    ".items{margin:4px 0 0;padding-left:22px;font-size:15px;line-height:1.6;}",
    ".passages-head{margin:0 0 4px;color:var(--muted);font-size:13px;}",
    ".cite{margin-top:10px;padding-top:8px;border-top:1px dashed var(--line);}",
    ".cite:first-of-type{border-top:0;padding-top:0;}",
    "blockquote{margin:6px 0;padding:6px 10px;border-left:3px solid var(--accent);background:var(--soft);border-radius:0 6px 6px 0;white-space:pre-wrap;}",
    "mark{background:#ffe58a;color:inherit;padding:0 2px;border-radius:3px;font-weight:700;}",
    ".source{display:flex;gap:6px;align-items:flex-start;color:#0b57d0;text-decoration:none;font-size:13px;line-height:1.5;}",
    ".source-text{min-width:0;}",
    ".page-link{display:inline-block;margin:2px 0 0 20px;color:#0b57d0;font-size:12px;}",
    ".source-meta{display:block;}",
    ".source:hover .source-title{text-decoration:underline;}",
    ".source svg{flex:none;margin-top:3px;stroke:currentColor;stroke-width:2;fill:none;stroke-linejoin:round;}",
    "mark.prev{background:#e6eefc;font-weight:600;}",
    ".source-meta{color:var(--muted);}",
    ".message{margin:0 0 6px;}",
    ".resolved{margin:0 0 6px;color:var(--muted);font-size:13px;}",
    ".new-chat{min-height:36px;padding:0 10px;border:1px solid rgba(255,255,255,.6);border-radius:8px;background:transparent;",
    "color:inherit;font:inherit;font-size:13px;cursor:pointer;}",
    ".new-chat:hover{background:rgba(255,255,255,.18);}",
    ".error .card{border-color:#f1b5b5;background:#fff5f5;color:#8a1c1c;}",
    ".closest-head{margin:8px 0 4px;color:var(--muted);font-size:13px;}",
    ".closest{margin:0;padding:0;list-style:none;}",
    ".closest li{margin:0 0 8px;}",
    ".excerpt{display:block;color:var(--muted);font-size:13px;margin-top:4px;text-decoration:none;border-left:2px solid var(--line);padding-left:8px;}",
    "a.excerpt:hover{color:inherit;text-decoration:underline;}",
    ".status{min-height:0;padding:0 14px;background:var(--soft);color:var(--muted);font-size:13px;}",
    ".status:not(:empty){padding:2px 14px 8px;}",
    ".dots{display:inline-flex;gap:3px;margin-left:6px;vertical-align:middle;}",
    ".dots i{width:6px;height:6px;border-radius:50%;background:var(--muted);animation:blink 1.2s infinite ease-in-out;}",
    ".dots i:nth-child(2){animation-delay:.2s}.dots i:nth-child(3){animation-delay:.4s}",
    "@keyframes blink{0%,80%,100%{opacity:.25}40%{opacity:1}}",
    "@media (prefers-reduced-motion:reduce){.dots i{animation:none}.launcher{transition:none}}",
    ".composer{display:flex;flex-wrap:wrap;gap:8px;align-items:flex-end;padding:10px;border-top:1px solid var(--line);background:var(--bg);}",
    "textarea{flex:1;min-width:0;resize:none;min-height:42px;max-height:120px;padding:9px 10px;border:1px solid #c9ced6;border-radius:10px;",
    "font:inherit;color:var(--fg);background:#fff;line-height:1.45;}",
    "textarea:focus{border-color:var(--accent);}",
    ".send{display:inline-flex;align-items:center;justify-content:center;gap:4px;min-width:64px;height:42px;padding:0 12px;border:0;",
    "border-radius:10px;background:var(--accent);color:var(--on-accent);font:inherit;font-weight:600;cursor:pointer;}",
    ".send svg{stroke:currentColor;stroke-width:2;fill:none;stroke-linejoin:round;}",
    ".send[disabled]{opacity:.55;cursor:progress;}",
    ".foot{margin:0;padding:0 12px 8px;background:var(--bg);color:var(--muted);font-size:12px;text-align:center;}",
    ".counter{flex-basis:100%;margin:4px 0 0;font-size:12px;color:#5f6368;}",
    ".counter.full{color:#b3261e;}",
    ".sr{position:absolute !important;width:1px;height:1px;padding:0;margin:-1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap;border:0;}",
    "@media (max-width:480px){",
    ".panel,.left .panel{left:0;right:0;top:0;bottom:0;width:100%;max-width:100%;height:100%;max-height:none;border:0;border-radius:0;}",
    ".open .launcher{display:none;}",
    ".launcher{bottom:16px;right:16px;}.left .launcher{left:16px;}",
    "}",
  ].join("\n");

  function applyStyles(shadow) {
    // Constructed style sheets are not subject to the host page's CSP style-src; fall
    // back to a <style> element where they are not supported.
    try {
      if (shadow.adoptedStyleSheets !== undefined && typeof CSSStyleSheet === "function") {
        var sheet = new CSSStyleSheet();
        sheet.replaceSync(CSS_TEXT);
        shadow.adoptedStyleSheets = [sheet];
        return;
      }
    } catch (e) {
      /* fall through */
    }
    var style = document.createElement("style");
    style.textContent = CSS_TEXT;
    shadow.appendChild(style);
  }

  function onAccentColour(colour) {
    // Dark text on light accents, white text otherwise.
    var probe = document.createElement("span");
    probe.style.color = colour;
    probe.style.display = "none";
    document.body.appendChild(probe);
    var rgb = getComputedStyle(probe).color.match(/\d+(\.\d+)?/g) || [0, 0, 0];
    probe.remove();
    var lum = (0.299 * rgb[0] + 0.587 * rgb[1] + 0.114 * rgb[2]) / 255;
    return lum > 0.62 ? "#1f2328" : "#ffffff";
  }

  // ---------------------------------------------------------------- the widget

  function build() {
    var host = document.createElement("union-qa-widget");
    host.setAttribute("data-version", VERSION);
    // Inline styles win over the host page's selectors for the host element itself.
    host.style.setProperty("all", "initial", "important");
    host.style.setProperty("display", "contents", "important");
    var shadow = host.attachShadow({ mode: "open" });
    applyStyles(shadow);

    var root = el("div", "root" + (config.position === "bottom-left" ? " left" : ""));
    root.style.setProperty("--accent", config.accent);
    root.style.setProperty("--on-accent", onAccentColour(config.accent));
    root.setAttribute("lang", "zh-CN");

    var launcher = el("button", "launcher");
    launcher.type = "button";
    launcher.setAttribute("aria-label", TEXT.launcherOpen);
    launcher.setAttribute("aria-expanded", "false");
    launcher.setAttribute("aria-controls", "uqa-panel");
    launcher.setAttribute("aria-haspopup", "dialog");
    launcher.appendChild(svg(ICON_CHAT, 22));
    launcher.appendChild(el("span", "launcher-text", "问数据"));

    var panel = el("section", "panel");
    panel.id = "uqa-panel";
    panel.hidden = true;
    panel.setAttribute("role", "dialog");
    panel.setAttribute("aria-modal", "false");
    panel.setAttribute("aria-label", config.title);

    var head = el("div", "head");
    var title = el("h2", "title", config.title);
    var closeBtn = el("button", "close");
    closeBtn.type = "button";
    closeBtn.setAttribute("aria-label", TEXT.close);
    closeBtn.appendChild(svg(ICON_CLOSE, 20));
    var newChat = el("button", "new-chat", TEXT.newChat);
    newChat.type = "button";
    newChat.setAttribute("aria-label", TEXT.newChatLabel);
    head.appendChild(title);
    head.appendChild(newChat);
    head.appendChild(closeBtn);

    var log = el("div", "log");
    log.setAttribute("role", "log");
    log.setAttribute("aria-live", "polite");
    log.setAttribute("aria-label", "对话记录");
    log.tabIndex = 0;

    var status = el("div", "status");
    status.setAttribute("role", "status");
    status.setAttribute("aria-live", "polite");

    var form = el("form", "composer");
    form.setAttribute("novalidate", "");
    var label = el("label", "sr", TEXT.inputLabel);
    label.htmlFor = "uqa-input";
    var input = el("textarea");
    input.id = "uqa-input";
    input.name = "question";
    input.rows = 1;
    input.maxLength = 500;
    input.placeholder = config.placeholder;
    input.setAttribute("enterkeyhint", "send");
    input.setAttribute("autocomplete", "off");
    var send = el("button", "send");
    send.type = "submit";
    send.appendChild(svg(ICON_SEND, 18));
    send.appendChild(el("span", null, TEXT.send));
    var counter = el("p", "counter", "");
    counter.id = "uqa-counter";
    counter.setAttribute("aria-live", "polite");
    counter.hidden = true;
    input.setAttribute("aria-describedby", "uqa-counter");
    form.appendChild(label);
    form.appendChild(input);
    form.appendChild(send);
    form.appendChild(counter);

    function updateCounter() {
      var left = input.maxLength - input.value.length;
      counter.hidden = left > 50;
      counter.classList.toggle("full", left <= 0);
      counter.textContent = left <= 0 ? TEXT.charsFull : TEXT.charsLeft(left);
    }
    input.addEventListener("input", updateCounter);

    var foot = el("p", "foot", TEXT.footer);

    panel.appendChild(head);
    panel.appendChild(log);
    panel.appendChild(status);
    panel.appendChild(form);
    panel.appendChild(foot);
    root.appendChild(panel);
    root.appendChild(launcher);
    shadow.appendChild(root);
    document.body.appendChild(host);

    var pending = false;
    var greeted = false;

    function greet() {
      greeted = true;
      addBot(function (card) {
        card.appendChild(el("p", "message", config.greeting));
        // What the documents cover (places and years), so a user knows what to ask.
        var scope = el("p", "scope", "");
        scope.hidden = true;
        card.appendChild(scope);
        fetch(config.endpoint + "/v1/corpus", { headers: { Accept: "application/json" } })
          .then(function (r) {
            return r.ok ? r.json() : null;
          })
          .then(function (data) {
            if (data && data.text) {
              scope.textContent = data.text;
              scope.hidden = false;
            }
          })
          .catch(function () {});
      });
    }

    function setOpen(open, restoreFocus) {
      panel.hidden = !open;
      root.classList.toggle("open", open);
      launcher.setAttribute("aria-expanded", open ? "true" : "false");
      launcher.setAttribute("aria-label", open ? TEXT.launcherClose : TEXT.launcherOpen);
      rememberOpen(open);
      if (open) {
        if (!greeted) greet();
        input.focus();
      } else if (restoreFocus) {
        launcher.focus();
      }
    }

    function isOpen() {
      return !panel.hidden;
    }

    function scrollDown() {
      log.scrollTop = log.scrollHeight;
    }

    function addUser(text) {
      var row = el("div", "msg user");
      row.appendChild(el("span", "sr", TEXT.userSays));
      row.appendChild(el("div", "bubble", text));
      log.appendChild(row);
      scrollDown();
    }

    // A long answer read from its start: the figure and its sentence come first, and
    // scrolling to the bottom would push them out of view.
    function scrollToStart(row) {
      var top = row.getBoundingClientRect().top - log.getBoundingClientRect().top;
      log.scrollTop += top - 8;
    }

    function addBot(fill, extraClass) {
      var row = el("div", "msg bot" + (extraClass ? " " + extraClass : ""));
      row.appendChild(el("span", "sr", TEXT.botSays));
      var card = el("div", "card");
      fill(card);
      row.appendChild(card);
      log.appendChild(row);
      scrollToStart(row);
      return row;
    }

    function setLoading(on) {
      pending = on;
      send.disabled = on;
      panel.setAttribute("aria-busy", on ? "true" : "false");
      while (status.firstChild) status.removeChild(status.firstChild);
      if (on) {
        status.appendChild(document.createTextNode(TEXT.loading));
        var dots = el("span", "dots");
        dots.setAttribute("aria-hidden", "true");
        dots.appendChild(el("i"));
        dots.appendChild(el("i"));
        dots.appendChild(el("i"));
        status.appendChild(dots);
      }
    }

    // Every kind but a figure: the answer as its kind reads (a person with the post, a
    // date/place/name in bold, a list item by item, 是/否 with the sentence that decides
    // it, a definition or description as up to three quoted passages), then the quotes
    // with the answer's spans marked by their document offsets.
    function renderAnswer(data) {
      var answer = data.answer || {};
      var kind = answer.kind || data.kind || "figure";
      if (kind === "figure") return renderFigure(data);
      var cites = Array.isArray(data.citations) ? data.citations : [];
      var items = Array.isArray(answer.items) ? answer.items : [];
      var passage = kind === "definition" || kind === "describe";
      addBot(function (card) {
        card.classList.add("kind-" + kind);
        if (passage) {
          // No headline: the passages are the answer.
          card.appendChild(el("p", "passages-head", TEXT.passages));
        } else if (kind === "list" && items.length) {
          card.appendChild(el("span", "figure-note", TEXT.items(items.length)));
          var ol = el("ol", "items");
          items.forEach(function (it) {
            ol.appendChild(el("li", "", it.text));
          });
          card.appendChild(ol);
        } else {
          var head = el("strong", "span-answer" + (kind === "yesno" ? " yesno" : ""), answer.text);
          if (answer.post) {
            head.appendChild(el("span", "post-sep", " · "));
            head.appendChild(el("span", "post", answer.post));
          }
          card.appendChild(head);
        }
        var first = cites[0];
        if (!passage && first && sourceLabel(first)) {
          card.appendChild(el("span", "figure-note", sourceLabel(first)));
        }
        // As in the chat Markdown: up to three passages, two sentences for a span.
        cites.slice(0, passage ? 3 : 2).forEach(function (c) {
          var box = el("div", "cite");
          var quote = el("blockquote");
          quote.appendChild(markedSpans(c, answerSpans(answer, kind, c)));
          box.appendChild(quote);
          box.appendChild(sourceLink(c, TEXT.source + "：" + (c.title || c.doc_id)));
          card.appendChild(box);
        });
      });
    }

    // The document spans [start, end] of `answer` that lie inside citation `c`: each item
    // of a list (items carry their own doc_id), else the answer's span. A yes/no or
    // passage answer's span is usually the whole quote, and marking all of it says
    // nothing, so it is marked only when it is a part of the quote.
    function answerSpans(answer, kind, c) {
      var inside = function (docId, start, end) {
        return (
          docId === c.doc_id &&
          typeof start === "number" &&
          typeof end === "number" &&
          start >= c.start &&
          end <= c.end &&
          end > start
        );
      };
      var items = Array.isArray(answer.items) ? answer.items : [];
      if (items.length) {
        return items
          .filter(function (it) {
            return inside(it.doc_id == null ? answer.doc_id : it.doc_id, it.start, it.end);
          })
          .map(function (it) {
            return [it.start, it.end];
          });
      }
      if (!inside(answer.doc_id, answer.start, answer.end)) return [];
      var whole = answer.start === c.start && answer.end === c.end;
      var sentenceKind = kind === "yesno" || kind === "definition" || kind === "describe";
      return sentenceKind && whole ? [] : [[answer.start, answer.end]];
    }

    // A comparison in words, as the CLI says it (rag/messages.py compare_line): the
    // winner comes first in `compared`.
    function compareLine(answer) {
      var sides = answer.compared;
      if (answer.winner == null) return TEXT.tied;
      return answer.winner + (sides[0].value > sides[1].value ? TEXT.more : TEXT.fewer);
    }

    function renderFigure(data) {
      var answer = data.answer || {};
      var cites = Array.isArray(data.citations) ? data.citations : [];
      var sides = Array.isArray(answer.compared) && answer.compared.length >= 2 ? answer.compared : null;
      addBot(function (card) {
        if (sides) card.appendChild(el("p", "compare-winner", compareLine(answer)));
        var change = typeof answer.change === "number" ? answer.change : null;
        var rest = typeof answer.rest === "number" ? answer.rest : null;
        // 增加了多少 asked: the difference heads the card, the figure it reached beside it;
        // 没有…的有多少: the rest of the whole, the whole and the part beside it.
        if (rest !== null) {
          card.appendChild(el("strong", "figure", TEXT.rest + " " + formatValue(rest, answer.unit, answer.text)));
        } else if (change !== null) {
          var word = answer.compared_to
            ? "比" + answer.compared_to + (change < 0 ? "少" : "多")
            : change < 0
              ? TEXT.shrank
              : TEXT.grew;
          var by = word + " " + formatValue(Math.abs(change), answer.unit, answer.text);
          card.appendChild(el("strong", "figure", by));
        } else {
          card.appendChild(el("strong", "figure", answer.text));
        }
        if (sides) {
          // Both figures, each beside its place: what was compared, not only the winner.
          var table = el("ul", "compared");
          sides.forEach(function (side) {
            var li = el("li");
            li.appendChild(el("span", "compared-place", side.place + "："));
            li.appendChild(el("span", "compared-figure", side.text));
            table.appendChild(li);
          });
          card.appendChild(table);
        }
        var first = cites[0];
        var notes = [];
        if (first && sourceLabel(first)) notes.push(sourceLabel(first));
        if (rest !== null) {
          notes.push(TEXT.whole(formatValue(answer.from, answer.unit, answer.text), answer.text));
        } else if (typeof answer.from === "number") {
          notes.push(TEXT.previously + "：" + formatValue(answer.from, answer.unit, answer.text));
        }
        if (change !== null) notes.push(answer.text);
        if (notes.length) card.appendChild(el("span", "figure-note", notes.join(" ｜ ")));
        var fromNeedles = typeof answer.from === "number" ? numberNeedles(answer.from) : [];
        cites.slice(0, 2).forEach(function (c, i) {
          var box = el("div", "cite");
          var quote = el("blockquote");
          // Each side's sentence marks its own figure.
          var own = sides && sides[i] && sides[i].doc_id === c.doc_id ? sides[i].text : answer.text;
          quote.appendChild(
            highlighted(c.quote, [
              ["", [own]],
              ["prev", fromNeedles],
            ]),
          );
          box.appendChild(quote);
          box.appendChild(sourceLink(c, TEXT.source + "：" + (c.title || c.doc_id)));
          card.appendChild(box);
        });
      });
    }

    function renderNotFound(data) {
      var cites = Array.isArray(data.citations) ? data.citations : [];
      addBot(function (card) {
        card.appendChild(el("p", "message", data.message || TEXT.notFound));
        if (!cites.length) return;
        card.appendChild(el("p", "closest-head", TEXT.closest));
        var list = el("ul", "closest");
        // Each document's title once, then its closest sentences, each linking to its
        // own highlighted span.
        var groups = [];
        cites.slice(0, 3).forEach(function (c) {
          var group = groups.filter(function (g) {
            return g.doc === c.doc_id;
          })[0];
          if (!group) groups.push((group = { doc: c.doc_id, cites: [] }));
          group.cites.push(c);
        });
        groups.forEach(function (g) {
          var li = el("li");
          li.appendChild(sourceLink(g.cites[0], g.cites[0].title || g.doc));
          g.cites.forEach(function (c) {
            var line = el("a", "excerpt", shorten(c.quote || c.chunk, 160));
            var href = docUrl(c);
            if (isSafeHttpUrl(href)) line.href = href;
            line.target = "_blank";
            line.rel = "noopener noreferrer";
            li.appendChild(line);
          });
          list.appendChild(li);
        });
        card.appendChild(list);
      }, "not-found");
    }

    function renderError(message) {
      addBot(function (card) {
        card.setAttribute("role", "alert");
        card.appendChild(el("p", "message", message));
      }, "error");
    }

    function errorMessage(res, body) {
      var serverMsg =
        body && body.error && typeof body.error.message === "string" ? body.error.message : null;
      if (res.status === 422 || res.status === 400 || res.status === 413) {
        return serverMsg || TEXT.invalid;
      }
      if (res.status === 429) {
        var after = parseInt(res.headers.get("Retry-After") || "", 10);
        return after > 0 ? TEXT.rateLimitedIn(after) : serverMsg || TEXT.rateLimited;
      }
      if (res.status === 503) return serverMsg || TEXT.notReady;
      return serverMsg || TEXT.serverError(res.status);
    }

    function crossOrigin() {
      try {
        return new URL(config.endpoint, location.href).origin !== location.origin;
      } catch (e) {
        return true;
      }
    }

    function ask(question) {
      question = String(question == null ? "" : question).trim();
      if (!question) {
        status.textContent = TEXT.empty;
        input.focus();
        return Promise.resolve(null);
      }
      if (pending) return Promise.resolve(null);
      addUser(question);
      setLoading(true);
      var sentIn = generation;
      var controller = typeof AbortController === "function" ? new AbortController() : null;
      var timer = setTimeout(function () {
        if (controller) controller.abort();
      }, config.timeoutMs);
      return fetch(config.endpoint + "/v1/ask", {
        method: "POST",
        mode: "cors",
        credentials: "omit",
        headers: { "Content-Type": "application/json", Accept: "application/json" },
        body: JSON.stringify({ question: question, top_k: config.topK, history: historyToSend() }),
        signal: controller ? controller.signal : undefined,
      })
        .then(
          function (res) {
            return res
              .json()
              .catch(function () {
                return null;
              })
              .then(function (body) {
                if (sentIn !== generation) return false; // 新对话 was started meanwhile
                if (!res.ok) {
                  renderError(errorMessage(res, body));
                  return false;
                }
                if (!body || (body.status !== "answered" && body.status !== "not_found")) {
                  renderError(TEXT.badResponse);
                  return false;
                }
                renderReply(body);
                remember(question, body);
                return true;
              });
          },
          function (err) {
            if (sentIn !== generation) return false;
            if (err && err.name === "AbortError") renderError(TEXT.timeout);
            else if (navigator.onLine === false) renderError(TEXT.network);
            else renderError(crossOrigin() ? TEXT.cors : TEXT.network);
            return false;
          },
        )
        .then(function (ok) {
          clearTimeout(timer);
          setLoading(false);
          // Keep the question in the box on error so the user can retry.
          if (ok && input.value.trim() === question) {
            input.value = "";
            autosize();
            updateCounter();
          }
          return ok;
        });
    }

    // ------------------------------------------------------ conversation thread
    // The thread lives in sessionStorage: it survives a reload of the page in this tab
    // and ends with the tab (or with 新对话). Each question is sent with the last turns,
    // so the server can resolve a follow-up such as "那2012年呢？".

    var THREAD_KEY = "union-qa-widget:" + config.endpoint;
    var SEND_TURNS = 10; // the server reads at most 10 earlier turns
    var KEEP_TURNS = 30; // shown again after a reload
    var MAX_ANSWER_CHARS = 4000; // HistoryTurn.answer's limit (api/models.py)
    var generation = 0; // bumped by 新对话: replies to older questions are dropped
    var thread = loadThread();

    function loadThread() {
      try {
        var saved = JSON.parse(window.sessionStorage.getItem(THREAD_KEY) || "null");
        if (saved && Array.isArray(saved.turns)) return saved;
      } catch (e) {
        /* storage blocked or corrupt: start empty */
      }
      return { turns: [], open: false };
    }

    function saveThread() {
      try {
        window.sessionStorage.setItem(THREAD_KEY, JSON.stringify(thread));
      } catch (e) {
        /* storage full or blocked: the thread lasts as long as the page */
      }
    }

    // What the server needs of earlier turns: the standalone question each one was
    // answered as, and the answer text shown (which "他/她" may refer to).
    function historyToSend() {
      return thread.turns.slice(-SEND_TURNS).map(function (t) {
        var turn = { question: t.resolved || t.question };
        if (t.answer) turn.answer = t.answer;
        return turn;
      });
    }

    function remember(question, reply) {
      var kept = JSON.parse(JSON.stringify(reply));
      (kept.citations || []).forEach(function (c) {
        delete c.chunk; // the widget never shows it; keeps storage small
      });
      thread.turns.push({
        question: question,
        resolved: typeof reply.resolved_question === "string" ? reply.resolved_question : null,
        // The server takes at most 4000 characters of an earlier answer (a definition's
        // passages can be longer); the start of it is what a pronoun refers back to.
        answer:
          reply.answer && typeof reply.answer.text === "string"
            ? reply.answer.text.slice(0, MAX_ANSWER_CHARS)
            : null,
        reply: kept,
      });
      thread.turns = thread.turns.slice(-KEEP_TURNS);
      saveThread();
    }

    function rememberOpen(open) {
      if (thread.open === open) return;
      thread.open = open;
      saveThread();
    }

    function renderReply(body) {
      if (body.status === "answered" && body.answer) renderAnswer(body);
      else renderNotFound(body);
      showResolved(log.lastElementChild, body.resolved_question);
    }

    // "按“苏州2012年职工书屋多少家”查找": the standalone question that was answered.
    function showResolved(row, resolved) {
      if (typeof resolved !== "string" || !resolved || !row) return;
      var card = row.querySelector(".card");
      if (card) card.insertBefore(el("p", "resolved", TEXT.resolved(resolved)), card.firstChild);
    }

    // Draw the stored thread again after a reload; true if the panel was open.
    function restoreThread() {
      if (!thread.turns.length) return thread.open;
      greet();
      thread.turns.forEach(function (t) {
        addUser(t.question);
        if (t.reply) renderReply(t.reply);
      });
      return thread.open;
    }

    function startOver() {
      generation += 1;
      thread = { turns: [], open: isOpen() };
      try {
        window.sessionStorage.removeItem(THREAD_KEY);
      } catch (e) {
        /* nothing stored */
      }
      saveThread();
      while (log.firstChild) log.removeChild(log.firstChild);
      setLoading(false);
      greet();
      input.focus();
    }

    function autosize() {
      input.style.height = "auto";
      input.style.height = Math.min(input.scrollHeight + 2, 120) + "px";
    }

    launcher.addEventListener("click", function () {
      setOpen(!isOpen(), true);
    });
    closeBtn.addEventListener("click", function () {
      setOpen(false, true);
    });
    newChat.addEventListener("click", function () {
      startOver();
    });
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      ask(input.value);
    });
    input.addEventListener("input", autosize);
    input.addEventListener("keydown", function (e) {
      // Enter sends, Shift+Enter is a newline; never send while an IME is composing.
      if (e.key === "Enter" && !e.shiftKey && !e.isComposing && e.keyCode !== 229) {
        e.preventDefault();
        ask(input.value);
      }
    });
    root.addEventListener("keydown", function (e) {
      if ((e.key === "Escape" || e.key === "Esc") && isOpen()) {
        e.preventDefault();
        e.stopPropagation();
        setOpen(false, true);
      }
    });

    // At phone size the panel covers the page: keyboard focus stays inside it, and Esc
    // closes it wherever focus is. On a desktop the page beside it stays reachable.
    var phone = window.matchMedia ? window.matchMedia("(max-width:480px)") : null;
    function fullScreen() {
      return isOpen() && !!phone && phone.matches;
    }
    function focusables() {
      var nodes = panel.querySelectorAll('button, a[href], textarea, [tabindex]:not([tabindex="-1"])');
      return Array.prototype.filter.call(nodes, function (n) {
        return !n.disabled && n.getClientRects().length > 0;
      });
    }
    root.addEventListener("keydown", function (e) {
      if (e.key !== "Tab" || !fullScreen()) return;
      var items = focusables();
      if (!items.length) return;
      var active = shadow.activeElement;
      var first = items[0];
      var last = items[items.length - 1];
      if (e.shiftKey && (active === first || !panel.contains(active))) {
        e.preventDefault();
        last.focus();
      } else if (!e.shiftKey && (active === last || !panel.contains(active))) {
        e.preventDefault();
        first.focus();
      }
    });
    document.addEventListener("keydown", function (e) {
      if ((e.key === "Escape" || e.key === "Esc") && fullScreen()) setOpen(false, true);
    });

    var api = {
      version: VERSION,
      endpoint: config.endpoint,
      open: function () {
        setOpen(true);
      },
      close: function () {
        setOpen(false, true);
      },
      toggle: function () {
        setOpen(!isOpen(), true);
      },
      ask: function (question) {
        setOpen(true);
        input.value = String(question == null ? "" : question);
        autosize();
        return ask(input.value);
      },
      newConversation: function () {
        startOver();
      },
    };
    var reopen = restoreThread();
    if (config.open || reopen) setOpen(true);
    return api;
  }

  var placeholderApi = { version: VERSION, queue: [] };
  window.UnionQAWidget = placeholderApi;

  function start() {
    var api = build();
    window.UnionQAWidget = api;
    placeholderApi.queue.forEach(function (call) {
      api[call[0]].apply(null, call[1]);
    });
  }

  ["open", "close", "toggle", "ask"].forEach(function (name) {
    placeholderApi[name] = function () {
      placeholderApi.queue.push([name, Array.prototype.slice.call(arguments)]);
    };
  });

  if (document.body) start();
  else document.addEventListener("DOMContentLoaded", start);
})();
