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
    ],
)
def test_secret_assignments(text: str, expected: list[str], spans: Spans) -> None:
    """Literal values assigned to secret names are flagged; references and code are not."""
    assert spans(SecretAssignmentRecognizer(), text) == expected
