import jwt


def test_token():
    assert jwt.decode(jwt.encode({"a": 1}, "k", algorithm="HS256"), "k", algorithms=["HS256"]) == {"a": 1}
