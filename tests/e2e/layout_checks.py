"""Layout checks run in the page: horizontal overflow, figures split across lines, labels stacked a char a line."""

# Elements that stick out of the window, or whose content sticks out of them (form controls scroll inside, and
# so do tables in a .table-scroll box, which itself must stay inside the window).
OVERFLOWING = """() => {
  const limit = document.documentElement.clientWidth, found = [];
  for (const el of document.querySelectorAll("body *")) {
    if (["INPUT", "TEXTAREA", "SELECT", "OPTION"].includes(el.tagName) || el.closest("svg")) continue;
    if (el.parentElement && el.parentElement.closest(".table-scroll")) continue;
    const style = getComputedStyle(el), box = el.getBoundingClientRect();
    const scrolls = ["auto", "scroll", "hidden", "clip"].includes(style.overflowX);
    if (box.right > limit + 1 || (!scrolls && el.clientWidth && el.scrollWidth > el.clientWidth + 1)) {
      found.push(el.tagName + "." + el.className + " " + el.textContent.trim().slice(0, 30));
    }
  }
  if (document.documentElement.scrollWidth > limit + 1) found.push("page " + document.documentElement.scrollWidth);
  return found.slice(0, 5);
}"""

# Every figure (digits with their decimal point, thousands commas and percent sign) in the visible text must sit on
# one line: its text range has one line box. Short action labels (links and buttons of up to 6 characters, such as
# 编辑, 删除, 重置密码) must sit on one line too.
SPLIT = """() => {
  const found = [], figure = /\\d[\\d.,]*\\d%?|\\d%?/g;
  const lines = (node, start, end) => {
    const range = document.createRange();
    range.setStart(node, start);
    range.setEnd(node, end);
    const tops = new Set();
    for (const rect of range.getClientRects()) if (rect.width > 0) tops.add(Math.round(rect.top));
    return tops.size;
  };
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const parent = node.parentElement;
    if (!parent || parent.closest("svg, script, style, option, textarea, code, details:not([open])")) continue;
    const text = node.nodeValue;
    for (const match of text.matchAll(figure)) {
      if (match[0].length > 20) continue;  // digests and codes are not figures
      if (lines(node, match.index, match.index + match[0].length) > 1) {
        found.push("figure " + match[0] + " in " + parent.tagName + "." + parent.className);
      }
    }
    const label = text.trim();
    if (parent.matches("a, button") && parent.closest("td, .actions") && label.length > 1 && label.length <= 6 && !/\\s/.test(label)) {
      const start = text.indexOf(label);
      if (lines(node, start, start + label.length) > 1) found.push("label " + label);
    }
  }
  return found.slice(0, 8);
}"""


def overflowing(page):
    return page.evaluate(OVERFLOWING)


def split_figures(page):
    return page.evaluate(SPLIT)
