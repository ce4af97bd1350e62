"""The kinds of calls and code shapes mining recognises, and how each becomes a check."""

from __future__ import annotations

import re
from typing import Any

from realitycheck.assumptions.checks.expect import literal

# Conversions that assume a shape: callee -> name used in the statement.
CONVERSIONS = {
    "int": "int()",
    "float": "float()",
    "decimal.Decimal": "Decimal()",
    "uuid.UUID": "UUID()",
    "datetime.datetime.strptime": "datetime.strptime()",
    "datetime.datetime.fromisoformat": "datetime.fromisoformat()",
    "datetime.date.fromisoformat": "date.fromisoformat()",
    "json.loads": "json.loads()",
    "ipaddress.ip_address": "ip_address()",
}
# Conversions checked by a built-in probe (Python's own semantics): callee -> probe name.
BASE64 = {
    "base64.b64decode": "b64decode",
    "base64.standard_b64decode": "b64decode",
    "base64.decodebytes": "b64decode",
    "binascii.a2b_base64": "b64decode",
    "base64.urlsafe_b64decode": "urlsafe_b64decode",
}
TEXT_ENCODINGS = ("utf-8", "utf8", "UTF-8", "UTF8")
NUMBERS = "('BIGINT', 'UBIGINT', 'HUGEINT', 'DOUBLE', 'BOOLEAN')"
CONVERSION_SQL = {
    "int": "(json_type(value) IN ('BIGINT', 'UBIGINT', 'HUGEINT', 'BOOLEAN') "
    "OR (json_type(value) = 'DOUBLE' AND isfinite(TRY_CAST(value AS DOUBLE))) "
    "OR (json_type(value) = 'VARCHAR' AND regexp_full_match(value->>'$', "
    "'\\s*[+-]?[0-9](_?[0-9])*\\s*')))",
    "float": f"(json_type(value) IN {NUMBERS} OR (json_type(value) = 'VARCHAR' "
    "AND TRY_CAST(trim(value->>'$') AS DOUBLE) IS NOT NULL))",
    "decimal.Decimal": f"(json_type(value) IN {NUMBERS} OR (json_type(value) = 'VARCHAR' "
    "AND TRY_CAST(trim(value->>'$') AS DOUBLE) IS NOT NULL))",
    "uuid.UUID": "(json_type(value) = 'VARCHAR' AND TRY_CAST(value->>'$' AS UUID) IS NOT NULL)",
    "datetime.datetime.fromisoformat": "(json_type(value) = 'VARCHAR' "
    "AND TRY_CAST(value->>'$' AS TIMESTAMPTZ) IS NOT NULL)",
    "datetime.date.fromisoformat": "(json_type(value) = 'VARCHAR' "
    "AND TRY_CAST(value->>'$' AS DATE) IS NOT NULL)",
    "json.loads": "(json_type(value) = 'VARCHAR' AND json_valid(value->>'$'))",
}
TRUTHY_SQL = (
    "(CASE json_type(value) WHEN 'NULL' THEN false WHEN 'BOOLEAN' THEN TRY_CAST(value AS BOOLEAN) "
    "WHEN 'VARCHAR' THEN length(value->>'$') > 0 WHEN 'ARRAY' THEN json_array_length(value) > 0 "
    "WHEN 'OBJECT' THEN len(json_keys(value)) > 0 ELSE TRY_CAST(value AS DOUBLE) <> 0 END)"
)
PY_TYPES = {
    "str": "string",
    "int": "integer",
    "float": "number",
    "bool": "boolean",
    "dict": "object",
    "list": "array",
    "tuple": "array",
}

HTTP_VERBS = ("get", "post", "put", "patch", "delete", "head", "options", "request", "stream")
HTTP_CALLS = {f"{lib}.{verb}" for lib in ("requests", "httpx") for verb in HTTP_VERBS}
HTTP_CALLS |= {"urllib.request.urlopen", "urllib3.request"}
SESSIONS = {
    "requests.Session": False,
    "requests.session": False,
    "httpx.Client": True,
    "httpx.AsyncClient": True,
}
DEFAULT_TIMEOUT = ("httpx.",)  # libraries whose calls time out unless told otherwise
SUBPROCESS = {
    "subprocess.run",
    "subprocess.call",
    "subprocess.check_call",
    "subprocess.check_output",
    "subprocess.Popen",
}
DB_CONNECT = {
    "psycopg2.connect": "connect_timeout",
    "psycopg.connect": "connect_timeout",
    "pymysql.connect": "connect_timeout",
    "MySQLdb.connect": "connect_timeout",
    "mysql.connector.connect": "connection_timeout",
}
BOTO3 = {"boto3.client", "boto3.resource", "boto3.session.Session.client"}
STATUS_ATTRS = {
    "raise_for_status",
    "status_code",
    "ok",
    "status",
    "is_success",
    "is_error",
    "is_status",
    "returncode",
    "check_returncode",
    "getcode",
    "code",
}
RETRY_HINTS = ("retry", "backoff", "tenacity", "stamina", "retrying")
FILE_CALLS = {
    "open",
    "io.open",
    "pathlib.Path",
    "pathlib.PurePath",
    "os.listdir",
    "os.scandir",
    "os.stat",
    "os.makedirs",
    "os.mkdir",
    "os.remove",
    "os.unlink",
    "os.path.exists",
    "os.path.isfile",
    "os.path.isdir",
    "os.path.getsize",
    "shutil.copy",
    "shutil.copyfile",
    "shutil.move",
    "shutil.rmtree",
    "sqlite3.connect",
    "glob.glob",
}
ABSOLUTE_PATH = re.compile(r"^(?:/(?:[\w.@+-]+/)*[\w.@+-]+/?|[A-Za-z]:\\[^\s]*|~/[^\s]*)$")
SYSTEM_ROOTS = ("/etc", "/var", "/tmp", "/opt", "/usr", "/home", "/srv", "/mnt", "/data", "/run")


def looks_like_fixed_path(value: str) -> bool:
    """Whether a string literal is an absolute file-system path (not a URL route)."""
    if not ABSOLUTE_PATH.match(value) or value in ("/", "~/"):
        return False
    return value.startswith(SYSTEM_ROOTS) or value.count("/") >= 2 or value[1:3] == ":\\"


def conversion_expect(callee: str, args: list[Any], *, nullable_absent: bool) -> dict[str, Any]:
    """The check a conversion implies; `nullable_absent` when absence also reaches it (.get)."""
    if callee == "datetime.datetime.strptime" and len(args) > 1 and isinstance(args[1], str):
        sql = (
            "(json_type(value) = 'VARCHAR' AND "
            f"try_strptime(value->>'$', {literal(args[1])}) IS NOT NULL)"
        )
    else:
        sql = CONVERSION_SQL.get(callee, "")
    expect: dict[str, Any] = {"sql": sql} if sql else {}
    if nullable_absent and expect:
        expect["not_null"] = True
    return expect


def enum_expect(values: list[Any], *, nullable_absent: bool) -> dict[str, Any]:
    """The check `SomeEnum(x)` implies: x is one of the members' values."""
    from realitycheck.assumptions.checks.expect import JsonValue, in_sql

    expect: dict[str, Any] = {"sql": in_sql(JsonValue("value"), values)}
    if nullable_absent:
        expect["not_null"] = True
    return expect


def regex_for_duckdb(pattern: str, mode: str) -> str:
    """A Python pattern as an RE2 search pattern with the same anchoring as match/fullmatch."""
    if mode == "match":
        return f"^(?:{pattern})"
    if mode == "fullmatch":
        return f"^(?:{pattern})$"
    return pattern
