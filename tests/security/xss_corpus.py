"""A generated XSS corpus: every vector, when it runs, calls ``__xss(<its id>)``.

Families are combined from parts (elements × separators × quoting, URL schemes × encodings ×
places, containers × mutation patterns, field breakers × payloads), so the corpus is large and
every fired vector is named by its id. ``TRAP`` is the script installed in each page before any
page script runs: ``__xss`` and ``alert``/``confirm``/``prompt`` record the id in the top window
(frames report by ``postMessage``), ``ACTIVATE`` clicks what a reader could click (links and
forms whose URL runs script) and dispatches pointer and focus events on every element, so a
handler that survived would fire without a person.
"""

import html
import itertools
from dataclasses import dataclass

TRAP = """
(function () {
  var fired = [];
  function report(id) {
    try {
      if (window.top === window) { fired.push(String(id)); }
      else { window.top.postMessage({__xss: String(id)}, '*'); }
    } catch (e) {}
  }
  window.__xss = report;
  window.alert = window.confirm = window.prompt = function (m) { report(m); };
  if (window.top === window) {
    window.__xssFired = fired;
    window.addEventListener('message', function (e) {
      if (e.data && e.data.__xss !== undefined) { fired.push(String(e.data.__xss)); }
    });
  }
})();
"""

# Run in the top document and every same-origin frame after load.
ACTIVATE = """
const EVENTS = ['mouseover', 'mouseenter', 'mousemove', 'pointerover', 'pointerenter', 'focus',
                'focusin', 'keydown', 'wheel', 'copy', 'dblclick', 'mousedown', 'mouseup'];
const URLS = ['href', 'src', 'action', 'formaction', 'data', 'xlink:href'];
function runs(value) {
  try { return new URL(value, document.baseURI).protocol === 'javascript:'; }
  catch (e) { return false; }
}
function activate(doc) {
  for (const el of doc.querySelectorAll('*')) {
    for (const name of EVENTS) {
      try { el.dispatchEvent(new Event(name, {bubbles: false})); } catch (e) {}
    }
    if (URLS.some(n => el.hasAttribute(n) && runs(el.getAttribute(n)))
        || (el.href && el.href.baseVal !== undefined && runs(el.href.baseVal))) {
      try {
        if (el.tagName.toLowerCase() === 'form') { el.requestSubmit(); }
        else { el.dispatchEvent(new MouseEvent('click', {bubbles: true, cancelable: true})); }
      } catch (e) {}
    }
  }
  for (const frame of doc.querySelectorAll('iframe, frame')) {
    try { if (frame.contentDocument) activate(frame.contentDocument); } catch (e) {}
  }
}
activate(document);
"""

FAMILIES = ("tag", "event", "url", "svg_mathml", "css", "mutation", "breakout")


@dataclass(frozen=True)
class Vector:
    id: int
    family: str
    payload: str  # markup (or text for a plain-text field) that calls __xss(id) when it runs


def js(n: int) -> str:
    return f"__xss({n})"


# ---------------------------------------------------------------------------------------------
# The parts; "{js}" is replaced by the vector's trap call.

HANDLER_TAGS = [
    "<img{s}src=x{s}onerror={q}{js}{q}>",
    "<IMG{s}SRC=x{s}ONERROR={q}{js}{q}>",
    "<image{s}src=x{s}onerror={q}{js}{q}>",
    "<svg{s}onload={q}{js}{q}>",
    "<iframe{s}onload={q}{js}{q}></iframe>",
    "<input{s}autofocus{s}onfocus={q}{js}{q}>",
    "<details{s}open{s}ontoggle={q}{js}{q}>x</details>",
    "<video{s}src=x{s}onerror={q}{js}{q}></video>",
    "<audio{s}src=x{s}onerror={q}{js}{q}></audio>",
    "<body{s}onload={q}{js}{q}>",
    "<input{s}type=image{s}src=x{s}onerror={q}{js}{q}>",
    "<object{s}data=x{s}onerror={q}{js}{q}></object>",
    "<textarea{s}autofocus{s}onfocus={q}{js}{q}></textarea>",
    "<marquee{s}onstart={q}{js}{q}>x</marquee>",
]
SEPARATORS = [" ", "/", "\t", "\n", "\f"]
QUOTES = ["", '"', "'"]
SCRIPT_TAGS = [
    "<script>{js}</script>",
    "<ScRiPt>{js}</sCrIpT>",
    "<script >{js}</script >",
    "<script\n>{js}</script\n>",
    "<script type=text/javascript>{js}</script>",
    "<script type=module>{js}</script>",
    '<script src="data:text/javascript,{js}"></script>',
    "<script>/*</script>*/{js}</script>",
    "<<script>{js}//<</script>",
    "<scr<script>ipt>{js}</script>",
    '<iframe srcdoc="&lt;script&gt;{js}&lt;/script&gt;"></iframe>',
    '<iframe srcdoc="<img src=x onerror={js}>"></iframe>',
    '<embed src="data:text/html,<script>{js}</script>">',
    "<div><p><img src=x onerror={js}></p></div>",
]

EVENT_HOSTS = {
    "onerror": [
        "<img src=x {h}={js}>",
        "<video><source src=x {h}={js}></video>",
        "<link rel=stylesheet href=x {h}={js}>",
        "<script src=x {h}={js}></script>",
    ],
    "onload": [
        "<svg {h}={js}>",
        "<iframe {h}={js}></iframe>",
        "<style {h}={js}></style>",
        '<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=" {h}={js}>',
    ],
    "onfocus": [
        "<input autofocus {h}={js}>",
        "<a href=#x id=x tabindex=1 autofocus {h}={js}>x</a>",
        "<div contenteditable autofocus {h}={js}>x</div>",
        "<select autofocus {h}={js}></select>",
    ],
    "onfocusin": ["<input autofocus {h}={js}>", "<div tabindex=1 autofocus {h}={js}>x</div>"],
    "ontoggle": ["<details open {h}={js}>x</details>", "<details {h}={js} open><summary>s"],
    "onanimationstart": [
        "<style>@keyframes a{}</style><b style=animation:a {h}={js}>x</b>",
        "<i style=animation-name:spin {h}={js}>x</i>",
    ],
    "onanimationend": ["<style>@keyframes b{}</style><b style=animation:b+1ms {h}={js}>x</b>"],
    "onwebkitanimationstart": ["<style>@keyframes c{}</style><b style=animation:c {h}={js}>x"],
    "onbegin": [
        "<svg><animate {h}={js} attributeName=x dur=1s>",
        "<svg><set {h}={js} attributeName=x to=1>",
    ],
    "onend": ["<svg><animate {h}={js} attributeName=x dur=1ms fill=freeze>"],
    "onpageshow": ["<body {h}={js}>"],
    "onmouseover": ["<b {h}={js}>x</b>", "<div style=position:fixed;inset:0 {h}={js}>x</div>"],
    "onpointerenter": ["<p {h}={js}>x</p>"],
    "onkeydown": ["<input autofocus {h}={js}>"],
    "onwheel": ["<span {h}={js}>x</span>"],
    "oncopy": ["<p {h}={js}>x</p>"],
    "ondblclick": ["<u {h}={js}>x</u>"],
    "onmousedown": ["<em {h}={js}>x</em>"],
    "onstart": ["<marquee {h}={js}>x</marquee>"],
    "onscroll": ["<div style=height:9px;overflow:auto {h}={js}><br><br><br><br>"],
    "onresize": ["<body {h}={js}>"],
    "onbeforetoggle": ["<div popover id=p {h}={js}>x</div>"],
    "onauxclick": ["<a {h}={js}>x</a>"],
}
EVENT_CASE = [str.lower, str.upper, lambda h: h[:3].upper() + h[3:]]

SCHEMES = [
    "javascript:{js}",
    "JaVaScRiPt:{js}",
    "JAVASCRIPT:{js}",
    "jav&#x09;ascript:{js}",
    "jav&#x0A;ascript:{js}",
    "jav&#x0D;ascript:{js}",
    "jav&#9;ascript:{js}",
    "java\tscript:{js}",
    "java\nscript:{js}",
    " javascript:{js}",
    "\x01javascript:{js}",
    "\x1fjavascript:{js}",
    "&#x01;javascript:{js}",
    "&#14;javascript:{js}",
    "&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;{js}",
    "&#x6A;&#x61;&#x76;&#x61;&#x73;&#x63;&#x72;&#x69;&#x70;&#x74;&#x3A;{js}",
    "&#0000106avascript:{js}",
    "javascript&colon;{js}",
    "javascript&#58;{js}",
    "javascript&#x3a;{js}",
    "javascript://%0a{js}",
    "javascript:/*--></title></style></textarea>*/{js}",
    "jav%61script:{js}",
    "vbscript:{js}",
    "VBScript:msgbox({n})",
    "data:text/html,<script>{js}</script>",
    "data:text/html;base64,{b64}",
    "DATA:text/html,<img src=x onerror={js}>",
    "data:image/svg+xml,<svg onload={js}>",
]
URL_PLACES = [
    '<a href="{u}">链接</a>',
    "<a href='{u}' title=t>链接</a>",
    '<iframe src="{u}"></iframe>',
    '<form action="{u}"><button>提交</button></form>',
    '<object data="{u}"></object>',
    '<svg><a href="{u}"><text y=20>x</text></a></svg>',
    '<svg><a xlink:href="{u}"><text y=20>x</text></a></svg>',
    '<map name=m><area shape=default href="{u}"></map><img usemap=#m src=x>',
    '<form><button formaction="{u}">提交</button></form>',
]

SVG_MATHML = [
    "<svg><script>{js}</script></svg>",
    '<svg><script href="data:,{js}"></script></svg>',
    '<svg><script xlink:href="data:,{js}"></script></svg>',
    "<svg><foreignObject><img src=x onerror={js}></foreignObject></svg>",
    '<svg><foreignObject><iframe srcdoc="<script>{js}</script>"></iframe></foreignObject></svg>',
    "<svg><image href=x onerror={js}></image></svg>",
    "<svg><image xlink:href=x onerror={js}></image></svg>",
    "<svg><style><img src=x onerror={js}></style></svg>",
    "<svg><title><img src=x onerror={js}></title></svg>",
    "<svg><desc><img src=x onerror={js}></desc></svg>",
    "<svg><animate onbegin={js} attributeName=x dur=1s></animate></svg>",
    "<svg><set onbegin={js} attributeName=x to=1></set></svg>",
    "<svg><animateTransform onbegin={js} attributeName=transform type=scale dur=1s>",
    "<svg><animateMotion onbegin={js} dur=1s path=M0,0>",
    '<svg><a><set attributeName=href to="javascript:{js}"></set><text y=20>x</text></a></svg>',
    '<svg><a><animate attributeName=href values="javascript:{js}"/><text y=20>x</text></a></svg>',
    '<svg><animate href=#z attributeName=href values="javascript:{js}"/><a id=z><text y=9>x',
    "<svg><discard onbegin={js}></discard></svg>",
    "<svg/onload={js}>",
    "<svg><svg onload={js}></svg></svg>",
    "<svg><g onload={js}></g></svg>",
    "<svg><use href=\"data:image/svg+xml,<svg id='x' xmlns='http://www.w3.org/2000/svg'>"
    "<image href=x onerror='{js}'/></svg>#x\"></use></svg>",
    "<svg><![CDATA[><img src=x onerror={js}>]]></svg>",
    "<svg><p><img src=x onerror={js}></p></svg>",
    '<svg></p><style><a id="</style><img src=1 onerror={js}>"></svg>',
    "<math><mtext><img src=x onerror={js}></mtext></math>",
    "<math><mi><img src=x onerror={js}></mi></math>",
    "<math><mtext><table><mglyph><style><img src=x onerror={js}>",
    "<math><mtext><mglyph><svg><mtext><style><img src=x onerror={js}>",
    "<math><annotation-xml encoding=text/html><img src=x onerror={js}></annotation-xml></math>",
    "<math><annotation-xml encoding=text/html><style><img src=x onerror={js}></style>",
    "<math><style><img src=x onerror={js}></style></math>",
    "<math><maction actiontype=statusline xlink:href=javascript:{js}>x</maction></math>",
    '<math href="javascript:{js}"><mi>x</mi></math>',
    "<math><mi xlink:href=javascript:{js}>x</mi></math>",
    "<form><math><mtext></form><form><mglyph><style></math><img src onerror={js}>",
    '<math><mtext><h1><a><h6></a></h6><mglyph><svg><mtext><style><a title="</style>'
    '<img src onerror={js}>">',
    "<svg><foreignObject><math><mi><img src=x onerror={js}>",
    "<math><semantics><annotation-xml encoding=application/xhtml+xml><img src=x onerror={js}>",
    "<svg><text><tspan><img src=x onerror={js}></tspan></text></svg>",
]
SVG_WRAPPERS = ["{v}", "<div>{v}</div>", "<p>前文</p>{v}"]

CSS = [
    '<div style="background:url(javascript:{js})">x</div>',
    "<div style=\"background-image:url('javascript:{js}')\">x</div>",
    '<div style="width:expression({js})">x</div>',
    '<div style="x:\\65xpression({js})">x</div>',
    '<div style="behavior:url(#default#x);x:expression({js})">x</div>',
    '<div style="-moz-binding:url(data:text/xml,{js})">x</div>',
    "<style>@import 'javascript:{js}';</style>",
    '<style>@import url("data:text/css,*{x:expression({js})}");</style>',
    "<style>body{behavior:url(x.htc)}</style><img src=x onerror={js}>",
    '<style>*{background:url("javascript:{js}")}</style>',
    "<style></style><img src=x onerror={js}>",
    "<style>a{}</style ><img src=x onerror={js}>",
    "<style><!--</style><img src=x onerror={js}>-->",
    "<style>@keyframes q{}</style><p style=animation-name:q onanimationstart={js}>x</p>",
    "<style>@keyframes q{}p{animation:q}</style><p onanimationstart={js}>x</p>",
    '<link rel=stylesheet href="javascript:{js}">',
    '<link rel=stylesheet href="data:text/css,*{x:expression({js})}">',
    "<style>li{list-style:url(javascript:{js})}</style><ul><li>x</li></ul>",
    '<div style="background:url(&#106;avascript:{js})">x</div>',
    '<div style="content:url(javascript:{js})">x</div>',
    "<div style=\"font-family:'</style><img src=x onerror={js}>'\">x</div>",
    "<style>}</style><svg onload={js}>",
    '<p style="color:red" onmouseover={js}>x</p>',
    "<style>@media all{</style><img src=x onerror={js}>",
]
CSS_WRAPPERS = ["{v}", "<blockquote>{v}</blockquote>"]

CONTAINERS = [
    "noscript",
    "template",
    "title",
    "textarea",
    "style",
    "select",
    "option",
    "xmp",
    "iframe",
    "noembed",
    "noframes",
    "table",
    "a",
    "script",
    "plaintext",
]
MUTATIONS = [
    "<{c}><img src=x onerror={js}></{c}>",
    "<{c}></{c}><img src=x onerror={js}>",
    '<{c}><p title="</{c}><img src=x onerror={js}>"></p></{c}>',
    "<svg><{c}><img src=x onerror={js}></{c}></svg>",
    "<math><mtext><{c}><img src=x onerror={js}></{c}></mtext></math>",
]
COMMENT_TRICKS = [
    "<!--><img src=x onerror={js}>-->",
    "<!-- --!><img src=x onerror={js}>-->",
    "<!--a--!><img src=x onerror={js}>",
    "<?xml x><img src=x onerror={js}>",
    "<![CDATA[><img src=x onerror={js}>]]>",
    '<a title="<!--"><img src=x onerror={js}></a>',
    "<noscript><!--</noscript><img src=x onerror={js}>-->",
    "<select><template><img src=x onerror={js}></template></select>",
    "<select><style><img src=x onerror={js}></style></select>",
    "<table><td><style></table><img src=x onerror={js}>",
    "<p><table><img src=x onerror={js}></table></p>",
    "<keygen autofocus onfocus={js}>",
]

BREAKERS = [
    '"><',
    "'><",
    '"/><',
    "</textarea><",
    "</title><",
    "</style><",
    "</script><",
    "</noscript><",
    "</option></select><",
    "--><",
    "]]><",
    "{{ x }}</textarea><",
    "{% verbatim %}</title><",
    "</iframe><",
]
TAILS = [
    "img src=x onerror={js}>",
    "svg onload={js}>",
    "script>{js}</script>",
    "details open ontoggle={js}>",
]
ATTRIBUTE_BREAKS = [
    '" autofocus onfocus="{js}" x="',
    "' autofocus onfocus='{js}' x='",
    '" onmouseover="{js}',
    '"onfocus={js} autofocus "',
    "javascript:{js}",
    "{{ {js} }}",
    "{% {js} %}",
    "{{constructor.constructor('{js}')()}}",
    "${{js}}",
    "#{{js}}",
    '\\";{js};//',
    "';{js};//",
    "</script><script>{js}</script>",
]


def _fill(template: str, n: int) -> str:
    import base64

    b64 = base64.b64encode(f"<script>{js(n)}</script>".encode()).decode()
    return template.replace("{js}", js(n)).replace("{n}", str(n)).replace("{b64}", b64)


def _templates() -> list[tuple[str, str]]:
    """``(family, template)`` in a stable order; ``{js}`` is the trap call."""
    out: list[tuple[str, str]] = []
    for base, sep, quote in itertools.product(HANDLER_TAGS, SEPARATORS, QUOTES):
        out.append(("tag", base.replace("{s}", sep).replace("{q}", quote)))
    out += [("tag", t) for t in SCRIPT_TAGS]
    for handler, hosts in EVENT_HOSTS.items():
        for host, case in itertools.product(hosts, EVENT_CASE):
            out.append(("event", host.replace("{h}", case(handler))))
    for scheme, place in itertools.product(SCHEMES, URL_PLACES):
        out.append(("url", place.replace("{u}", scheme)))
    for vector, wrapper in itertools.product(SVG_MATHML, SVG_WRAPPERS):
        out.append(("svg_mathml", wrapper.replace("{v}", vector)))
    for vector, wrapper in itertools.product(CSS, CSS_WRAPPERS):
        out.append(("css", wrapper.replace("{v}", vector)))
    for pattern, container in itertools.product(MUTATIONS, CONTAINERS):
        out.append(("mutation", pattern.replace("{c}", container)))
    out += [("mutation", t) for t in COMMENT_TRICKS]
    for breaker, tail in itertools.product(BREAKERS, TAILS):
        out.append(("breakout", breaker + tail))
    out += [("breakout", t) for t in ATTRIBUTE_BREAKS]
    return out


def corpus() -> list[Vector]:
    """Every vector, ids from 1, each payload calling ``__xss(id)``."""
    vectors = []
    for n, (family, template) in enumerate(_templates(), start=1):
        vectors.append(Vector(n, family, _fill(template, n)))
    return vectors


CORPUS = corpus()
assert len({v.payload for v in CORPUS}) == len(CORPUS), "duplicate vectors"


def control_page(vectors: list[Vector]) -> str:
    """The vectors written raw, each in a frame of its own (so one that swallows the rest of
    its document, like ``<plaintext>``, cannot hide the others)."""
    frames = "".join(
        f'<iframe title="{v.id}" srcdoc="{html.escape(v.payload)}"></iframe>' for v in vectors
    )
    return f'<!DOCTYPE html><html><head><meta charset="utf-8"></head><body>{frames}</body></html>'
