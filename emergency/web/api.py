"""The read-only JSON API for machine clients (the provincial platform, the grid company, county systems).

Every request presents a bearer token (``Authorization: Bearer jc_...``); session cookies never authenticate
here, and nothing under /api renders HTML: every refusal, routing errors included, is JSON with a code and a
Chinese message (``refusal``, which ``emergency.setup`` also uses for the app-wide error handlers).
"""
import json
from functools import wraps

from flask import Blueprint, Response, g, request, stream_with_context, url_for

from emergency.accounts import api_tokens
from emergency.errors import Forbidden, NotFound
from emergency.lists import feed
from emergency.lists.listing import find_county
from emergency.web.paging import kept_args
from emergency.web.scope import LEVEL
from models import db

PREFIX = "/api/"
bp = Blueprint("api", __name__, url_prefix="/api/v1")

DEFAULT_PER_PAGE, MAX_PER_PAGE = 50, 200
NO_STORE = {"Cache-Control": "no-store"}
# The default refusal of each status, for errors raised outside the API's own views (routing, 405, 500...).
DEFAULTS = {
    400: ("bad_request", "请求无效，请检查后重试"),
    401: ("token_missing", "缺少访问令牌：请在 Authorization 头中提供 Bearer 令牌"),
    403: ("forbidden", "此令牌无权读取该数据"),
    404: ("not_found", "接口或记录不存在"),
    405: ("method_not_allowed", "接口只接受 GET 请求"),
    413: ("too_large", "请求过大"),
    429: ("too_many_requests", "请求过于频繁，请稍后再试"),
    500: ("server_error", "服务器内部错误，请稍后重试或联系管理员"),
}


class Refusal(Exception):
    """A refused API request: its HTTP status, a stable error code and a Chinese message."""

    def __init__(self, status, code, message):
        super().__init__(code)
        self.status, self.code, self.message = status, code, message


def is_api_request():
    return request.path.startswith(PREFIX) or request.path == PREFIX.rstrip("/")


def _json(value, status=200, headers=None):
    body = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return Response(body, status=status, mimetype="application/json", headers={**NO_STORE, **(headers or {})})


def refusal(status, code=None, message=None):
    """The JSON body of a refusal: ``{"error": {"status", "code", "message", "request_id"}}``."""
    default_code, default_message = DEFAULTS.get(status, DEFAULTS[500] if status >= 500 else DEFAULTS[400])
    error = {"status": status, "code": code or default_code, "message": message or default_message,
             "request_id": g.get("request_id")}
    headers = {"WWW-Authenticate": 'Bearer realm="api"'} if status == 401 else None
    return _json({"error": error}, status, headers)


@bp.errorhandler(Refusal)
def _refused(error):
    return refusal(error.status, error.code, error.message)


def token_required(view):
    """Authenticate the bearer token (and only it) and put it in ``g.api_token``."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        scheme, _, presented = request.headers.get("Authorization", "").strip().partition(" ")
        if scheme.lower() != "bearer" or not presented.strip():
            raise Refusal(401, "token_missing", DEFAULTS[401][1])
        token = api_tokens.authenticate(presented.strip())
        if token is None:
            raise Refusal(401, "token_invalid", "访问令牌无效或已吊销")
        if api_tokens.touch(token):
            db.session.commit()
        g.api_token = token
        return view(*args, **kwargs)

    return wrapped


def _whole_number(name, default, maximum=None):
    raw = request.args.get(name, "").strip()
    if not raw:
        return default
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 9 or int(raw) < 1:
        raise Refusal(400, "bad_parameter", f"参数 {name} 应为正整数")
    if maximum is not None and int(raw) > maximum:
        raise Refusal(400, "bad_parameter", f"参数 {name} 不能大于 {maximum}")
    return int(raw)


def _county(token):
    raw = request.args.get("county", "").strip()
    county = find_county(raw) if raw else None
    if raw and county is None:
        raise Refusal(404, "county_not_found", "未找到该县（市、区）：请用名称、行政区划代码或编号")
    try:
        return api_tokens.readable_county(token, county)
    except Forbidden:
        raise Refusal(403, "county_forbidden", f"此令牌只能读取{token.scope_name}的数据") from None


def _links(level, page, pages):
    kept = kept_args(request.args)

    def link(number):
        return url_for("api.level_list", **{**kept, "level": level, "page": number})

    return {"prev": link(page - 1) if page > 1 else None, "next": link(page + 1) if page < pages else None}


def _streamed(result):
    """The page as JSON, its rows written as they are read: the head first, then ``"rows": [...]``."""

    def chunks():
        yield json.dumps(result.head, ensure_ascii=False, separators=(",", ":"))[:-1] + ',"rows":['
        for index, row in enumerate(result.rows):
            yield ("," if index else "") + json.dumps(row, ensure_ascii=False, separators=(",", ":"))
        yield "]}"

    return Response(stream_with_context(chunks()), mimetype="application/json", headers=NO_STORE)


@bp.route(f"/lists/{LEVEL}")
@token_required
def level_list(level):
    """One page of the list of ``level`` for the token's scope or ``?county=``, with the scope's totals."""
    county = _county(g.api_token)
    page, per_page = _whole_number("page", 1), _whole_number("per_page", DEFAULT_PER_PAGE, MAX_PER_PAGE)
    try:
        result = feed.list_page(level, county, page, per_page)
    except NotFound:
        raise Refusal(404, "page_not_found", "页码超出范围") from None
    result.head["pagination"].update(_links(level, result.page, result.pages))
    return _streamed(result)


@bp.route("/enterprises/<credit_code>")
@token_required
def enterprise(credit_code):
    """An enterprise, its lines and their measures at the three levels; 404 outside the token's county."""
    try:
        found = api_tokens.check_enterprise(g.api_token, feed.find_enterprise(credit_code))
    except NotFound:
        raise Refusal(404, "enterprise_not_found", "未找到该统一社会信用代码的企业") from None
    return _json(feed.enterprise_record(found))
