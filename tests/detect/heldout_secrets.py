# ruff: noqa: E501 - template text is kept on the lines it reads on
"""Held-out templates that carry credentials (block class), many of them disguised.

A template returns parts: plain strings, or ``(text, kind)`` for a labelled value.
"""

from __future__ import annotations

from collections.abc import Callable
from random import Random

from tests.detect.heldout_values import b64, hexed, pick, rs, secret, urlenc

__all__ = ["SECRET_TEMPLATES"]

Part = str | tuple[str, str]
Template = Callable[[Random], list[Part]]
_ZW = "\u200b"
_FULLWIDTH = str.maketrans(
    {c: chr(ord(c) + 0xFEE0) for c in "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"}
)
_CYRILLIC = str.maketrans(
    {
        "a": "\u0430",
        "e": "\u0435",
        "o": "\u043e",
        "p": "\u0440",
        "c": "\u0441",
        "x": "\u0445",
        "s": "\u0455",
    }
)


def _s(rng: Random, kind: str) -> tuple[str, str]:
    return secret(rng, kind), kind


def go_static_creds(rng: Random) -> list[Part]:
    return [
        "Why does this Go client get AccessDenied on PutObject?\n\n```go\ncfg, _ := config.Load"
        "DefaultConfig(ctx,\n    config.WithCredentialsProvider(credentials.NewStaticCredentials"
        'Provider("',
        _s(rng, "AWS_ACCESS_KEY_ID"),
        '", "',
        _s(rng, "AWS_SECRET_ACCESS_KEY"),
        '", "")),\n)\n```',
    ]


def terraform_provider(rng: Random) -> list[Part]:
    return [
        'terraform plan says "No valid credential sources found". My provider block:\n\n'
        'provider "aws" {\n  region     = "eu-west-2"\n  access_key = "',
        _s(rng, "AWS_ACCESS_KEY_ID"),
        '"\n  secret_key = "',
        _s(rng, "AWS_SECRET_ACCESS_KEY"),
        '"\n}\n',
    ]


def k8s_secret_b64(rng: Random) -> list[Part]:
    kind = pick(rng, ["STRIPE_SECRET_KEY", "GITHUB_TOKEN", "OPENAI_API_KEY", "SLACK_TOKEN"])
    return [
        "kubectl apply keeps rejecting this manifest, can you spot the indentation issue?\n\n"
        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: billing-keys\ntype: Opaque\ndata:\n"
        "  api-key: ",
        (b64(secret(rng, kind)), kind),
        "\n",
    ]


def dockerfile_env(rng: Random) -> list[Part]:
    return [
        "Review my Dockerfile for layer caching:\n\nFROM node:20-alpine\nWORKDIR /app\n"
        "COPY package*.json ./\nRUN npm ci\nENV OPENAI_API_KEY=",
        _s(rng, "OPENAI_API_KEY"),
        '\nCOPY . .\nCMD ["node", "server.js"]\n',
    ]


def curl_bearer(rng: Random) -> list[Part]:
    kind = pick(rng, ["OPENAI_API_KEY", "GITHUB_TOKEN", "JWT"])
    return [
        "this curl returns 401, what am I missing?\n\ncurl -s https://api.internal.dev/v2/jobs "
        '\\\n  -H "Authorization: Bearer ',
        _s(rng, kind),
        '" \\\n  -H "Accept: application/json"',
    ]


def shell_export(rng: Random) -> list[Part]:
    return [
        "added this to ~/.zshrc but the bot still can't post:\n\nexport SLACK_BOT_TOKEN='",
        _s(rng, "SLACK_TOKEN"),
        "'\nexport SLACK_CHANNEL=C0123ABCD\n",
    ]


def ts_stripe(rng: Random) -> list[Part]:
    return [
        "TypeScript complains about the apiVersion type here:\n\n```ts\nimport Stripe from "
        "'stripe';\nconst stripe = new Stripe('",
        _s(rng, "STRIPE_SECRET_KEY"),
        "', { apiVersion: '2024-04-10' });\n```",
    ]


def rust_google(rng: Random) -> list[Part]:
    return [
        "Is there a nicer way to build this reqwest URL in Rust?\n\nlet url = format!("
        '"https://maps.googleapis.com/maps/api/geocode/json?address={}&key={}", addr, "',
        _s(rng, "GOOGLE_API_KEY"),
        '");',
    ]


def java_constant(rng: Random) -> list[Part]:
    kind = pick(rng, ["GOOGLE_API_KEY", "STRIPE_SECRET_KEY", "GITHUB_TOKEN"])
    return [
        "Sonar flags this Java class, why?\n\npublic final class Clients {\n    private static "
        'final String API_KEY = "',
        _s(rng, kind),
        '";\n}\n',
    ]


def json_pem_escaped(rng: Random) -> list[Part]:
    pem = secret(rng, "PRIVATE_KEY").replace("\n", "\\n")
    return [
        'gcloud auth fails with this key file (project id changed):\n{"type": '
        '"service_account", "project_id": "ledger-prod-4411", "private_key": "',
        (pem, "PRIVATE_KEY"),
        '\\n", "client_email": "ci@ledger-prod-4411.iam.gserviceaccount.com"}',
    ]


def json_escaped_slashes(rng: Random) -> list[Part]:
    value = secret(rng, "AWS_SECRET_ACCESS_KEY").replace("/", "\\/")
    return [
        "PHP json_encode output from our config endpoint, is it safe to cache?\n"
        '{"region":"ap-south-1","aws_secret_access_key":"',
        (value, "AWS_SECRET_ACCESS_KEY"),
        '"}',
    ]


def url_passwords(rng: Random) -> list[Part]:
    pw = (secret(rng, "PASSWORD_IN_URL"), "PASSWORD_IN_URL")
    return pick(
        rng,
        [  # type: ignore[return-value]
            [
                "Atlas connection times out from Lambda:\nMONGO_URI=mongodb+srv://orders_rw:",
                pw,
                "@cluster0.x7k2p.mongodb.net/orders?retryWrites=true",
            ],
            ["celery can't reach the broker: amqp://worker:", pw, "@rabbitmq.internal:5672/prod"],
            [
                "redis-cli works but the app gets NOAUTH: REDIS_URL=redis://:",
                pw,
                "@cache.internal:6379/2",
            ],
            [
                "Spring Boot can't open the pool:\nspring.datasource.url=jdbc:mysql://db.internal:3306/"
                "shop?user=shop_app&password=",
                pw,
                "&useSSL=true",
            ],
            [
                "The .NET service fails on startup: Server=tcp:sql-prod.internal,1433;Database=Billing;"
                "User Id=billing_svc;Password=",
                pw,
                ";Encrypt=True;",
            ],
            [
                "psql in the Kubernetes job: postgresql://analytics:",
                pw,
                "@pg-replica.data.svc.cluster.local:5432/warehouse",
            ],
        ],
    )


def split_token(rng: Random) -> list[Part]:
    kind = pick(rng, ["GITHUB_TOKEN", "STRIPE_SECRET_KEY", "AWS_ACCESS_KEY_ID", "OPENAI_API_KEY"])
    value = secret(rng, kind)
    size = rng.randint(6, 10)
    sep = pick(rng, [" ", "  ", "\n", " \n"])
    split = sep.join(value[i : i + size] for i in range(0, len(value), size))
    return [
        "my terminal wrapped the token when I copied it, does it look complete?\n\n",
        (split, kind),
        "\n\nthanks",
    ]


def zero_width(rng: Random) -> list[Part]:
    kind = pick(rng, ["GITHUB_TOKEN", "STRIPE_SECRET_KEY", "SLACK_TOKEN", "GOOGLE_API_KEY"])
    value = secret(rng, kind)
    hidden = _ZW.join(value[i : i + 5] for i in range(0, len(value), 5))
    return ["Why does the API say my key is invalid? key = ", (hidden, kind)]


def fullwidth(rng: Random) -> list[Part]:
    value = secret(rng, "AWS_ACCESS_KEY_ID").translate(_FULLWIDTH)
    return [
        "OCR of the sticky note on the server rack says the key id is ",
        (value, "AWS_ACCESS_KEY_ID"),
        " — can you tell which IAM user that is?",
    ]


def homoglyph(rng: Random) -> list[Part]:
    value = secret(rng, "STRIPE_SECRET_KEY")
    return [
        "Payment test failing, key pasted from the wiki: ",
        (value[:8].translate(_CYRILLIC) + value[8:], "STRIPE_SECRET_KEY"),
    ]


def wrapped(rng: Random) -> list[Part]:
    kind = pick(rng, ["GITHUB_TOKEN", "AWS_ACCESS_KEY_ID", "STRIPE_SECRET_KEY", "SLACK_TOKEN"])
    inner = pick(rng, ["token=", "export KEY=", "", '{"key": "']) + secret(rng, kind)
    how = pick(rng, ["base64", "hex", "url"])
    blob = {"base64": b64(inner), "hex": hexed(inner), "url": urlenc(inner + "&x=1")}[how]
    return [f"Found this {how} string in a pipeline log, what is it?\n\n", (blob, kind), "\n"]


def urlencoded_dsn(rng: Random) -> list[Part]:
    pw = secret(rng, "PASSWORD_IN_URL")
    blob = urlenc(f"postgres://etl:{pw}@warehouse.internal:5432/dw")
    return [
        "The Airflow UI shows this conn string in the task log: conn_uri=",
        (blob, "PASSWORD_IN_URL"),
        " — why is it encoded twice?",
    ]


def jwt_cookie(rng: Random) -> list[Part]:
    return [
        "Browser devtools shows this request header, why is the session rejected?\n"
        "Cookie: theme=dark; session=",
        _s(rng, "JWT"),
        "; Path=/",
    ]


def pem_markdown(rng: Random) -> list[Part]:
    return [
        "Which format is this key in and how do I convert it to PKCS#8?\n\n```\n",
        _s(rng, "PRIVATE_KEY"),
        "\n```",
    ]


def properties_file(rng: Random) -> list[Part]:
    return [
        "application.properties for the mail module:\n\nmail.smtp.host=smtp.sendgrid.net\n"
        "github.oauth.token=",
        _s(rng, "GITHUB_TOKEN"),
        "\nmail.smtp.port=587\n",
    ]


def helm_values(rng: Random) -> list[Part]:
    return [
        "helm upgrade ignores my override, values-prod.yaml:\n\nworker:\n  replicas: 3\n  env:\n"
        '    - name: OPENAI_KEY\n      value: "',
        _s(rng, "OPENAI_API_KEY"),
        '"\n',
    ]


def chat_paste(rng: Random) -> list[Part]:
    kind = pick(rng, ["SLACK_TOKEN", "OPENAI_API_KEY", "GOOGLE_API_KEY", "STRIPE_SECRET_KEY"])
    return [
        pick(rng, ["ok here it is: ", "use this one -> ", "new key after rotation "]),
        _s(rng, kind),
        pick(rng, ["", " (prod)", ". lmk if it works"]),
    ]


def github_actions_log(rng: Random) -> list[Part]:
    return [
        'Run echo "setting up"\n  git remote set-url origin https://x-access-token:',
        _s(rng, "GITHUB_TOKEN"),
        "@github.com/acme-ops/infra.git\nfatal: repository not found"
        f"\nError: Process completed with exit code {rng.randint(1, 128)}.",
    ]


SECRET_TEMPLATES: dict[str, Template] = {
    f.__name__: f
    for f in (
        go_static_creds,
        terraform_provider,
        k8s_secret_b64,
        dockerfile_env,
        curl_bearer,
        shell_export,
        ts_stripe,
        rust_google,
        java_constant,
        json_pem_escaped,
        json_escaped_slashes,
        url_passwords,
        split_token,
        zero_width,
        fullwidth,
        homoglyph,
        wrapped,
        urlencoded_dsn,
        jwt_cookie,
        pem_markdown,
        properties_file,
        helm_values,
        chat_paste,
        github_actions_log,
    )
}
_ = rs
