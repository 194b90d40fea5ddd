"""The in-flight books of kiosk connections: once per connection, bounded in count and bytes."""

from __future__ import annotations

from server.realtime.inflight import InFlight


def command(n: int, text: str = "") -> dict[str, object]:
    return {"id": f"c-{n}", "seq": n, "action": "announce", "args": {"text": text}}


def test_a_connection_gets_no_more_once_its_unacknowledged_bytes_would_pass_the_bound() -> None:
    books = InFlight(max_commands=32, max_bytes=1000)
    assert books.claim("s1", command(1, "x" * 400)) and books.claim("s1", command(2, "x" * 400))
    assert not books.claim("s1", command(3, "x" * 400))
    assert books.claim("s2", command(3, "x" * 400))  # another kiosk's connection has its own room
    books.acked("s1", "c-1")
    assert books.claim("s1", command(3, "x" * 400))


def test_a_single_command_larger_than_the_bound_still_goes_when_nothing_is_in_flight() -> None:
    books = InFlight(max_commands=32, max_bytes=100)
    assert books.claim("s1", command(1, "x" * 500))
    assert not books.claim("s1", command(2))


def test_a_connection_holds_at_most_the_command_count() -> None:
    books = InFlight(max_commands=2, max_bytes=10**6)
    assert books.claim("s1", command(1)) and books.claim("s1", command(2))
    assert not books.claim("s1", command(3))


def test_an_acknowledged_command_stays_sent_until_it_is_no_longer_pending() -> None:
    books = InFlight(max_commands=32, max_bytes=10**6)
    books.claim("s1", command(1))
    books.acked("s1", "c-1")
    assert books.was_sent("s1", "c-1")  # its ack is not written yet: not to be sent again
    books.settle(["s1"], pending=set())
    assert not books.was_sent("s1", "c-1")


def test_an_expired_command_stops_counting_and_a_closed_connection_is_forgotten() -> None:
    books = InFlight(max_commands=1, max_bytes=10**6)
    books.claim("s1", command(1))
    assert not books.claim("s1", command(2))
    books.settle(["s1"], pending={"c-2"})  # c-1 expired
    assert books.claim("s1", command(2))
    books.forget("s1")
    assert not books.was_sent("s1", "c-2") and books.claim("s1", command(3))
