from docsvc.hooks import handle


def test_ignores_closed() -> None:
    assert handle({"action": "closed"}) == {"ignored": "closed"}


def test_summarises_opened() -> None:
    payload = {
        "action": "opened",
        "pull_request": {
            "number": 7,
            "title": "Fix",
            "user": {"login": "octocat"},
            "head": {"repo": {"full_name": "octocat/docsvc"}},
        },
    }
    assert handle(payload) == {
        "number": 7,
        "title": "Fix",
        "author": "octocat",
        "source_repo": "octocat/docsvc",
        "draft": False,
    }
