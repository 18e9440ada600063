"""The checks of one request over two transports (POST and GET): the same pages, or the same answer; and the
implicit listing's, which picks between the two by the answers it is given (a recording judged on another target
follows that target's answers)."""

import pytest
from test_checks import A, B, error, exchange, listing, nothing_to_judge, walk

from conformance.checks import pagination as pg
from conformance.checks.failures import Deviation
from conformance.protocol.wire import Exchange, SentRequest


def over_get(answer: Exchange) -> Exchange:
    sent = SentRequest("ListSigningCertificates", {}, "GET", "http://127.0.0.1:1/", "caller")
    return Exchange(sent, answer.status, answer.headers, answer.body)


def deviation_of(*args) -> Deviation:
    with pytest.raises(Deviation) as caught:
        pg.get_and_post_agree(*args)
    return caught.value


def test_the_same_pages_over_post_and_get_agree():
    pages = (listing([A], "true", "m1"), listing([B]))
    pg.same_walk(walk(*pages), walk(*map(over_get, pages)))
    pg.get_and_post_agree(walk(*pages), walk(*map(over_get, pages)))


def test_other_pages_over_get_are_the_same_walks_deviation():
    found = deviation_of(walk(listing([A, B])), walk(over_get(listing([B, A]))))
    assert found.check == "same_walk" and "GET" in found.expected


def test_the_same_refusal_over_post_and_get_agrees_and_a_listing_against_a_refusal_does_not():
    refused = error("NoSuchEntity", 404, "The user with name None cannot be found.")
    pg.get_and_post_agree(walk(refused), walk(over_get(refused)))  # a refusal is ID-01's to judge, not this check's
    found = deviation_of(walk(refused), walk(over_get(listing([A]))))
    assert found.check == "same_answer"
    other = error("NoSuchEntity", 404, "another message")
    assert deviation_of(walk(refused), walk(over_get(other))).check == "same_answer"


def test_no_iam_answer_to_either_is_nothing_to_judge():
    page = exchange(b"<x/>")
    assert "no IAM answer" in nothing_to_judge(pg.get_and_post_agree, walk(page), walk(over_get(page)))
