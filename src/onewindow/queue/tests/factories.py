"""A hall on the tests' small world: two queues (A 综合受理, B 不动产), three windows, three clerks."""

from onewindow.accounts.models import Role, User
from onewindow.cases.tests.factories import at, make_world  # noqa: F401  (re-exported for the tests)
from onewindow.queue.models import HallSettings, Queue, WindowQueue
from onewindow.regions.models import Hall, Site, Window


def make_hall(w=None):
    w = w or make_world()
    hall = w.window.hall
    w.queue_a = Queue.objects.create(site=w.centre, hall=hall, code="general", prefix="A", name="综合受理",
                                     slot_capacity=2, order=1)
    w.queue_b = Queue.objects.create(site=w.centre, hall=hall, code="estate", prefix="B", name="不动产登记", order=2)
    w.queue_a.items.add(w.item.item)
    w.window2 = Window.objects.create(hall=hall, number="02", name="综合受理", kind="comprehensive")
    w.window3 = Window.objects.create(hall=hall, number="03", name="不动产", kind="department")
    WindowQueue.objects.create(window=w.window, queue=w.queue_a, priority=1)
    WindowQueue.objects.create(window=w.window2, queue=w.queue_a, priority=1)
    WindowQueue.objects.create(window=w.window2, queue=w.queue_b, priority=2)
    WindowQueue.objects.create(window=w.window3, queue=w.queue_b, priority=1)
    w.clerk2.window = w.window2
    w.clerk2.save(update_fields=["window"])
    w.clerk3 = User.objects.create_user("clerk3", password="demo12345", role=Role.CLERK, site=w.centre,
                                        window=w.window3)
    HallSettings.objects.create(site=w.centre, wait_limit_minutes=30, booking_horizon_days=5, booking_min_hours=2,
                                slot_minutes=30)
    # a second site with its own queue and clerk, to prove scope
    w.other_site = Site.objects.create(code="OTHER", name="别处中心", level="county", kind="centre", region=w.county)
    other_hall = Hall.objects.create(site=w.other_site, name="大厅")
    w.other_window = Window.objects.create(hall=other_hall, number="01", name="综合", kind="comprehensive")
    w.other_queue = Queue.objects.create(site=w.other_site, code="general", prefix="A", name="综合受理")
    WindowQueue.objects.create(window=w.other_window, queue=w.other_queue)
    w.other_clerk = User.objects.create_user("oclerk", password="demo12345", role=Role.CLERK, site=w.other_site,
                                             window=w.other_window)
    return w
