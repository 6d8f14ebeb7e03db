from collections.abc import Callable

import pytest

from pipeline.detect.recognizers.secrets.assignment import SecretAssignmentRecognizer

Spans = Callable[..., list[str]]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("DB_PASSWORD=Tr0ub4dor&3", ["Tr0ub4dor&3"]),
        ('password: "horse-Battery-9"', ["horse-Battery-9"]),
        ("  client_secret: 'f3Qz8LmW2pXr7TsKc1Vn'", ["f3Qz8LmW2pXr7TsKc1Vn"]),
        ('{"api_key": "9fK2mQ7xL4pW8rT1zC6v"}', ["9fK2mQ7xL4pW8rT1zC6v"]),
        ("SECRET_KEY := \"q9Wm2Xr5Tz8Lp3Kv\"", ["q9Wm2Xr5Tz8Lp3Kv"]),
        ("The wifi password is Blue-Otter-77 for guests", ["Blue-Otter-77"]),
        ("password = request.form['password']", []),
        ("token = self.token", []),
        ("password_hash = bcrypt.hashpw(pw, salt)", []),
        ("OPENAI_API_KEY=${OPENAI_API_KEY}", []),
        ("GITHUB_TOKEN: ${{ secrets.GITHUB_TOKEN }}", []),
        ('api_key: "YOUR_API_KEY"', []),
        ("password: changeme", []),
        ("max_tokens=1024", []),
        ('password = ""', []),
        ("if password == stored:", []),
        ("the password is incorrect", []),
        ("mysql -u root -pTr0ub4dor&3 -h 10.0.0.5", ["Tr0ub4dor&3"]),
        ("mysqldump -u app -p'S3cr3t!x' shop > dump.sql", ["S3cr3t!x"]),
        ("mysql -u root -p shop", []),
        ("mysql -u root -p$MYSQL_PWD shop", []),
        ("pg_dump --password Kx9!mQ2vL8 -h db", ["Kx9!mQ2vL8"]),
        ("sshpass -p 'W1nter#2026' ssh ops@bastion", ["W1nter#2026"]),
        ("curl -u admin:Pa55w0rd! https://ci.internal/api", ["Pa55w0rd!"]),
        ("curl -u \"$USER:$TOKEN\" https://ci.internal/api", []),
        ("tar -p -czf out.tgz dir/", []),
    ],
)
def test_secret_assignments(text: str, expected: list[str], spans: Spans) -> None:
    """Literal values assigned to secret names are flagged; references and code are not."""
    assert spans(SecretAssignmentRecognizer(), text) == expected
