"""Fill in an admin form as a browser would: read the page, keep every field's value, change some, post.

The data is what the page itself sends (hidden fields, the version it was opened at,
inline management forms), so a test exercises the form exactly as a user does.
"""

from html.parser import HTMLParser


class _FormFields(HTMLParser):
    def __init__(self, form_id: str | None):
        super().__init__()
        self.form_id = form_id
        self.in_form = form_id is None
        self.data: dict[str, list[str]] = {}
        self._select = None
        self._select_multiple = False
        self._textarea = None
        self._text = []
        self._select_first = None
        self._select_has_selected = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and self.form_id is not None:
            self.in_form = attrs.get("id") == self.form_id
        if not self.in_form:
            return
        name = attrs.get("name")
        if tag == "input" and name:
            kind = (attrs.get("type") or "text").lower()
            if kind in ("submit", "button", "image", "file", "reset"):
                return
            if kind in ("checkbox", "radio") and "checked" not in attrs:
                return
            self.data.setdefault(name, []).append(attrs.get("value", "on" if kind == "checkbox" else ""))
        elif tag == "select" and name:
            self._select, self._select_multiple = name, "multiple" in attrs
            self._select_first, self._select_has_selected = None, False
        elif tag == "option" and self._select:
            value = attrs.get("value", "")
            if self._select_first is None:
                self._select_first = value
            if "selected" in attrs:
                self._select_has_selected = True
                self.data.setdefault(self._select, []).append(value)
        elif tag == "textarea" and name:
            self._textarea, self._text = name, []

    def handle_endtag(self, tag):
        if tag == "form" and self.form_id is not None:
            self.in_form = False
        if tag == "select" and self._select:
            if not self._select_has_selected and not self._select_multiple and self._select_first is not None:
                self.data.setdefault(self._select, []).append(self._select_first)
            self._select = None
        if tag == "textarea" and self._textarea:
            text = "".join(self._text)
            self.data.setdefault(self._textarea, []).append(text[1:] if text.startswith("\n") else text)
            self._textarea = None

    def handle_data(self, data):
        if self._textarea:
            self._text.append(data)


def form_data(html: str, form_id: str | None = None) -> dict:
    """{name: value} (a list for repeated names) of the form in `html` as a browser would send it."""
    parser = _FormFields(form_id)
    parser.feed(html)
    return {name: values if len(values) > 1 else values[0] for name, values in parser.data.items()}


def admin_form(client, url: str, model) -> dict:
    """The data of the admin change/add form of `model` at `url` (the page must answer 200)."""
    page = client.get(url)
    assert page.status_code == 200, f"{url}: {page.status_code}"
    data = form_data(page.content.decode(), form_id=f"{model._meta.model_name}_form")
    data.pop("csrfmiddlewaretoken", None)
    return data
