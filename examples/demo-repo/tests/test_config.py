from app.config import environment


def test_environment_default(monkeypatch=None):
    assert environment() in ("development", "production")
