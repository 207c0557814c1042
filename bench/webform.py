"""Fill in a page's form as a browser would, for the load run's edits: every field keeps its value but one."""
import urllib.parse
from html.parser import HTMLParser


class FormFields(HTMLParser):
    """The values a browser would submit from each ``<form method="post">`` of a page (``forms``: a list of
    [[name, value], ...])."""

    def __init__(self):
        super().__init__()
        self.forms, self.fields, self._in_form = [], None, False
        self._select, self._textarea, self._first_option = None, None, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and (attrs.get("method") or "").lower() == "post":
            self._in_form, self.fields = True, []
            self.forms.append(self.fields)
        if not self._in_form:
            return
        name = attrs.get("name")
        if tag == "input" and name and attrs.get("type") not in ("submit", "button", "file"):
            if attrs.get("type") in ("checkbox", "radio") and "checked" not in attrs:
                return
            self.fields.append([name, attrs.get("value") or ("y" if attrs.get("type") == "checkbox" else "")])
        elif tag == "select" and name:
            self._select, self._first_option = [name, None], None
            self.fields.append(self._select)
        elif tag == "option" and self._select is not None:
            value = attrs.get("value", "")
            if self._first_option is None:
                self._first_option = value
            if "selected" in attrs:
                self._select[1] = value
        elif tag == "textarea" and name:
            self._textarea = [name, ""]
            self.fields.append(self._textarea)

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "select" and self._select is not None:
            if self._select[1] is None:
                self._select[1] = self._first_option or ""
            self._select = None
        elif tag == "textarea":
            self._textarea = None
        elif tag == "form" and self._in_form:
            self._in_form = False


def filled(page, **changes):
    """The urlencoded body of the page's post form that has every field of ``changes``, with them applied."""
    parser = FormFields()
    parser.feed(page.decode("utf-8"))
    fields = next((f for f in parser.forms if set(changes) <= {name for name, _ in f}), None)
    if fields is None:
        raise KeyError(f"no post form with the fields {sorted(changes)}")
    return urllib.parse.urlencode([(name, changes.get(name, value)) for name, value in fields])
