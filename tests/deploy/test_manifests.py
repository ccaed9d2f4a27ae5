"""The deployment files, checked offline: the Kubernetes manifests (deploy/k8s/) against the
Kubernetes API schemas that kubernetes-validate carries in its package (the network is cut
while it runs, so nothing is downloaded), their wiring (labels, selectors, ports, the one
beat), the production settings started with exactly what they provide, and the compose
file's proxy in front of the web process. No cluster and no Docker engine needed.
"""

from __future__ import annotations

import copy
import os
import re
import secrets
import socket
import subprocess
import sys
from pathlib import Path

import kubernetes_validate
import pytest
import yaml
from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parents[2]
K8S = ROOT / "deploy" / "k8s"
NGINX = ROOT / "deploy" / "nginx"
# The oldest Kubernetes the manifests promise to work on, and the newest schemas at hand.
VERSIONS = ("1.29", kubernetes_validate.latest_version())


def documents(path: Path) -> list[dict]:
    return [doc for doc in yaml.safe_load_all(path.read_text()) if doc]


def manifests() -> list[tuple[str, dict]]:
    found = []
    for path in sorted(K8S.glob("*.yaml")):
        if path.name != "kustomization.yaml":
            found += [(path.name, doc) for doc in documents(path)]
    return found


def resource(kind: str, name: str) -> dict:
    (found,) = [
        doc for _, doc in manifests() if (doc["kind"], doc["metadata"]["name"]) == (kind, name)
    ]
    return found


def pod_specs() -> list[tuple[str, dict]]:
    """(name, pod spec) of every workload."""
    return [
        (doc["metadata"]["name"], doc["spec"]["template"]["spec"])
        for _, doc in manifests()
        if doc["kind"] in ("Deployment", "Job")
    ]


def containers(spec: dict) -> list[dict]:
    return [*spec.get("initContainers", []), *spec["containers"]]


def config_map() -> dict[str, str]:
    return resource("ConfigMap", "beacon-config")["data"]


def secret_names() -> list[str]:
    lines = (K8S / "secrets.env.example").read_text().splitlines()
    return [line.split("=", 1)[0] for line in lines if line and not line.startswith("#")]


@pytest.fixture
def no_network(monkeypatch):
    """Any attempt to reach the network fails the test."""

    def refuse(*args, **kwargs):
        raise AssertionError(f"network access during validation: {args!r}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)


def test_every_manifest_is_valid_kubernetes_checked_offline(no_network):
    checked = []
    for _, doc in manifests():
        for version in VERSIONS:
            kubernetes_validate.validate(doc, version, strict=True)
        checked.append((doc["kind"], doc["metadata"]["name"]))
    assert {kind for kind, _ in checked} >= {
        "Namespace", "ConfigMap", "PersistentVolumeClaim", "Job", "Deployment", "Service",
        "PodDisruptionBudget", "Ingress", "NetworkPolicy",
    }  # fmt: skip


def test_the_validator_refuses_a_misspelt_field_and_a_wrong_type(no_network):
    web = resource("Deployment", "beacon-web")
    misspelt = copy.deepcopy(web)
    container = misspelt["spec"]["template"]["spec"]["containers"][0]
    container["readinesProbe"] = container.pop("readinessProbe")
    wrong_type = copy.deepcopy(web)
    wrong_type["spec"]["replicas"] = "three"
    for broken in (misspelt, wrong_type):
        with pytest.raises(kubernetes_validate.ValidationError):
            kubernetes_validate.validate(broken, VERSIONS[-1], strict=True)


def test_the_kustomization_names_every_manifest_and_the_one_image():
    (kustomization,) = documents(K8S / "kustomization.yaml")
    files = {path.name for path in K8S.glob("*.yaml")} - {"kustomization.yaml"}
    assert sorted(kustomization["resources"]) == sorted(files)
    namespace = kustomization["namespace"]
    assert all(doc["metadata"].get("namespace", namespace) == namespace for _, doc in manifests())
    (image,) = kustomization["images"]
    assert {c["image"] for _, spec in pod_specs() for c in containers(spec)} == {image["name"]}


def test_every_process_reads_the_settings_and_the_secret():
    for name, spec in pod_specs():
        for container in containers(spec):
            sources = container.get("envFrom", [])
            assert {"configMapRef": {"name": "beacon-config"}} in sources, name
            assert {"secretRef": {"name": "beacon-secrets"}} in sources, name
            assert container["securityContext"]["readOnlyRootFilesystem"] is True, name
            mounts = {mount["mountPath"] for mount in container.get("volumeMounts", [])}
            assert "/tmp" in mounts, name
        assert spec["securityContext"]["runAsNonRoot"] is True, name


def test_web_runs_several_replicas_with_probes_a_service_and_a_disruption_budget():
    web = resource("Deployment", "beacon-web")
    pod_labels = web["spec"]["template"]["metadata"]["labels"]
    assert web["spec"]["replicas"] >= 2
    assert web["spec"]["selector"]["matchLabels"].items() <= pod_labels.items()
    (server,) = web["spec"]["template"]["spec"]["containers"]
    assert server["command"][:3] == ["python", "-m", "config.web"]
    port = server["command"][server["command"].index("--port") + 1]
    assert server["ports"] == [{"name": "http", "containerPort": int(port)}]
    assert server["readinessProbe"]["httpGet"]["path"] == "/healthz"
    assert server["livenessProbe"]["httpGet"]["path"] == "/ping"
    assert server["startupProbe"]["httpGet"]["path"] == "/ping"
    # The private files are shared by every web and worker pod, on any node.
    claim = resource("PersistentVolumeClaim", "beacon-private")
    assert claim["spec"]["accessModes"] == ["ReadWriteMany"]
    mounts = {m["name"]: m["mountPath"] for m in server["volumeMounts"]}
    assert mounts["private"] == "/var/lib/beacon/private"
    service = resource("Service", "beacon-web")
    assert service["spec"]["selector"].items() <= pod_labels.items()
    budget = resource("PodDisruptionBudget", "beacon-web")
    assert budget["spec"]["selector"]["matchLabels"].items() <= pod_labels.items()
    assert budget["spec"]["maxUnavailable"] < web["spec"]["replicas"]
    # Only the ingress controller reaches these pods (their X-Forwarded-For is believed).
    policy = resource("NetworkPolicy", "beacon-web-from-ingress")
    assert policy["spec"]["podSelector"]["matchLabels"].items() <= pod_labels.items()


def test_the_ingress_carries_websockets_and_the_proxys_limits_to_the_allowed_host():
    ingress = resource("Ingress", "beacon")
    annotations = ingress["metadata"]["annotations"]
    for timeout in ("proxy-read-timeout", "proxy-send-timeout"):
        assert int(annotations[f"nginx.ingress.kubernetes.io/{timeout}"]) >= 3600
    # The same body limit as the compose proxy (deploy/nginx/nginx.conf.template).
    nginx_limit = re.search(
        r"client_max_body_size (\w+);", (NGINX / "nginx.conf.template").read_text()
    )
    assert annotations["nginx.ingress.kubernetes.io/proxy-body-size"] == nginx_limit.group(1)
    (rule,) = ingress["spec"]["rules"]
    assert rule["host"] in config_map()["DJANGO_ALLOWED_HOSTS"].split(",")
    assert f"https://{rule['host']}" in config_map()["DJANGO_CSRF_TRUSTED_ORIGINS"].split(",")
    assert config_map()["BEACON_SITE_URL"] == f"https://{rule['host']}"
    assert ingress["spec"]["tls"][0]["hosts"] == [rule["host"]]
    (path,) = rule["http"]["paths"]
    backend = path["backend"]["service"]
    service = resource("Service", backend["name"])
    assert backend["port"]["name"] in {port["name"] for port in service["spec"]["ports"]}


def test_beat_is_exactly_one_and_workers_are_many():
    beat = resource("Deployment", "beacon-beat")
    assert beat["spec"]["replicas"] == 1
    assert beat["spec"]["strategy"] == {"type": "Recreate"}  # never two during an update
    (process,) = beat["spec"]["template"]["spec"]["containers"]
    assert process["command"][:4] == ["celery", "-A", "config", "beat"]
    worker = resource("Deployment", "beacon-worker")
    assert worker["spec"]["replicas"] >= 2
    (process,) = worker["spec"]["template"]["spec"]["containers"]
    assert process["command"][:4] == ["celery", "-A", "config", "worker"]
    # Warm shutdown outlasts the tasks' hard time limit (config/settings/base.py: 120 s).
    assert worker["spec"]["template"]["spec"]["terminationGracePeriodSeconds"] > 120
    job = resource("Job", "beacon-migrate")
    (process,) = job["spec"]["template"]["spec"]["containers"]
    assert process["command"] == ["python", "manage.py", "migrate", "--no-input"]
    for name in ("beacon-web", "beacon-worker", "beacon-beat"):
        (wait,) = resource("Deployment", name)["spec"]["template"]["spec"]["initContainers"]
        assert "migrate --check" in wait["command"][-1]


SECRET_SAMPLES = {
    "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
    "BEACON_DOCUMENT_KEYS": Fernet.generate_key().decode(),
    "DATABASE_URL": "postgres://beacon:pw@db.internal.invalid:5432/beacon?sslmode=require",
    "REDIS_URL": "rediss://:pw@redis.internal.invalid:6380/0?ssl_cert_reqs=required",
    "EMAIL_URL": "smtp://user:pw@smtp.internal.invalid:587?tls=1",
    "IMAP_URL": "imaps://user:pw@imap.internal.invalid:993/INBOX",
    "BEACON_INBOUND_MAIL_SECRET": secrets.token_hex(32),
}


def test_the_production_settings_start_with_exactly_what_the_manifests_provide():
    # given: the config map, and the secret filled in as secrets.env.example asks
    assert set(secret_names()) <= SECRET_SAMPLES.keys(), "a sample for each secret"
    env = {
        "PATH": os.environ["PATH"],
        **config_map(),
        **{name: SECRET_SAMPLES[name] for name in secret_names()},
    }
    # when: Django's deployment checklist runs on them (no server is reached)
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    # then: production starts, and nothing is reported
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]


# ---------------------------------------------------------------------------- compose


def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_compose_publishes_only_the_proxy_in_front_of_web():
    services = compose()["services"]
    published = sorted(name for name, service in services.items() if service.get("ports"))
    assert published == ["proxy"]
    proxy, web = services["proxy"], services["web"]
    assert proxy["build"] == "deploy/nginx"
    assert sorted(port.split(":")[-1] for port in proxy["ports"]) == ["8080", "8443"]
    assert proxy["depends_on"]["web"]["condition"] == "service_healthy"
    # The proxy's upstream is the web service's port.
    port = web["command"][web["command"].index("--port") + 1]
    assert proxy["environment"]["BEACON_PROXY_UPSTREAMS"] == f"web:{port}"
    assert "BEACON_PROXY_SERVER_NAME" in proxy["environment"]
    # The certificate and key are mounted where the entrypoint looks for them.
    entrypoint = (NGINX / "entrypoint.sh").read_text()
    cert = re.search(r"BEACON_TLS_CERT=\$\{BEACON_TLS_CERT:-([^}]+)\}", entrypoint).group(1)
    (tls,) = proxy["volumes"]
    assert tls.endswith(f":{Path(cert).parent}:ro")
    # The web process believes the client address only from the compose network's proxy.
    assert "BEACON_TRUSTED_PROXIES" in web["environment"]


def test_the_proxy_image_runs_debians_nginx_with_the_tested_files():
    dockerfile = (NGINX / "Dockerfile").read_text()
    assert re.search(r"^FROM debian:bookworm", dockerfile, re.M)
    assert re.search(r"apt-get install .*\bnginx\b.*\bgettext-base\b", dockerfile)
    copied = re.search(r"^COPY (.+) /opt/beacon-proxy/$", dockerfile, re.M).group(1).split()
    assert sorted(copied) == ["entrypoint.sh", "nginx.conf.template", "proxy_headers.conf"]
    assert all((NGINX / name).is_file() for name in copied)
