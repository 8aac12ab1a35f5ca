"""Delivering the e-mail edition in-process (the embedded set-up) to a real SMTP server.

Publishing freezes the audience and sends; only confirmed subscribers are ever mailed, and one
suppressed after the freeze is skipped; a transient refusal is retried with backoff, a permanent
one recorded (a hard bounce suppresses the address); delivering again sends nothing more; a row
left sending by a lost sender becomes uncertain and is resent only by an operator. The message
carries the one-click unsubscribe headers, a deterministic Message-ID, and a DKIM signature
over both List-Unsubscribe headers that dkimpy verifies.
"""

import base64
import datetime
import email
import email.policy
import subprocess
from email.message import EmailMessage
from pathlib import Path
from typing import cast

import dkim
import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from pytest_django.fixtures import DjangoCaptureOnCommitCallbacks, Settings

from editorial.integrations.mail import RawMessage
from editorial.models import (
    Delivery,
    DeliveryStatus,
    Issue,
    Mailing,
    Rendition,
    RenditionStatus,
    Subscriber,
    SubscriberFormat,
    SubscriberStatus,
)
from editorial.models.subscribers import ConsentSource
from editorial.roles import Role
from editorial.selectors import mailing_counts
from editorial.services.deliveries import (
    DeliveryRefused,
    deliveries_close,
    deliveries_resend,
    deliveries_sweep,
    delivery_message,
    issue_mailing,
    mailing_content,
    mailing_deliver_here,
    mailing_pause,
    mailing_resume,
)
from editorial.services.subscriptions import subscriber_suppress
from editorial.workflow import IssueStatus
from tests import factories
from tests.tasks.support import Mail, SmtpServer
from tests.workflow.states import bring_to, small_issue
from tests.workflow_helpers import staff

pytestmark = pytest.mark.django_db
SITE = "https://digest.example.cn"
S = DeliveryStatus


@pytest.fixture(autouse=True)
def _delivery_settings(settings: Settings, smtp_inbox: SmtpServer) -> None:
    settings.DIGEST_SITE_URL = SITE
    settings.DIGEST_DELIVERY_CONNECTIONS = 1
    settings.DIGEST_DELIVERY_BACKOFF_SECONDS = 0.05
    settings.DIGEST_DELIVERY_FROM_EMAIL = "大数据发展动态 <digest@example.cn>"


def message(mail: Mail) -> EmailMessage:
    return cast(EmailMessage, email.message_from_bytes(mail.data, policy=email.policy.default))


def by_recipient(smtp: SmtpServer) -> dict[str, list[Mail]]:
    found: dict[str, list[Mail]] = {}
    for mail in smtp.mails():
        for recipient in mail.recipients:
            found.setdefault(recipient, []).append(mail)
    return found


@pytest.fixture
def issue() -> Issue:
    """A published issue with its final PDF, published before anyone subscribed: its mailing is
    frozen by ``deliver_issue`` (``issue_mailing``) in these tests. Publishing's after-commit
    work does not run inside the test's transaction, so the PDF job is finished by hand."""
    published = bring_to(small_issue(), IssueStatus.PUBLISHED)
    Mailing.objects.filter(issue=published).delete()  # empty: nobody had subscribed
    rendition = Rendition.objects.get(issue=published, proof=False)
    rendition.file.save("final.pdf", ContentFile(b"%PDF-1.4\n% a small final PDF\n"), save=False)
    rendition.status, rendition.finished_at = RenditionStatus.DONE, timezone.now()
    rendition.save()
    return published


def test_publishing_freezes_the_confirmed_audience_and_mails_it_once(
    smtp_inbox: SmtpServer, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    confirmed = factories.SubscriberFactory.create_batch(3)
    attach = factories.SubscriberFactory.create(format=SubscriberFormat.ATTACH)
    for status in (
        SubscriberStatus.PENDING,
        SubscriberStatus.UNSUBSCRIBED,
        SubscriberStatus.BOUNCED,
        SubscriberStatus.COMPLAINED,
    ):
        factories.SubscriberFactory.create(status=status, email=f"{status}@example.cn")
    with django_capture_on_commit_callbacks(execute=True):  # the PDF, then the e-mails
        issue = bring_to(small_issue(), IssueStatus.PUBLISHED)
    mailing = Mailing.objects.get(issue=issue)
    assert mailing.recipients == 4
    received = by_recipient(smtp_inbox)
    assert sorted(received) == sorted(s.email for s in [*confirmed, attach])
    assert all(len(mails) == 1 for mails in received.values())
    assert mailing_counts(mailing.pk)[S.SENT] == 4
    # Subject, one-click unsubscribe, a Message-ID of this edition and subscriber.
    first = confirmed[0]
    sent = message(received[first.email][0])
    assert received[first.email][0].subject == (
        f"《{issue.publication.name}》{issue.date.year}年第{issue.number}期（总第{issue.total_number}期）"
    )
    unsubscribe = sent["List-Unsubscribe"].strip().strip("<>")
    assert unsubscribe.startswith(f"{SITE}/subscribe/unsubscribe/")
    assert sent["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    row = Delivery.objects.get(mailing=mailing, subscriber=first)
    assert sent["Message-ID"] == row.message_id == row.provider_message_id
    assert row.message_id == f"<{mailing.edition_fingerprint[:16]}.{first.pk}@example.cn>"
    parts = {part.get_content_type() for part in sent.walk()}
    assert {"text/plain", "text/html"} <= parts and "application/pdf" not in parts
    attached = message(received[attach.email][0])
    assert [p.get_filename() for p in attached.iter_attachments()] == [
        f"{issue.publication.name}-{issue.date.year}-{issue.number:02d}.pdf"
    ]
    # The one-click POST (no cookie, no CSRF token) unsubscribes.
    response = Client(enforce_csrf_checks=True).post(
        unsubscribe.removeprefix(SITE), {"List-Unsubscribe": "One-Click"}
    )
    assert response.status_code == 200
    first.refresh_from_db()
    assert first.status == SubscriberStatus.UNSUBSCRIBED
    # Delivering again sends nothing more; a subscriber confirmed since is not added.
    factories.SubscriberFactory.create(email="late@example.cn")
    call_command("deliver_issue", "--total", str(issue.total_number))
    assert len(smtp_inbox.mails()) == 4
    assert Mailing.objects.get(pk=mailing.pk).deliveries.count() == 4


def test_a_subscriber_suppressed_after_the_freeze_is_skipped(
    issue: Issue, smtp_inbox: SmtpServer
) -> None:
    kept, bounced, left = factories.SubscriberFactory.create_batch(3)
    mailing = issue_mailing(actor=None, issue_id=issue.pk)
    subscriber_suppress(subscriber=bounced, status=SubscriberStatus.BOUNCED, source="webhook")
    left.status = SubscriberStatus.UNSUBSCRIBED
    left.save()
    report = mailing_deliver_here(mailing.pk, connections=1)
    assert (report.sent, report.skipped) == (1, 2)
    assert list(by_recipient(smtp_inbox)) == [kept.email]
    skipped = Delivery.objects.get(mailing=mailing, subscriber=bounced)
    assert skipped.status == S.SKIPPED and "退信" in skipped.error


def test_a_transient_refusal_is_retried_and_a_permanent_one_recorded_and_suppressed(
    issue: Issue, smtp_inbox: SmtpServer
) -> None:
    flaky, gone, full = factories.SubscriberFactory.create_batch(3)
    smtp_inbox.refusals[flaky.email] = ["451 4.3.0 Try again later", "421 4.7.0 Busy"]
    smtp_inbox.refusals[gone.email] = ["550 5.1.1 No such user"]
    smtp_inbox.refusals[full.email] = ["552 5.2.2 Mailbox full"] * 10
    mailing = issue_mailing(actor=None, issue_id=issue.pk)
    call_command("deliver_issue", "--total", str(issue.total_number))
    rows = {r.subscriber_id: r for r in Delivery.objects.filter(mailing=mailing)}
    assert (rows[flaky.pk].status, rows[flaky.pk].attempts) == (S.SENT, 3)
    assert (rows[gone.pk].status, rows[gone.pk].attempts) == (S.FAILED, 1)
    assert "550" in rows[gone.pk].error
    assert (rows[full.pk].status, rows[full.pk].attempts) == (S.FAILED, 1)
    assert list(by_recipient(smtp_inbox)) == [flaky.email]
    gone.refresh_from_db()
    full.refresh_from_db()
    assert gone.status == SubscriberStatus.BOUNCED  # a hard bounce stops mail at once
    assert full.status == SubscriberStatus.CONFIRMED  # a full mailbox is not a bad address
    assert gone.consents.filter(action="suppress").count() == 1
    (suppressed,) = gone.consents.filter(action="suppress")
    assert suppressed.source == ConsentSource.SMTP_REFUSAL and "550" in suppressed.detail


def test_a_row_left_sending_is_uncertain_never_resent_but_by_an_operator(
    issue: Issue,
    smtp_inbox: SmtpServer,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    one, two = factories.SubscriberFactory.create_batch(2)
    mailing = issue_mailing(actor=None, issue_id=issue.pk)
    # A sender marked ``one`` sending, then died: its lease ran out.
    past = timezone.now() - datetime.timedelta(seconds=1)
    Delivery.objects.filter(mailing=mailing, subscriber=one).update(
        status=S.SENDING, lease_expires_at=past, attempts=1
    )
    assert deliveries_sweep(timezone.now()) == [mailing.pk]
    row = Delivery.objects.get(mailing=mailing, subscriber=one)
    assert row.status == S.UNCERTAIN and row.lease_expires_at is None
    mailing_deliver_here(mailing.pk, connections=1)
    assert list(by_recipient(smtp_inbox)) == [two.email]
    assert deliveries_sweep(timezone.now()) == []
    # The operator decides: others may not; the executive resends it, or closes it.
    outsider = staff("outsider", "外人")
    with pytest.raises(DeliveryRefused):
        deliveries_resend(actor=outsider, mailing_id=mailing.pk, delivery_ids=[row.pk])
    executive = staff("exec", "杨婷", Role.EXECUTIVE_EDITOR)
    with django_capture_on_commit_callbacks(execute=True):
        resent = deliveries_resend(actor=executive, mailing_id=mailing.pk, delivery_ids=[row.pk])
    assert resent == 1
    assert sorted(by_recipient(smtp_inbox)) == sorted([one.email, two.email])
    assert deliveries_close(actor=executive, mailing_id=mailing.pk, delivery_ids=[row.pk]) == 0


def test_a_paused_mailing_sends_nothing_until_resumed(
    issue: Issue,
    smtp_inbox: SmtpServer,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    factories.SubscriberFactory.create_batch(2)
    mailing = issue_mailing(actor=None, issue_id=issue.pk)
    mailing_pause(actor=None, mailing_id=mailing.pk)
    assert mailing_deliver_here(mailing.pk, connections=1).sent == 0
    assert smtp_inbox.mails() == []
    with django_capture_on_commit_callbacks(execute=True):  # eager: the senders run at once
        mailing_resume(actor=None, mailing_id=mailing.pk)
    assert len(smtp_inbox.mails()) == 2


def test_the_dkim_signature_covers_both_unsubscribe_headers_and_verifies(
    issue: Issue, smtp_inbox: SmtpServer, settings: Settings, tmp_path: Path
) -> None:
    key = tmp_path / "dkim.pem"
    subprocess.run(["openssl", "genrsa", "-out", str(key), "2048"], check=True, capture_output=True)  # noqa: S607, S603 - fixed arguments, no shell
    public = subprocess.run(  # noqa: S603 - fixed arguments, no shell
        ["openssl", "rsa", "-in", str(key), "-pubout", "-outform", "DER"],  # noqa: S607 - fixed arguments, no shell
        check=True,
        capture_output=True,
    ).stdout
    settings.DIGEST_DKIM_DOMAIN, settings.DIGEST_DKIM_SELECTOR = "example.cn", "digest2024"
    settings.DIGEST_DKIM_PRIVATE_KEY_FILE = str(key)
    factories.SubscriberFactory.create()
    call_command("deliver_issue", "--total", str(issue.total_number))
    (mail,) = smtp_inbox.mails()
    record = b"v=DKIM1; k=rsa; p=" + base64.b64encode(public)

    def dns(name: bytes, timeout: int = 5) -> bytes | None:
        return record if name == b"digest2024._domainkey.example.cn." else None

    assert dkim.verify(mail.data, dnsfunc=dns)
    signature = message(mail)["DKIM-Signature"]
    signed = signature.split("h=")[1].split(";")[0].replace(" ", "").lower().split(":")
    assert {"list-unsubscribe", "list-unsubscribe-post", "from", "subject"} <= set(signed)
    # Changing a signed header breaks it.
    tampered = mail.data.replace(b"List-Unsubscribe=One-Click", b"List-Unsubscribe=Other")
    assert not dkim.verify(tampered, dnsfunc=dns)


def test_the_serialised_message_is_the_one_the_email_package_builds(issue: Issue) -> None:
    # Over SMTP each message is the mailing's message serialised once, with the subscriber's
    # own values put into its bytes: it must read as the email package's build of it would.
    factories.SubscriberFactory.create(name="张 & <李>", format=SubscriberFormat.ATTACH)
    factories.SubscriberFactory.create(name=" ", format=SubscriberFormat.LINK)
    mailing = issue_mailing(actor=None, issue_id=issue.pk)
    content = mailing_content(mailing.pk)
    assert content is not None
    rows = Delivery.objects.filter(mailing=mailing).select_related("subscriber")
    unsubscribes = set()
    for row in rows:
        raw = delivery_message(content, row, raw=True)
        built = delivery_message(content, row)
        assert isinstance(raw, RawMessage) and not isinstance(built, RawMessage)
        fast = email.message_from_bytes(raw.data, policy=email.policy.default)
        slow = email.message_from_bytes(
            built.message().as_bytes(linesep="\r\n"), policy=email.policy.default
        )
        for header in (
            "From",
            "To",
            "Subject",
            "Message-ID",
            "List-Unsubscribe",
            "List-Unsubscribe-Post",
            "MIME-Version",
            "Content-Type",
        ):
            # (the email package folds a long header where the serialised one is unfolded)
            assert str(fast[header]).split(";")[0].strip() == (
                str(slow[header]).split(";")[0].strip()
            ), header
        assert fast["To"] == row.subscriber.email and fast["Date"] is not None

        def parts(message: email.message.Message) -> list[tuple[str, str | None, object]]:
            return [
                (part.get_content_type(), part.get_filename(), part.get_content())  # type: ignore[attr-defined]
                for part in message.walk()
                if not part.is_multipart()
            ]

        assert parts(fast) == parts(slow)
        kinds = [kind for kind, _name, _body in parts(fast)]
        attached = row.subscriber.format == SubscriberFormat.ATTACH
        assert kinds == ["text/plain", "text/html"] + (["application/pdf"] if attached else [])
        html = next(body for kind, _n, body in parts(fast) if kind == "text/html")
        text = next(body for kind, _n, body in parts(fast) if kind == "text/plain")
        unsubscribe = str(fast["List-Unsubscribe"]).strip("<>")
        assert unsubscribe in str(text) and unsubscribe.replace("&", "&amp;") in str(html)
        unsubscribes.add(unsubscribe)
        if attached:
            assert "张 &amp; &lt;李&gt;" in str(html) and "张 & <李>" in str(text)
        else:
            assert "读者" in str(text)
    assert len(unsubscribes) == 2  # each subscriber's own link


def test_deliver_issue_dry_run_writes_nothing_and_an_unpublished_issue_is_refused(
    issue: Issue, capsys: pytest.CaptureFixture[str]
) -> None:
    factories.SubscriberFactory.create_batch(2)
    call_command("deliver_issue", "--total", str(issue.total_number), "--dry-run")
    assert "将发给 2 位订阅者" in capsys.readouterr().out
    assert not Mailing.objects.exists() and not Subscriber.objects.filter(deliveries__isnull=False)
    draft = small_issue()
    with pytest.raises(DeliveryRefused, match="尚未发布"):
        issue_mailing(actor=None, issue_id=draft.pk)
