"""hearthside.sms: texts go through the backend SMS_BACKEND names."""
import json

from hearthside import sms


def test_the_file_backend_writes_one_json_file_per_message(settings, tmp_path):
    settings.SMS_BACKEND = "hearthside.sms.FileBackend"
    settings.SMS_FILE_PATH = str(tmp_path / "sms")
    first = sms.send_sms("+447400123456", "Your code is 123456")
    second = sms.send_sms("+447400123457", "Bread’s out of the oven")
    files = sorted((tmp_path / "sms").iterdir())
    records = [json.loads(path.read_text()) for path in files]
    assert [record["id"] for record in records] == [first, second]
    assert records[1] == {**records[1], "to": "+447400123457", "body": "Bread’s out of the oven"}


def test_the_locmem_backend_keeps_messages_in_the_outbox(settings):
    settings.SMS_BACKEND = "hearthside.sms.LocmemBackend"
    sms.outbox.clear()
    sms.send_sms("+447400123456", "Hello")
    assert [(message.to, message.body) for message in sms.outbox] == [("+447400123456", "Hello")]
    sms.outbox.clear()


def test_the_console_backend_prints_the_message(settings, capsys):
    settings.SMS_BACKEND = "hearthside.sms.ConsoleBackend"
    sms.send_sms("+447400123456", "Hello")
    assert capsys.readouterr().out == "SMS to +447400123456: Hello\n"
