"""The application side of command & control (spec/hono.md §1.7) for the integration tests: writing command
records to hono.command.<tenant> with confluent-kafka and reading the responses on hono.command_response.<tenant>.
Shared by the MQTT and HTTP command tests."""
import threading

import confluent_kafka as ck

from hub import DEADLINE, wait_for
from kafka_records import wait_records

DEMO_TENANT = "DEFAULT_TENANT"
EVENTS = f"hono.event.{DEMO_TENANT}"
DELIVERY_FAILURE = "application/vnd.eclipse-hono-delivery-failure-notification+json"


def send_command(hub, device, name=None, payload=b"{}", correlation_id=None, content_type="application/json",
                 extra_headers=(), tenant=DEMO_TENANT, producer_config=None):
    """Writes a command record as an application does; request/response when correlation_id is given."""
    headers = [("device_id", device)]
    if name is not None:
        headers.append(("subject", name))
    if content_type:
        headers.append(("content-type", content_type))
    if correlation_id is not None:
        headers += [("correlation-id", correlation_id), ("response-required", "true")]
    headers += list(extra_headers)
    p = ck.Producer({"bootstrap.servers": hub.kafka, "acks": "all", **(producer_config or {})})
    errors = []
    p.produce(f"hono.command.{tenant}", key=device, value=payload, headers=headers,
              on_delivery=lambda e, m: e and errors.append(e))
    assert p.flush(30) == 0 and not errors, errors


def wait_ttd(hub, device, ttd):
    """The ttd notification (spec/hono.md §1.4) of the device with this ttd: -1 once it can take commands."""
    (r,) = wait_records(hub, EVENTS, where=lambda r: r.key == device and r.headers.get("ttd") == str(ttd))
    return r


def request_id_of(correlation_id):
    """The request id a device gets for a correlation id (spec/hono.md §1.7)."""
    return "2" + format(len(correlation_id), "02x") + correlation_id


def responses(hub, correlation_id, count=1, tenant=DEMO_TENANT):
    """The first `count` records of hono.command_response.<tenant> with this correlation id."""
    return wait_records(hub, f"hono.command_response.{tenant}", count,
                        where=lambda r: r.headers.get("correlation-id") == correlation_id)


class Background:
    """Runs a blocking call (an HTTP request that waits for a command) on a thread; result() waits for it."""

    def __init__(self, call):
        self._result, self._error = None, None
        self._done = threading.Event()

        def run():
            try:
                self._result = call()
            except BaseException as e:  # noqa: BLE001 - handed to the test thread
                self._error = e
            finally:
                self._done.set()

        threading.Thread(target=run, daemon=True).start()

    def done(self):
        return self._done.is_set()

    def result(self):
        wait_for(self._done.is_set, "the request to be answered", deadline=DEADLINE * 2)
        if self._error:
            raise self._error
        return self._result
