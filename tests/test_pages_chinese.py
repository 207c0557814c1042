"""No page a user can reach shows "UTC" or an English form-validation message: every route of the access matrix,
opened (GET) and posted empty (POST, which re-renders forms with their errors), as each kind of signed-in user."""
import pytest

from emergency.web.sessions import stamp
from models import db
from tests.test_access_matrix import MATRIX, _build_world, _requests

# The English messages WTForms' built-in validators and fields give when a form sets no message of its own.
ENGLISH = ("This field is required", "Not a valid", "Field must be", "Invalid value", "Invalid email",
           "Number must be", "Invalid Choice", "Not a valid choice", "Invalid input", "CSRF token")


def _leaks(body):
    return [word for word in ("UTC", *ENGLISH) if word in body]


@pytest.mark.parametrize("persona", ("ent_own", "county_own", "city", "admin"))
def test_no_page_shows_utc_or_english_validator_messages(persona, app, make_enterprise, make_line, make_user,
                                                        tmp_path, monkeypatch):
    users, values, query = _build_world(make_enterprise, make_line, make_user, tmp_path, app, monkeypatch)
    client = app.test_client()
    found, pages = [], 0
    for method, url, endpoint in _requests(app, values, query):
        if endpoint.startswith("api.") or endpoint == "auth.logout":
            continue
        with client.session_transaction() as session:
            stamp(session, users[persona])
        response = client.open(url, method=method, data={})
        if response.mimetype == "text/html" and response.status_code < 500:
            pages += 1
            leaks = _leaks(response.get_data(as_text=True))
            if leaks:
                found.append(f"{method} {url} ({endpoint}): {leaks}")
        response.close()
        db.session.expire_all()
    assert pages > 30 and MATRIX
    assert not found, "\n".join(found)


def test_the_check_catches_what_it_looks_for():
    assert _leaks("<p>时间：2026-01-01 08:00（UTC）</p>") == ["UTC"]
    assert _leaks("<li>This field is required.</li>") == ["This field is required"]
    assert _leaks("<p>时间为北京时间</p>") == []
