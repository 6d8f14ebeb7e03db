# ruff: noqa: E501 - template text is kept on the lines it reads on
"""Held-out hard negatives: clean prompts full of tech terms, brands, ids and look-alike numbers."""

from __future__ import annotations

import hashlib
import string
import uuid
from random import Random

from tests.detect.heldout_secrets import Part, Template
from tests.detect.heldout_values import card_bad_luhn, pick, rs

__all__ = ["CLEAN_TEMPLATES"]


def _words(text: str, sep: str | None = None) -> list[str]:
    return [w.strip() for w in text.replace("\n", " " if sep is None else "").split(sep) if w.strip()]


TECH = _words(
    """
Rust Go Swift Julia Ruby Kafka Spark Flask Django Jenkins Ansible Terraform Grafana Helm Kotlin
Elixir Phoenix Rails Laravel Celery Airflow Dagster Prometheus Kibana Consul Vault Nomad Istio
Envoy Argo Flux Redis Cassandra Flink Trino Hugo Jekyll Gatsby Svelte Vue Angular Deno Bun Zig
Haskell Scala Clojure Erlang Dart Flutter Pandas Polars Dask Ray Jupyter Pulumi Podman Nginx
Caddy Traefik Sentry Datadog Splunk Loki Tempo Cypress Playwright Selenium Jest Mocha Vite
Webpack Babel Ada Crystal Nim Lua Perl Fortran Cobol Pascal Sidekiq Keycloak Logstash Fluentd
Jaeger Zipkin Cilium Calico Kustomize Tekton
"""
)
BRANDS = _words(
    """
Salesforce HubSpot Zendesk Atlassian Shopify Stripe Notion Figma Snowflake Databricks Vercel
Netlify Heroku DigitalOcean Twilio Okta Auth0 Cloudflare Fastly Mailchimp Intercom Asana Trello
Monday Airtable Canva Miro Klarna Revolut Wise Adyen Zoom Dropbox Box Oracle SAP Workday
ServiceNow Tableau Looker
"""
)
FEATURES = _words(
    """
borrow checker|goroutines|actor model|type system|garbage collector|macro system|consumer
groups|lazy evaluation|plugin API|state backend|template engine|dependency resolver|hot
reload|query planner
""",
    "|",
)


def tech_question(rng: Random) -> list[Part]:
    a, b = rng.sample(TECH, 2)
    return [
        pick(
            rng,
            [
                f"What is {a}'s {pick(rng, FEATURES)}?",
                f"Should I learn {a} or {b} first?",
                f"How does {a} compare to {b} for a small team?",
                f"I'm migrating from {a} to {b}, what usually breaks?",
                f"Explain {a} to someone who already knows {b}.",
                f"My {a} job fails after upgrading {b} to {rng.randint(2, 9)}.{rng.randint(0, 20)}.",
                f"Is {a} still maintained? We use it with {b} in production.",
                f"{a} or {b} for a CLI tool? Startup time matters.",
                f"Can {a} talk to {b} without a sidecar?",
            ],
        )
    ]


def brand_question(rng: Random) -> list[Part]:
    a, b = rng.sample(BRANDS, 2)
    return [
        pick(
            rng,
            [
                f"Does {a} integrate with {b} out of the box?",
                f"Write a two-line ad for {a}'s new analytics add-on.",
                f"We pay {a} and {b} for overlapping features; draft a consolidation memo.",
                f"Why did {a} acquire a competitor of {b}?",
            ],
        )
    ]


def ids_and_hashes(rng: Random) -> list[Part]:
    digest = hashlib.sha256(rs(rng, string.ascii_letters, 12).encode()).hexdigest()
    return [
        pick(
            rng,
            [
                f"Is UUID {uuid.UUID(int=rng.getrandbits(128), version=4)} valid v4?",
                f"sha256sum gives {digest} but the release page lists another digest, is my download bad?",
                f"Order #{rng.randint(10**7, 10**8)} and tracking 1Z{rs(rng, string.ascii_uppercase + string.digits, 16)} "
                "- how do I write a status email template?",
                f"Convert ISBN 978-{rng.randint(0, 1)}-{rng.randint(100, 999)}-{rng.randint(10000, 99999)}-"
                f"{rng.randint(0, 9)} to ISBN-10.",
                f"Why is {rng.randint(10**14, 10**18)} not representable exactly as a float64?",
                f"Is {card_bad_luhn(rng)} a valid test card number? Our form accepted it.",
                f"Bump version from {rng.randint(1, 9)}.{rng.randint(0, 30)}.{rng.randint(0, 30)} to the next "
                "minor in pyproject and package.json.",
                f"Parse 2024-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}T{rng.randint(0, 23):02d}:14:09.123Z "
                "as a zoned datetime in Java.",
                f"git bisect landed on commit {digest[:40]}, how do I see what it changed?",
            ],
        )
    ]


def placeholders(rng: Random) -> list[Part]:
    return [
        pick(
            rng,
            [
                "README snippet: export OPENAI_API_KEY=sk-...your-key-here... then run make dev",
                "In the docs they use AKIAIOSFODNN7EXAMPLE with wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY, "
                "is that a real key?",
                "SLACK_TOKEN=xoxb-your-bot-token-here goes in .env.example, right?",
                "token: ghp_XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX is the placeholder in our template",
                'db:\n  url: "postgres://app:${DB_PASSWORD}@db:5432/app"\n\nhow do I inject DB_PASSWORD '
                "from a Kubernetes secret?",
                "STRIPE_KEY=<your-stripe-secret-key> — where do I find mine in the dashboard?",
            ],
        )
    ]


def clean_code(rng: Random) -> list[Part]:
    return [
        pick(
            rng,
            [
                'Refactor this Go:\n\nfunc dsn() string {\n\treturn fmt.Sprintf("postgres://%s:%s@%s/app", '
                'os.Getenv("PGUSER"), os.Getenv("PGPASSWORD"), os.Getenv("PGHOST"))\n}',
                'resource "aws_db_instance" "main" {\n  engine   = "postgres"\n  username = "app"\n  '
                "password = var.db_password\n}\n\nhow do I mark the variable sensitive?",
                "env:\n  - name: API_TOKEN\n    valueFrom:\n      secretKeyRef:\n        name: api\n"
                "        key: token\n\nwhy does the pod stay in CreateContainerConfigError?",
                "FROM python:3.12-slim\nARG PIP_INDEX_URL\nRUN pip install --no-cache-dir -r "
                "requirements.txt\n\nis ARG safe for credentials here?",
                "CREATE TABLE users (\n  id bigserial primary key,\n  email text unique not null,\n  "
                "password_hash text not null\n);\nshould I use citext for email?",
                'public String token() {\n    return System.getenv("GITHUB_TOKEN");\n}\nhow do I mock '
                "this in JUnit 5?",
                'let key = std::env::var("STRIPE_SECRET_KEY").expect("missing key");\nidiomatic '
                "error handling instead of expect?",
                "- uses: actions/checkout@v4\n- run: ./deploy.sh\n  env:\n    TOKEN: ${{ secrets.DEPLOY_"
                "TOKEN }}\nwhy is TOKEN empty on forks?",
            ],
        )
    ]


def stack_trace(rng: Random) -> list[Part]:
    return [
        pick(
            rng,
            [
                'java.lang.NullPointerException: Cannot invoke "String.length()"\n\tat com.acme.billing.'
                f"InvoiceService.total(InvoiceService.java:{rng.randint(10, 300)})\n\tat org.springframework"
                ".aop.framework.ReflectiveMethodInvocation.proceed(ReflectiveMethodInvocation.java:186)",
                'Traceback (most recent call last):\n  File "/srv/app/worker.py", line 42, in run\n'
                "    job = Job.parse(payload)\nKeyError: 'tenant'\nwhat does this mean?",
                "panic: runtime error: index out of range [3] with length 3\n\ngoroutine 17 [running]:\n"
                "main.(*Pool).next(...)\n\t/app/pool.go:88 +0x1d4",
                "thread 'main' panicked at 'called `Option::unwrap()` on a `None` value', src/main.rs:"
                f"{rng.randint(5, 90)}:18",
            ],
        )
    ]


def clean_prose(rng: Random) -> list[Part]:
    return [
        pick(
            rng,
            [
                f"Team, the {pick(rng, TECH)} cluster upgrade moves to Thursday. Please pause deploys "
                "from 18:00 UTC.",
                "Thanks! That worked. Can you also explain why the cache was stale?",
                f"Is Lagos or Nairobi a better base for a fintech team? We already use {pick(rng, BRANDS)}.",
                "The release is on 3 Feb 2025 and the invoice was dated 03.02.2024; draft the changelog.",
                f"Write a haiku about {pick(rng, TECH)} and {pick(rng, TECH)}.",
                f"Sprint review: {pick(rng, TECH)} migration done, {pick(rng, TECH)} dashboards pending.",
                "Port 5432 is open but HTTP 503 comes back from the load balancer; error 0x80070005 on the "
                "Windows agent. Where do I start?",
                f"Our {pick(rng, BRANDS)} invoice went from 1,240,000 to 2,310,500 units, explain tiered "
                "pricing.",
            ],
        )
    ]


def markdown_metrics(rng: Random) -> list[Part]:
    rows = "".join(
        f"| {t} | {rng.randint(50, 999)} ms | {rng.randint(90, 99)}.{rng.randint(0, 9)}% |\n"
        for t in rng.sample(TECH, 3)
    )
    return ["Summarise this table:\n\n| service | p99 | availability |\n|---|---|---|\n" + rows]


CLEAN_TEMPLATES: dict[str, Template] = {
    f.__name__: f
    for f in (
        tech_question,
        brand_question,
        ids_and_hashes,
        placeholders,
        clean_code,
        stack_trace,
        clean_prose,
        markdown_metrics,
    )
}
