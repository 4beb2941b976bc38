from bs4 import BeautifulSoup


def test_title():
    assert BeautifulSoup("<title>x</title>", "html.parser").title.string == "x"
