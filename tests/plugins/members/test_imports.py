"""Importing members from CSV through the admin: the dry run's figures,
line-numbered errors, duplicates merged, consent only when the editor vouches
for it, all or nothing per file, progress, files refused outright, and who
may import."""
import os
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from plugins.members import consent, hooks, imports, preferences
from plugins.members.models import (
    ConsentRecord,
    ImportStatus,
    Member,
    MemberImport,
    Source,
    Stage,
    Subscription,
    Suppression,
    SuppressionReason,
)

from .factories import make_member

pytestmark = pytest.mark.django_db

UPLOAD = "/admin/members/imports/new/"
IMPORTS = "/admin/members/imports/"
WORDING = "Ticked “Email me news” on the loyalty card form at the counter, 2024."


def detail_url(member_import):
    return f"/admin/members/imports/{member_import.pk}/"


def run_url(member_import):
    return f"/admin/members/imports/{member_import.pk}/run/"


def status_url(member_import):
    return f"/admin/members/imports/{member_import.pk}/status.json"


def messages_in(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def csv_file(text: str | bytes, name: str = "people.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode() if isinstance(text, str) else text, content_type="text/csv")


@pytest.fixture
def upload(client, site, admin_user):
    """``upload(text, consent=False, stage="contact", name=...)``: post a file
    to the upload form as the admin; returns the response."""
    client.force_login(admin_user)

    def _upload(text, *, email_consent=False, stage="contact", name="people.csv", wording=WORDING):
        return client.post(UPLOAD, {
            "file": csv_file(text, name),
            "default_stage": stage,
            "email_consent": "yes" if email_consent else "no",
            "consent_wording": wording if email_consent else "",
        })

    return _upload


@pytest.fixture
def run_import(client, django_capture_on_commit_callbacks):
    """``run_import(member_import)``: press "Import" and let the task run (tasks
    run at once in tests; the commit callbacks are what queue them)."""

    def _run(member_import):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(run_url(member_import))
        member_import.refresh_from_db()
        return response

    return _run


def figures(response) -> dict:
    return response.context["summary"]


# The dry run -------------------------------------------------------------------------------------


def test_the_preview_counts_new_updated_and_merged_rows_and_writes_nothing(client, site, upload, topic):
    make_member(site, email="known@example.com", name="Known")
    text = (
        "email,name,stage,tags,topics\n"
        "new.one@example.com,New One,,,baking\n"
        "KNOWN@example.com,,customer,vip,\n"
        "twice@example.com,First,,bread,\n"
        "\n"
        "Twice@Example.com,Second,,rolls;bread,baking\n"
    )

    response = upload(text)

    member_import = MemberImport.objects.get()
    assert response.status_code == 302 and response.url == detail_url(member_import)
    assert member_import.status == ImportStatus.PREVIEWED and member_import.errors == []
    page = client.get(detail_url(member_import))
    summary = figures(page)
    assert (summary["rows"], summary["new"], summary["updated"], summary["merged_rows"]) == (4, 2, 1, 1)
    assert summary["merges"] == [{"email": "Twice@example.com", "lines": [4, 6]}]
    html = page.content.decode()
    assert 'data-figure="new">2<' in html and 'data-figure="merged_rows">1<' in html
    assert "Import 3 people" in html
    assert Member.objects.count() == 1


def test_row_errors_name_the_line_in_the_file(client, site, upload, topic):
    text = (
        "email,name,phone,stage,topics\n"               # line 1
        "good@example.com,Good,,,baking\n"              # 2
        "not-an-address,Bad,,,\n"                       # 3
        "\n"                                            # 4 (blank, skipped)
        '"quoted@example.com","Name over\ntwo lines",,royalty,\n'  # 5-6: bad stage on line 5
        "topic@example.com,T,,,baking;pottery\n"        # 7
        ",No address,,,\n"                              # 8
        "phone@example.com,P,12,,\n"                    # 9
        "extra@example.com,E,,,,surplus\n"              # 10
    )

    upload(text)

    member_import = MemberImport.objects.get()
    errors = {(error["line"], error["column"]) for error in member_import.errors}
    assert errors == {(3, "email"), (5, "stage"), (7, "topics"), (8, "email"), (9, "phone"), (10, "")}
    by_line = {error["line"]: error["message"] for error in member_import.errors}
    assert "“royalty” is not a stage" in by_line[5]
    assert "“pottery” is not a topic on this site; the topics are: baking." in by_line[7]
    assert "first line names 5 columns" in by_line[10]
    page = client.get(detail_url(member_import))
    html = page.content.decode()
    assert '<tr data-line="7"><td>7</td><td>topics</td>' in html
    assert "Import " not in html.split("Lines to fix")[0].split("What the import would do")[1]


def test_a_file_with_errors_cannot_be_imported(client, site, upload, run_import):
    upload("email\ngood@example.com\nbroken\n")
    member_import = MemberImport.objects.get()

    response = run_import(member_import)

    assert member_import.status == ImportStatus.PREVIEWED
    assert Member.objects.count() == 0
    assert "none of it can be imported" in messages_in(client.get(response.url))[0]


def test_column_names_are_read_loosely_and_unknown_columns_are_reported(client, site, upload):
    upload("E-mail Address,Full_Name,Favourite cake\nada@example.com,Ada,Lemon\n")

    member_import = MemberImport.objects.get()
    summary = member_import.options["summary"]
    assert summary["ignored_columns"] == ["Favourite cake"]
    page = client.get(detail_url(member_import)).content.decode()
    assert "Columns left out (not known here): Favourite cake" in page


def test_a_bom_and_semicolons_from_a_spreadsheet_are_read(client, site, upload, run_import):
    upload("\ufeffemail;name;tags\nada@example.com;Ada;\"vip,regular\"\n".encode("utf-8"))
    member_import = MemberImport.objects.get()
    assert member_import.errors == []

    run_import(member_import)

    ada = Member.objects.get()
    assert (ada.email, ada.name, sorted(ada.tags.names())) == ("ada@example.com", "Ada", ["regular", "vip"])


# Files refused outright ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "content, message",
    [
        (b"", "is empty: there is nothing to import"),
        (b"   \n\n", "is empty: there is nothing to import"),
        (b"name,phone\nAda,\n", "The file has no email column"),
        (b"email,name\n", "has a header line but no rows"),
        ("email,name\nada@example.com,J\xf6rg\n".encode("latin-1"), "is not a CSV file in UTF-8 text"),
        (b"PK\x03\x04\x00\x00email", "is not a CSV text file"),
        (b"email,Email\nada@example.com,ada@example.com\n", "names the email column twice"),
    ],
)
def test_unreadable_files_are_refused_with_a_message(client, site, upload, content, message):
    response = upload(content)

    assert response.status_code == 200
    assert message in response.context["form"].errors["file"][0]
    assert "The file was not checked" in messages_in(response)[0]
    assert not MemberImport.objects.exists()


def test_files_over_the_size_limit_are_refused(client, site, upload, settings):
    settings.MEMBERS_IMPORT_MAX_BYTES = 100

    response = upload("email\n" + "someone@example.com\n" * 10)

    assert "files can be at most 100 bytes" in response.context["form"].errors["file"][0]
    assert not MemberImport.objects.exists()


def test_consent_needs_the_words_people_agreed_to(client, site, upload):
    response = upload("email\nada@example.com\n", email_consent=True, wording="  ")

    assert "Say what these people agreed to" in response.context["form"].errors["consent_wording"][0]
    assert not MemberImport.objects.exists()


# Importing ----------------------------------------------------------------------------------------


def test_importing_without_consent_adds_contacts_who_get_nothing(
    client, site, upload, run_import, mailoutbox, topic
):
    upload("email,name,phone,tags,topics\nada@example.com,Ada,+447400123456,vip,baking\n", stage="customer")
    member_import = MemberImport.objects.get()

    response = run_import(member_import)

    assert response.status_code == 302 and response.url == detail_url(member_import)
    assert member_import.status == ImportStatus.DONE
    assert (member_import.created_count, member_import.updated_count) == (1, 0)
    ada = Member.objects.get()
    assert (ada.name, str(ada.phone), ada.stage) == ("Ada", "+447400123456", Stage.CUSTOMER)
    assert (ada.source, ada.source_detail) == (Source.IMPORT, "people.csv")
    assert list(ada.tags.names()) == ["vip"] and list(ada.topics.all()) == [topic]
    assert ada.confirmed_at is None and ada.phone_confirmed_at is None
    assert not Subscription.objects.exists() and not ConsentRecord.objects.exists()
    assert mailoutbox == []
    assert member_import.content == ""  # the file's personal data is not kept once imported


def test_importing_with_consent_confirms_and_records_it(client, site, upload, run_import, mailoutbox):
    upload("email,name\nada@example.com,Ada\n", email_consent=True, name="loyalty cards.csv")
    member_import = MemberImport.objects.get()
    assert member_import.options["summary"]["email_grants"] == 1

    run_import(member_import)

    ada = Member.objects.get()
    assert ada.confirmed_at is not None
    assert list(ada.subscriptions.values_list("channel", "frequency")) == [("email", "immediate")]
    record = ada.consent_records.get()
    assert (record.channel, record.action) == ("email", "granted")
    assert record.source == "CSV import loyalty cards.csv by admin"
    assert record.wording == WORDING
    assert mailoutbox == []  # an import sends no emails of its own


def test_people_already_here_are_updated_not_overwritten(client, site, upload, run_import, other_topic):
    ada = make_member(site, email="ada@example.com", name="Ada Lovelace", stage=Stage.CUSTOMER)
    ada.tags.add("regular")
    bob = make_member(site, email="bob@example.com", name="", stage=Stage.CONTACT, confirmed=False)
    text = (
        "email,name,phone,stage,tags,topics\n"
        "ADA@example.com,Someone Else,+447400123456,,regular;new,offers\n"
        "bob@example.com,Bob,,,,\n"
    )
    upload(text, stage="prospect")
    member_import = MemberImport.objects.get()

    run_import(member_import)

    ada.refresh_from_db()
    bob.refresh_from_db()
    # Their own name stays; an empty number is filled in; a default stage never moves anyone back.
    assert (ada.name, str(ada.phone), ada.stage) == ("Ada Lovelace", "+447400123456", Stage.CUSTOMER)
    assert sorted(ada.tags.names()) == ["new", "regular"]
    assert list(ada.topics.values_list("slug", flat=True)) == ["offers"]
    assert (bob.name, bob.stage) == ("Bob", Stage.PROSPECT)
    assert (member_import.created_count, member_import.updated_count) == (0, 2)
    assert Member.objects.count() == 2


def test_a_stage_in_the_file_is_set_either_way(client, site, upload, run_import):
    make_member(site, email="ada@example.com", stage=Stage.CUSTOMER)

    upload("email,stage\nada@example.com,Prospect\n")
    run_import(MemberImport.objects.get())

    assert Member.objects.get().stage == Stage.PROSPECT


def test_duplicates_are_merged_later_values_winning_tags_added_together(
    client, site, upload, run_import, topic, other_topic
):
    text = (
        "email,name,phone,stage,tags,topics\n"
        "ada@example.com,Ada,+447400123456,customer,vip,baking\n"
        "someone@example.com,Someone,,,,\n"
        "Ada@Example.com,Ada King,,,regular;VIP,offers\n"
    )
    upload(text)
    member_import = MemberImport.objects.get()

    run_import(member_import)

    ada = Member.objects.get(email_key="ada@example.com")
    assert (ada.email, ada.name, str(ada.phone), ada.stage) == (
        "Ada@example.com", "Ada King", "+447400123456", Stage.CUSTOMER
    )
    assert sorted(ada.tags.names()) == ["regular", "vip"]
    assert sorted(ada.topics.values_list("slug", flat=True)) == ["baking", "offers"]
    assert Member.objects.count() == 2
    assert member_import.options["summary"]["merged_rows"] == 1


def test_people_who_unsubscribed_are_not_put_back_on_email(client, site, upload, run_import):
    left = make_member(site, email="left@example.com", channels={"email": "weekly"})
    preferences.unsubscribe(left, source="Preference centre")
    on = make_member(site, email="on@example.com", channels={"email": "weekly"})
    text = "email\nleft@example.com\non@example.com\nnew@example.com\n"
    upload(text, email_consent=True)
    member_import = MemberImport.objects.get()
    summary = member_import.options["summary"]
    assert (summary["email_grants"], summary["stay_unsubscribed"]) == (1, 1)
    page = client.get(detail_url(member_import)).content.decode()
    assert "unsubscribed from email before and stay off it" in page

    run_import(member_import)

    assert not left.subscriptions.exists()
    assert on.consent_records.count() == 1  # already on email: no second grant
    assert Member.objects.get(email="new@example.com").subscriptions.get().channel == "email"


def test_erased_people_are_not_added_back(client, site, upload, run_import):
    consent.suppress(site, Suppression.EMAIL, "erased@example.com", SuppressionReason.ERASED)
    upload("email\nErased@example.com\nkept@example.com\n", email_consent=True)
    member_import = MemberImport.objects.get()
    summary = member_import.options["summary"]
    assert (summary["skipped"], summary["skipped_lines"]) == (1, [2])

    run_import(member_import)

    assert list(Member.objects.values_list("email", flat=True)) == ["kept@example.com"]


def test_stage_changes_and_grants_are_announced_after_the_commit(client, site, upload, run_import):
    make_member(site, email="known@example.com", stage=Stage.PROSPECT, channels={"email": "weekly"})
    stages, grants = [], []

    def on_stage(site, member, old_stage, new_stage, source, **kwargs):
        stages.append((member["email"], old_stage, new_stage, source, member["confirmed"]))

    def on_consent(site, member, channel, granted, source, **kwargs):
        grants.append((member["email"], channel, granted, source, member["channels"]))

    upload("email\nnew@example.com\nknown@example.com\n", stage="customer", email_consent=True)
    with hooks.member_stage_changed.connected(on_stage), hooks.consent_changed.connected(on_consent):
        run_import(MemberImport.objects.get())

    assert sorted(stages) == [
        ("known@example.com", "prospect", "customer", "import", True),
        ("new@example.com", None, "customer", "import", True),
    ]
    assert grants == [
        ("new@example.com", "email", True, "CSV import people.csv by admin", {"email": "immediate"})
    ]


@pytest.fixture
def database_refuses(db):
    """``database_refuses(email)``: from now on the database itself refuses to
    store a member with that address (a trigger), like a constraint or a
    full disk would half-way through a file."""
    created = []

    def _refuse(address):
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute(
                    "CREATE FUNCTION members_test_refuse() RETURNS trigger AS $$ BEGIN "
                    "RAISE EXCEPTION 'refused by the test'; END; $$ LANGUAGE plpgsql"
                )
                cursor.execute(
                    "CREATE TRIGGER members_test_refuse BEFORE INSERT ON members_member FOR EACH ROW "
                    f"WHEN (NEW.email_key = '{address}') EXECUTE FUNCTION members_test_refuse()"
                )
            else:
                cursor.execute(
                    "CREATE TRIGGER members_test_refuse BEFORE INSERT ON members_member "
                    f"WHEN NEW.email_key = '{address}' BEGIN SELECT RAISE(ABORT, 'refused by the test'); END"
                )
        created.append(address)

    yield _refuse
    if created:
        with connection.cursor() as cursor:
            cursor.execute("DROP TRIGGER IF EXISTS members_test_refuse" + (
                " ON members_member" if connection.vendor == "postgresql" else ""
            ))
            if connection.vendor == "postgresql":
                cursor.execute("DROP FUNCTION IF EXISTS members_test_refuse()")


def test_a_failure_half_way_leaves_nothing_imported(
    client, site, upload, admin_user, database_refuses, topic
):
    existing = make_member(site, email="existing@example.com", stage=Stage.CONTACT)
    rows = [f"person{number}@example.com,Person {number},customer,vip,baking" for number in range(10)]
    rows.insert(7, "doomed@example.com,Doomed,customer,vip,baking")
    rows.insert(1, "existing@example.com,Existing,customer,vip,baking")
    upload("email,name,stage,tags,topics\n" + "\n".join(rows) + "\n", email_consent=True)
    member_import = MemberImport.objects.get()
    assert member_import.errors == []
    database_refuses("doomed@example.com")
    imports.start(member_import, admin_user)
    written = []

    # Small chunks, so the first ones are written before the database refuses.
    imported = imports.run(
        member_import.pk, chunk_size=3, progress=lambda import_id, phase, done, total: written.append(done)
    )

    assert imported is False
    assert max(written) >= 6  # two chunks had been written...
    assert list(Member.objects.values_list("email", flat=True)) == ["existing@example.com"]  # ...and are gone
    existing.refresh_from_db()
    assert (existing.stage, existing.name) == (Stage.CONTACT, "")
    assert (existing.tags.count(), existing.topics.count()) == (0, 0)
    assert not Subscription.objects.exists() and not ConsentRecord.objects.exists()
    member_import.refresh_from_db()
    assert member_import.status == ImportStatus.FAILED
    counts = (member_import.created_count, member_import.updated_count, member_import.processed_count)
    assert counts == (0, 0, 0)
    reason = member_import.errors[0]["message"]
    assert reason.startswith("The import stopped with an error and nothing was imported")
    page = client.get(detail_url(member_import)).content.decode()
    assert "nothing was imported" in page and "Upload a file again" in page


def test_a_file_that_no_longer_passes_its_checks_is_not_imported(client, site, upload, run_import, topic):
    upload("email,topics\nada@example.com,baking\n")
    member_import = MemberImport.objects.get()
    topic.delete()  # between the preview and the import

    run_import(member_import)

    assert member_import.status == ImportStatus.FAILED
    assert member_import.errors[0]["message"].startswith("The file no longer passes its checks")
    assert member_import.errors[1]["line"] == 2
    assert not Member.objects.exists()


def test_an_import_runs_once(client, site, upload, run_import, admin_user):
    upload("email\nada@example.com\n")
    member_import = MemberImport.objects.get()
    client.get(run_import(member_import).url)  # shows (and uses up) "Importing people.csv"

    response = run_import(member_import)

    assert "runs only once" in messages_in(client.get(response.url))[0]
    assert imports.run(member_import.pk) is False  # a task delivered twice does nothing
    assert Member.objects.count() == 1


# Progress ---------------------------------------------------------------------------------------


def test_progress_is_reported_chunk_by_chunk(site, upload, admin_user):
    upload("email\n" + "".join(f"p{number}@example.com\n" for number in range(7)) + "p0@example.com\n")
    member_import = MemberImport.objects.get()
    imports.start(member_import, admin_user)
    reported = []

    imports.run(member_import.pk, chunk_size=3,
                progress=lambda import_id, phase, done, total: reported.append((phase, done, total)))

    assert reported == [("checking", 0, 8), ("writing", 0, 8), ("writing", 4, 8), ("writing", 7, 8),
                        ("writing", 8, 8)]
    member_import.refresh_from_db()
    progress = (member_import.row_count, member_import.processed_count, member_import.progress_percent)
    assert progress == (8, 8, 100)


def test_the_status_page_shows_a_running_imports_progress_and_refreshes(client, site, upload):
    upload("email\n" + "".join(f"p{number}@example.com\n" for number in range(40)))
    member_import = MemberImport.objects.get()
    MemberImport.objects.filter(pk=member_import.pk).update(status=ImportStatus.RUNNING)
    imports.report_progress(member_import.pk, "writing", 10, 40)

    status = client.get(status_url(member_import)).json()
    page = client.get(detail_url(member_import)).content.decode()

    assert status == {
        "id": member_import.pk, "file_name": "people.csv", "status": "running", "status_label": "Importing",
        "finished": False, "phase": "writing", "processed": 10, "total": 40, "percent": 25, "created": 0,
        "updated": 0, "error_count": 0,
    }
    assert '<meta http-equiv="refresh" content="2">' in page
    assert '<progress class="members-import-progress w-w-full" max="40" value="10">25%</progress>' in page


def test_the_status_says_what_a_finished_import_did(client, site, upload, run_import):
    make_member(site, email="known@example.com")
    upload("email\nnew@example.com\nknown@example.com\nnew@example.com\n")
    member_import = MemberImport.objects.get()

    run_import(member_import)

    status = client.get(status_url(member_import)).json()
    progress = (status["status"], status["finished"], status["percent"], status["processed"], status["total"])
    assert progress == ("done", True, 100, 3, 3)
    assert (status["created"], status["updated"]) == (1, 1)
    page = client.get(detail_url(member_import)).content.decode()
    assert 'data-figure="created">1<' in page and 'data-figure="merged_rows">1<' in page
    assert "refresh" not in page
    listing = client.get(IMPORTS).content.decode()
    assert "people.csv" in listing and "Imported" in listing


def test_large_files_are_imported_in_bulk(client, site, upload, admin_user, topic):
    rows = "".join(
        f"person{number}@example.com,Person {number},vip;regular,baking\n" for number in range(1500)
    )
    upload("email,name,tags,topics\n" + rows, email_consent=True)
    member_import = MemberImport.objects.get()
    imports.start(member_import, admin_user)

    with CaptureQueriesContext(connection) as queries:
        assert imports.run(member_import.pk)

    assert Member.objects.count() == 1500
    assert Subscription.objects.count() == ConsentRecord.objects.count() == 1500
    # Chunks of bulk statements: far fewer queries than rows.
    assert len(queries) < 150, len(queries)


@pytest.mark.skipif(
    not os.environ.get("MEMBERS_IMPORT_BENCH"), reason="a timing run: set MEMBERS_IMPORT_BENCH=1"
)
def test_ten_thousand_rows_import_in_seconds(client, site, upload, admin_user, topic):
    rows = "".join(
        f"person{number}@example.com,Person {number},+4474001{number:05d},customer,vip;regular,baking\n"
        for number in range(10_000)
    )
    started = time.perf_counter()
    upload("email,name,phone,stage,tags,topics\n" + rows, email_consent=True)
    checked = time.perf_counter()
    member_import = MemberImport.objects.get()
    assert member_import.errors == []
    imports.start(member_import, admin_user)
    assert imports.run(member_import.pk)
    finished = time.perf_counter()

    print(f"\n10,000 rows: dry run {checked - started:.1f}s, import {finished - checked:.1f}s")
    assert Member.objects.count() == 10_000
    assert finished - checked < 60


# Who may import --------------------------------------------------------------------------------


def test_importing_needs_the_permissions(client, site, moderator, editor, upload):
    upload("email\nada@example.com\n")
    member_import = MemberImport.objects.get()
    urls = [IMPORTS, UPLOAD, detail_url(member_import), status_url(member_import)]

    client.force_login(moderator)
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302 and response.url == reverse("wagtailadmin_home"), url
    client.post(run_url(member_import))
    client.post(UPLOAD, {"file": csv_file("email\nbob@example.com\n"), "default_stage": "contact",
                         "email_consent": "no"})
    member_import.refresh_from_db()
    assert member_import.status == ImportStatus.PREVIEWED and MemberImport.objects.count() == 1

    client.logout()
    for url in urls:
        assert client.get(url).url.startswith("/admin/login/"), url

    client.force_login(editor)
    for url in urls:
        assert client.get(url).status_code == 200, url


def test_another_sites_import_is_not_found(client, site, upload):
    from wagtail.models import Page, Site

    from hearthside.models import HomePage

    root = Page.get_first_root_node()
    home = root.add_child(instance=HomePage(title="Other", slug="other", hero_title="Other"))
    other = Site.objects.create(hostname="other.example", port=80, root_page=home, site_name="Other")
    theirs = MemberImport.objects.create(site=other, file_name="theirs.csv", content="email\nx@example.com\n")
    upload("email\nada@example.com\n")

    for url in (detail_url(theirs), status_url(theirs)):
        assert client.get(url).status_code == 404
    assert client.post(run_url(theirs)).status_code == 404
