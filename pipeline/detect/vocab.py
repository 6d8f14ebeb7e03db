"""Words that NER mistakes for people: software, services and brands, and the nouns they head.

spaCy's small model tags capitalised unknown words in questions as PERSON ("What is Rust's
borrow checker?"). ``ner._clean`` rejects a span whose every word is a known product name, a
single word paired with one ("Zorblang or Rust"), or a single word followed by a noun that
products take and people do not ("the Trino cluster", "a Grafana dashboard"). A person named
like a product is still found by the cue recognizers ("thanks, Julia!"), which do not consult
this list.
"""

from __future__ import annotations

import regex

__all__ = ["PRODUCT_HEAD", "PRODUCT_PAIR", "is_product", "paired_with_product"]


def _words(text: str) -> list[str]:
    return text.split()


# Programming languages, frameworks, data/infra tools, SaaS and cloud brands (lowercase).
_PRODUCTS = frozenset(
    _words(
        """
ada algol apl awk bash basic c cobol clojure coffeescript crystal dart delphi elixir elm erlang
fortran go golang groovy haskell haxe java javascript julia kotlin lisp lua matlab nim ocaml
pascal perl php prolog python r racket ruby rust scala scheme smalltalk solidity swift tcl
typescript vala zig mojo gleam odin carbon django flask fastapi rails sinatra laravel symfony
spring quarkus micronaut ktor vapor phoenix express nest nestjs next nuxt remix astro svelte
sveltekit vue angular ember react preact solid gatsby hugo jekyll eleventy docusaurus hexo vite
webpack rollup parcel esbuild babel deno bun node jest mocha jasmine karma cypress playwright
selenium puppeteer storybook vitest pytest celery sidekiq resque airflow dagster prefect luigi
kafka pulsar rabbitmq nats zeromq redis memcached cassandra scylla mongo mongodb couchdb
couchbase neo4j postgres postgresql mysql mariadb sqlite oracle clickhouse druid pinot trino
presto hive hadoop spark flink beam storm samza dask ray polars pandas numpy scipy jupyter
keras pytorch tensorflow jax spacy elastic elasticsearch opensearch solr lucene kibana logstash
fluentd fluentbit grafana loki tempo mimir prometheus thanos cortex jaeger zipkin sentry
datadog splunk honeycomb newrelic terraform pulumi ansible chef puppet salt saltstack vagrant
packer consul vault nomad boundary kubernetes helm kustomize skaffold tilt argo argocd flux
tekton jenkins travis circleci buildkite drone gitlab github bitbucket gitea docker podman
buildah containerd istio envoy linkerd cilium calico traefik caddy nginx apache haproxy
keycloak okta auth0 harbor falco openshift rancher nomad heroku vercel netlify render fly
railway digitalocean linode cloudflare fastly akamai aws azure gcp firebase supabase appwrite
snowflake databricks bigquery redshift salesforce hubspot zendesk freshdesk atlassian jira
confluence trello asana notion figma miro canva airtable slack discord zoom teams webex dropbox
box shopify stripe twilio sendgrid mailchimp intercom klarna revolut wise adyen paypal square
tableau looker metabase superset workday servicenow sap netsuite quickbooks xero zapier make
retool postman insomnia copilot cursor claude gemini llama mistral chatgpt openai anthropic
cohere hugging huggingface ubuntu debian fedora centos alpine arch windows macos linux android
ios xcode vscode vim emacs neovim intellij pycharm goland webstorm rider eclipse netbeans
kafka-connect debezium gradle maven bazel sbt cmake
chrome chromium firefox hibernate mybatis jooq lombok feign dramatiq gunicorn uvicorn sqlalchemy
alembic pydantic mypy ruff flake8 pylint tox poetry pipenv conda anaconda numba cython pypy jinja
authlib kerberos ldap jupyterlab kaggle sklearn xgboost lightgbm catboost seaborn matplotlib
plotly bokeh streamlit gradio langchain llamaindex ollama vllm onnx tensorrt cuda opencv ffmpeg
gstreamer webrtc graphql grpc protobuf avro parquet dbt fivetran airbyte mixpanel posthog
pagerduty opsgenie nagios zabbix telegraf influxdb cloudwatch certbot promtail silk
"""
    )
)

# Nouns a product name heads and a person's name does not ("the Trino cluster is slow"); a
# possessive ("Priya's cluster") is not a head, so it is not matched here.
PRODUCT_HEAD = regex.compile(
    r"^\s*(?:cluster|clusters|job|jobs|dashboards?|migration|invoice|plugins?|api|sdk|"
    r"server|servers|client|clients|config|configs|version|versions|integration|app|apps|"
    r"pipeline|pipelines|operator|chart|charts|module|modules|package|packages|library|"
    r"framework|runtime|compiler|cli|instance|instances|deployment|deploys?|upgrade|workers?|"
    r"consumers?|producers?|topics?|queues?|broker|brokers|nodes?|pods?|containers?|image|"
    r"images|docs|documentation|syntax|binding|bindings|crate|crates|gem|gems|"
    r"macros?|traits?|generics|tests?|scripts?|query|queries|schema|tables?|index|indexes|"
    r"endpoint|license|pricing|tier|connector|connectors|"
    r"extension|extensions|build|builds|release|"
    r"features?|add-on|addon|alerts?|metrics|logs|traces?|panels?)\b",
    regex.IGNORECASE,
)
# "Zorblang or Rust", "Flink vs. Spark", "Kotlin and Swift": coordinated with a product.
PRODUCT_PAIR = regex.compile(
    r"(?i)^\s*(?:,|/|or|and|vs\.?|versus|to|with|over|than|into|from|instead of)\s+"
    r"(?P<word>[\w+#.-]+)"
)
_PAIR_BEFORE = regex.compile(
    r"(?i)(?P<word>[\w+#.-]+)\s*(?:,|/|\bor|\band|\bvs\.?|\bversus|\bto|\bwith|\bover|\bthan|"
    r"\binto|\bfrom|\binstead of)\s*$"
)


def is_product(word: str) -> bool:
    """Tell whether a word (any case, possessive and punctuation trimmed) is a known product."""
    return word.lower().strip(".,;:!?()'\"").removesuffix("'s") in _PRODUCTS


def paired_with_product(before: str, after: str) -> bool:
    """Tell whether the text around a span coordinates it with a known product name."""
    match = PRODUCT_PAIR.match(after)
    if match is not None and is_product(match.group("word")):
        return True
    match = _PAIR_BEFORE.search(before)
    return match is not None and is_product(match.group("word"))
