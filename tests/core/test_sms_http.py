"""hearthside.sms.TwilioBackend, against a real HTTP server on this machine
that answers like Twilio's Messages API."""
import base64
import json
import socket
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from hearthside import sms

ACCOUNT_SID = "AC0123456789abcdef0123456789abcdef"
AUTH_TOKEN = "test-auth-token"
SENDER = "+447700900123"


class FakeTwilio:
    """Records each request and answers with the next canned response:
    ``(status, json body)``, or ``("slow", seconds)`` to stall before a 201."""

    def __init__(self):
        self.requests: list[dict] = []
        self.answers: list = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length", 0))
                fields = dict(urllib.parse.parse_qsl(self.rfile.read(length).decode()))
                fake.requests.append(
                    {"path": self.path, "authorization": self.headers.get("Authorization", ""), "fields": fields}
                )
                status, answer = fake.answers.pop(0) if fake.answers else (201, None)
                if status == "slow":
                    time.sleep(answer)
                    status, answer = 201, None
                if answer is None:
                    answer = {"sid": f"SM{len(fake.requests):032d}", "status": "queued", "to": fields.get("To")}
                body = answer if isinstance(answer, bytes) else json.dumps(answer).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):  # the client gave up (timeout test)
                    pass

            def log_message(self, *args):  # keep test output quiet
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base_url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


def twilio_error(code, message, status=400):
    return status, {"code": code, "message": message, "more_info": f"https://www.twilio.com/docs/errors/{code}", "status": status}


@pytest.fixture
def twilio(settings):
    with FakeTwilio() as server:
        settings.SMS_BACKEND = "hearthside.sms.TwilioBackend"
        settings.SMS_HTTP_BASE_URL = server.base_url
        settings.SMS_ACCOUNT_SID = ACCOUNT_SID
        settings.SMS_AUTH_TOKEN = AUTH_TOKEN
        settings.SMS_SENDER = SENDER
        settings.SMS_HTTP_TIMEOUT = 2.0
        yield server


def test_a_text_is_posted_to_the_messages_api_and_its_sid_returned(twilio):
    message_id = sms.send_sms("+447400123456", "Bread’s out of the oven")

    assert message_id == "SM" + "1".zfill(32)
    [request] = twilio.requests
    assert request["path"] == f"/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json"
    assert request["fields"] == {"To": "+447400123456", "From": SENDER, "Body": "Bread’s out of the oven"}
    expected_auth = base64.b64encode(f"{ACCOUNT_SID}:{AUTH_TOKEN}".encode()).decode()
    assert request["authorization"] == f"Basic {expected_auth}"


def test_an_accepted_text_without_a_sid_is_not_sent_again(twilio):
    twilio.answers.append((201, b"{}"))

    message_id = sms.send_sms("+447400123456", "Hello")

    assert message_id  # our own id stands in for the provider's
    assert len(twilio.requests) == 1


@pytest.mark.parametrize(
    "code, says",
    [
        (21211, "is not a valid phone number"),
        (21214, "cannot be reached"),
        (21217, "does not appear to be a valid phone number"),
        (21408, "region"),
        (21610, "unsubscribed"),
        (21614, "is not a mobile number"),
    ],
)
def test_twilio_errors_about_the_number_are_permanent(twilio, code, says):
    twilio.answers.append(twilio_error(code, "The 'To' number +447400123456 is not valid."))

    with pytest.raises(sms.SMSError) as refused:
        sms.send_sms("+447400123456", "Hello")

    assert refused.value.permanent is True
    assert "+447400123456" in str(refused.value)
    assert says in str(refused.value)
    assert str(code) in str(refused.value)


@pytest.mark.parametrize("status", [401, 403])
def test_refused_credentials_are_transient_and_say_so(twilio, status):
    twilio.answers.append(twilio_error(20003, "Authenticate", status=status))

    with pytest.raises(sms.SMSError) as refused:
        sms.send_sms("+447400123456", "Hello")

    assert refused.value.permanent is False
    assert "credentials" in str(refused.value)
    assert "SMS_AUTH_TOKEN" in str(refused.value)


@pytest.mark.parametrize(
    "answer",
    [
        twilio_error(20429, "Too Many Requests", status=429),
        (500, b"<html>Internal Server Error</html>"),
        (503, {"code": 20503, "message": "Service unavailable"}),
        # A 400 that is not about the number (here: our sender) is the operator's to fix.
        twilio_error(21606, "The From phone number is not a valid, SMS-capable number for your account."),
    ],
)
def test_provider_side_failures_are_transient(twilio, answer):
    twilio.answers.append(answer)

    with pytest.raises(sms.SMSError) as refused:
        sms.send_sms("+447400123456", "Hello")

    assert refused.value.permanent is False
    assert f"HTTP {answer[0]}" in str(refused.value)


def test_a_provider_that_does_not_answer_in_time_is_a_transient_failure(twilio, settings):
    settings.SMS_HTTP_TIMEOUT = 0.2
    twilio.answers.append(("slow", 1.0))

    started = time.monotonic()
    with pytest.raises(sms.SMSError) as refused:
        sms.send_sms("+447400123456", "Hello")

    assert time.monotonic() - started < 0.9
    assert refused.value.permanent is False
    assert "did not answer within 0.2 seconds" in str(refused.value)


def test_a_provider_that_cannot_be_reached_is_a_transient_failure(twilio, settings):
    with socket.socket() as probe:  # a port nothing listens on once closed
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    settings.SMS_HTTP_BASE_URL = f"http://127.0.0.1:{closed_port}"

    with pytest.raises(sms.SMSError) as refused:
        sms.send_sms("+447400123456", "Hello")

    assert refused.value.permanent is False
    assert "could not be reached" in str(refused.value)


def test_missing_credentials_are_reported_without_calling_the_provider(twilio, settings):
    settings.SMS_AUTH_TOKEN = ""

    with pytest.raises(sms.SMSError) as refused:
        sms.send_sms("+447400123456", "Hello")

    assert refused.value.permanent is False
    assert "SMS_AUTH_TOKEN" in str(refused.value)
    assert twilio.requests == []


def test_sms_errors_are_transient_unless_said_otherwise():
    assert sms.SMSError("provider down").permanent is False
    assert sms.SMSError("no such number", permanent=True).permanent is True
