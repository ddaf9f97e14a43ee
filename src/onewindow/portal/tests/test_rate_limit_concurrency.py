"""Rate limits hold under concurrent requests (count-then-insert serialised per key)."""

import threading

import pytest
from django.db import close_old_connections, connection

from onewindow.portal import services
from onewindow.portal.models import TrackAttempt


@pytest.mark.django_db(transaction=True)
def test_concurrent_lookups_never_exceed_the_limit(settings):
    settings.ONEWINDOW_TRACK_LIMIT = 5
    allowed, refused = [], []
    barrier = threading.Barrier(10)

    def lookup():
        try:
            barrier.wait()
            services.count_track_attempt("198.51.100.7")
            allowed.append(1)
        except services.RateLimited:
            refused.append(1)
        finally:
            connection.close()

    threads = [threading.Thread(target=lookup) for _ in range(10)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    close_old_connections()
    assert (len(allowed), len(refused)) == (5, 5)
    assert TrackAttempt.objects.filter(client="198.51.100.7").count() == 5
