"""CI, deploy and auth configuration: workflows, images, manifests, and auth or security code."""

from __future__ import annotations

import re
from pathlib import PurePosixPath

from realitycheck.boundaries.detectors import Scope, whole_file
from realitycheck.boundaries.model import Region

RULE = "ci_config"
_AUTH_NAMES = {"auth", "security", "authn", "authz", "authentication", "authorization"}
_CI_FILES = {
    ".gitlab-ci.yml": "the GitLab CI pipeline",
    ".travis.yml": "the Travis CI pipeline",
    "azure-pipelines.yml": "the Azure Pipelines definition",
    "bitbucket-pipelines.yml": "the Bitbucket Pipelines definition",
    "jenkinsfile": "the Jenkins pipeline",
    "cloudbuild.yaml": "the Cloud Build pipeline",
    "codeowners": "the code owners file: who must review what",
    "realitycheck.toml": "realitycheck's own configuration: the gate this change is checked by",
}
_DEPLOY_FILES = {
    "kustomization.yaml": "a Kustomize overlay",
    "kustomization.yml": "a Kustomize overlay",
    "chart.yaml": "a Helm chart",
    "procfile": "the process definition the platform runs",
    "fly.toml": "the Fly.io deployment",
    "app.yaml": "an App Engine deployment",
    "serverless.yml": "a Serverless Framework deployment",
}
_K8S = (re.compile(r"^apiVersion\s*:", re.MULTILINE), re.compile(r"^kind\s*:", re.MULTILINE))


def kind_of(path: str, text: str) -> str | None:
    """Why a file is CI, deploy or auth configuration, or None."""
    pure = PurePosixPath(path)
    name = pure.name.lower()
    parts = [p.lower() for p in pure.parts]
    yaml = pure.suffix.lower() in (".yml", ".yaml")
    if parts[:2] == [".github", "workflows"] and yaml:
        return "a GitHub Actions workflow: what CI runs, with which permissions and secrets"
    if parts[:1] == [".github"] and name in ("action.yml", "action.yaml"):
        return "a GitHub Action definition used by CI"
    if parts[:1] in ([".circleci"], [".buildkite"]):
        return "CI pipeline configuration"
    if name in _CI_FILES:
        return _CI_FILES[name]
    if (
        name in ("dockerfile", "containerfile")
        or name.startswith("dockerfile.")
        or (name.endswith(".dockerfile"))
    ):
        return "a container image definition: what runs in production"
    if name.startswith(("docker-compose", "compose.")) and yaml:
        return "a Compose file: how the services are deployed together"
    if name in _DEPLOY_FILES:
        return _DEPLOY_FILES[name]
    if pure.suffix.lower() in (".tf", ".tfvars"):
        return "Terraform infrastructure"
    if yaml and all(rx.search(text[:16384]) for rx in _K8S):
        return "a Kubernetes manifest: what the cluster runs"
    if "templates" in parts and "charts" in parts:
        return "a Helm chart template"
    stems = {p.lower() for p in pure.parts[:-1]} | {pure.stem.lower()}
    hit = stems & _AUTH_NAMES
    if hit:
        return f"auth or security code ('{sorted(hit)[0]}' in its path): who may do what"
    return None


def detect(scope: Scope) -> list[Region]:
    """A region over each changed CI, deploy or auth file."""
    regions: list[Region] = []
    for changed in scope.files:
        text = scope.head.text(changed.path) or ""
        why = kind_of(changed.path, text)
        if why is not None:
            regions.append(whole_file(scope, changed.path, RULE, f"the file is {why}"))
    return regions
