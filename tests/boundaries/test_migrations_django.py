"""Migrations and Django URL patterns, in files the frameworks' own tools wrote."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from realitycheck.demo.repo import RepoBuilder

from .conftest import CLAUDE, Change

pytest.importorskip("django")
pytest.importorskip("alembic")


def run(args: list[str], cwd: Path) -> str:
    proc = subprocess.run(
        [sys.executable, *args], cwd=cwd, capture_output=True, text=True, check=False
    )
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


ACCOUNT_UPGRADE = """def upgrade() -> None:
    op.create_table(
        "account",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(50), nullable=False),
        sa.Column("description", sa.Unicode(200)),
    )
"""


def test_alembic_revision_is_a_migration_boundary(repo: RepoBuilder) -> None:
    run(["-m", "alembic", "init", "migrations"], repo.root)
    base = repo.commit("alembic scaffold")
    out = run(["-m", "alembic", "revision", "-m", "create account table"], repo.root)
    revision = next(repo.root.glob("migrations/versions/*_create_account_table.py"))
    text = revision.read_text()
    text = text.replace(
        "def upgrade() -> None:\n", ACCOUNT_UPGRADE + "\n\ndef _unused() -> None:\n"
    )
    revision.write_text(text)
    head = repo.commit("Add the account table", extra_trailers=CLAUDE)
    result = Change(repo, base, head).check()
    assert "Generating" in out
    [finding] = result.findings
    rel = str(revision.relative_to(repo.root))
    assert (finding.rule, finding.path) == ("migrations", rel)
    rev_id = revision.name.split("_", 1)[0]
    assert finding.symbol == f"revision {rev_id}"
    assert "Alembic migration" in finding.reasons[0]
    assert finding.lines == [(1, len(text.splitlines()))]


POLLS_MODELS = """import datetime

from django.db import models
from django.utils import timezone


class Question(models.Model):
    question_text = models.CharField(max_length=200)
    pub_date = models.DateTimeField("date published")

    def was_published_recently(self):
        return self.pub_date >= timezone.now() - datetime.timedelta(days=1)


class Choice(models.Model):
    question = models.ForeignKey(Question, on_delete=models.CASCADE)
    choice_text = models.CharField(max_length=200)
    votes = models.IntegerField(default=0)
"""
POLLS_VIEWS = """from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views import generic

from .models import Question


def index(request):
    latest_question_list = Question.objects.order_by("-pub_date")[:5]
    context = {"latest_question_list": latest_question_list}
    return render(request, "polls/index.html", context)


def detail(request, question_id):
    question = get_object_or_404(Question, pk=question_id)
    return render(request, "polls/detail.html", {"question": question})


class ResultsView(generic.DetailView):
    model = Question
    template_name = "polls/results.html"


def vote(request, question_id):
    return HttpResponse("You're voting on question %s." % question_id)
"""
POLLS_URLS = """from django.urls import path

from . import views

app_name = "polls"
urlpatterns = [
    path("", views.index, name="index"),
    path("<int:question_id>/", views.detail, name="detail"),
    path("<int:pk>/results/", views.ResultsView.as_view(), name="results"),
    path("<int:question_id>/vote/", views.vote, name="vote"),
]
"""
LIST_URLS = """
import json, os, sys
sys.path.insert(0, os.getcwd())
os.environ["DJANGO_SETTINGS_MODULE"] = "mysite.settings"
import django
django.setup()
from polls.urls import urlpatterns
print(json.dumps([[str(p.pattern), getattr(p.callback, "view_class", p.callback).__name__]
                  for p in urlpatterns]))
"""


@pytest.fixture
def django_project(repo: RepoBuilder) -> RepoBuilder:
    """`django-admin startproject` and `startapp`, with the tutorial's polls app."""
    run(["-m", "django", "startproject", "mysite", "."], repo.root)
    run(["manage.py", "startapp", "polls"], repo.root)
    settings = repo.root / "mysite" / "settings.py"
    settings.write_text(
        settings.read_text().replace(
            "INSTALLED_APPS = [\n", 'INSTALLED_APPS = [\n    "polls.apps.PollsConfig",\n'
        )
    )
    repo.write({"polls/models.py": POLLS_MODELS, "polls/views.py": POLLS_VIEWS})
    repo.write({"polls/urls.py": POLLS_URLS})
    return repo


def test_django_url_patterns_resolve_to_the_views_django_resolves(
    django_project: RepoBuilder,
) -> None:
    repo = django_project
    base = repo.commit("polls app")
    real = json.loads(run(["-c", LIST_URLS], repo.root))
    views = repo.root / "polls" / "views.py"
    edited = POLLS_VIEWS.replace('"polls/detail.html"', '"polls/detail_v2.html"').replace(
        '    template_name = "polls/results.html"', '    template_name = "polls/results_v2.html"'
    )
    views.write_text(edited.replace("% question_id)", "% (question_id,))"))
    head = repo.commit("Templates v2", extra_trailers=CLAUDE)
    result = Change(repo, base, head).check({"detectors": {"public_api": False}})
    found = {f.symbol for f in result.findings}
    names = {name: route for route, name in real}
    assert found == {
        f"detail (URL '{names['detail']}')",
        f"ResultsView (URL '{names['ResultsView']}')",
        f"vote (URL '{names['vote']}')",
    }


def test_django_generated_migration_is_a_boundary(django_project: RepoBuilder) -> None:
    repo = django_project
    base = repo.commit("polls app")
    run(["manage.py", "makemigrations", "polls"], repo.root)
    head = repo.commit("Create the polls tables", extra_trailers=CLAUDE)
    result = Change(repo, base, head).check()
    [finding] = result.findings
    assert finding.path == "polls/migrations/0001_initial.py"
    assert finding.rule == "migrations"
    assert finding.symbol == "polls.0001_initial"
    assert "Django migration of app 'polls'" in finding.reasons[0]
